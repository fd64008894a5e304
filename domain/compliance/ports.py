"""What compliance checks need from storage (implemented in db/repositories/compliance.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from domain.compliance.model import Absence, Check, ComplianceFlag, FlagFilter, Standing
from domain.pagination import Page, PageRequest


@dataclass(frozen=True, slots=True)
class CellFacts:
    """Who hears about a cell's flags: its secretaries and the leaders following it."""

    id: UUID
    name: str
    secretaries: tuple[UUID, ...]
    followers: tuple[UUID, ...]


@dataclass(frozen=True, slots=True)
class LateDialogue:
    id: UUID
    ward_id: UUID
    ward_path: str
    title: str
    starts_at: datetime


@dataclass(frozen=True, slots=True)
class WardCount:
    """A ward (a unit with cells as children) and how many of something it had."""

    ward_id: UUID
    ward_path: str
    count: int


class ComplianceStore(Protocol):
    async def raise_missing_meetings(
        self, check: Check, detail: dict[str, Any], now: datetime
    ) -> list[ComplianceFlag]:
        """A flag of ``check.kind`` for every cell the check finds without its meeting, in one
        statement, skipping keys that exist; the flags inserted."""

    async def standings(self, day: date) -> list[Standing]:
        """Leader assignments live on ``day``, of active leaders to active cells."""

    async def visits(
        self, since: datetime, until: datetime
    ) -> dict[tuple[UUID, UUID], list[datetime]]:
        """Starts of the meetings each (leader, cell) visited, confirmed both ways."""

    async def absences(self, since: datetime, until: datetime) -> list[Absence]:
        """Unexcused absences from held or finalised meetings starting in [since, until)."""

    async def insert(self, flags: Sequence[ComplianceFlag]) -> list[ComplianceFlag]:
        """Insert the flags whose key is new; those inserted."""

    async def cells(self, ids: Iterable[UUID], day: date) -> dict[UUID, CellFacts]:
        """Names, live secretaries and the leaders following each cell on ``day``."""

    async def unpublished_dialogues(self, started_before: datetime) -> list[LateDialogue]:
        """Dialogues starting before ``started_before`` whose results are not published."""

    async def dialogues_per_ward(
        self, since: datetime, until: datetime, existed_before: datetime
    ) -> list[WardCount]:
        """Every active ward made before ``existed_before``, with its dialogues starting in
        [since, until)."""

    async def reception_days_per_ward(
        self, first: date, last: date, existed_before: datetime
    ) -> list[WardCount]:
        """Every active ward made before ``existed_before``, with its reception days from
        ``first`` to ``last``."""

    async def list_flags(
        self, scopes: tuple[str, ...], where: FlagFilter, page: PageRequest
    ) -> Page[ComplianceFlag]:
        """Flags of cells inside ``scopes`` (their current place in the tree), oldest first."""
