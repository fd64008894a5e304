"""Storage the dialogue use cases need (implemented in db/repositories/dialogues.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol
from uuid import UUID

from domain.dialogues.model import Dialogue, ReceptionDay
from domain.pagination import Page, PageRequest


class DialogueRepository(Protocol):
    async def get(self, dialogue_id: UUID) -> Dialogue | None: ...
    async def add(self, dialogue: Dialogue) -> None: ...
    async def save(self, dialogue: Dialogue, expected_version: int) -> None:
        """Refused with ``version_mismatch`` when the stored row moved on meanwhile."""

    async def list_dialogues(
        self, scopes: tuple[str, ...], within_path: str | None, page: PageRequest
    ) -> Page[Dialogue]:
        """Dialogues of wards inside ``scopes``, latest start first."""

    async def members_of(self, cell_ids: Iterable[UUID], day: date) -> list[UUID]:
        """People with a live membership of one of the cells on ``day``."""

    async def add_reception_day(self, day: ReceptionDay) -> None:
        """A second record of one ward and day is ``reception_day_exists``."""

    async def reception_days(self, ward_id: UUID, first: date, last: date) -> list[ReceptionDay]:
        """The ward's reception days from ``first`` to ``last``, in order."""
