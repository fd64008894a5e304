"""Storage the meeting-quality use cases need (implemented in db/repositories/quality.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.quality.model import Band, CriteriaSet, MeetingQuality


class QualityRepository(Protocol):
    async def sets_of(self, unit_ids: list[UUID]) -> list[CriteriaSet]:
        """The latest version of each listed unit's set, and the default set (no unit)."""

    async def get_set(self, set_id: UUID) -> CriteriaSet | None: ...
    async def add_set(self, criteria: CriteriaSet) -> None:
        """A ``(unit, version)`` already taken is a ConflictError (two new versions at once)."""

    async def latest_version(self, unit_id: UUID) -> int:
        """The unit's own latest version; 0 when it never chose a set."""

    async def get_score(self, meeting_id: UUID) -> MeetingQuality | None: ...
    async def add_score(self, quality: MeetingQuality) -> None: ...
    async def save_score(self, quality: MeetingQuality, expected_version: int) -> None:
        """StaleVersionError unless ``expected_version`` is the stored version."""

    async def bands_of(self, cell_id: UUID, since: datetime, until: datetime) -> list[Band]:
        """The bands of the cell's scored regular and thematic meetings held in the range."""
