"""What reminders need from storage (implemented in db/repositories/reminders.py): the set-based
sweep, the claim of pending rows, and what each subject looks like now."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from domain.inspections.model import InspectionKind, InspectionStatus
from domain.meetings.model import MeetingStatus
from domain.reminders.model import ReminderKind, ReminderStatus, Sweep
from domain.tasks.model import TaskStatus


@dataclass(frozen=True, slots=True)
class Due:
    """A pending reminder row, claimed by the worker delivering it."""

    id: int
    kind: ReminderKind
    subject: UUID
    occurrence: str


@dataclass(frozen=True, slots=True)
class MeetingFacts:
    id: UUID
    cell_name: str
    status: MeetingStatus
    planned_start: datetime
    audience: tuple[UUID, ...]  # non-exempt members on the day and the leaders following the cell
    secretaries: tuple[UUID, ...]


@dataclass(frozen=True, slots=True)
class InspectionFacts:
    id: UUID
    unit_name: str
    kind: InspectionKind
    status: InspectionStatus
    window_start: datetime
    window_end: datetime
    lead_checked_in_at: datetime | None
    team: tuple[UUID, ...]  # the lead first
    heads: tuple[UUID, ...]  # the inspected unit's secretaries and leaders


@dataclass(frozen=True, slots=True)
class TaskFacts:
    id: UUID
    title: str
    assignee: UUID
    status: TaskStatus
    due_on: date


@dataclass(frozen=True, slots=True)
class PetitionFacts:
    id: UUID
    task_id: UUID
    category: str  # never the petitioner's name or contact
    reply_due_on: date
    answered: bool
    assignee: UUID
    task_status: TaskStatus


@dataclass(frozen=True, slots=True)
class DigestFacts:
    """A leader's day, over the units they lead (their scopes)."""

    person_id: UUID
    scopes: tuple[str, ...]  # unit paths of live leader and admin grants; empty: no digest
    unread: int  # inbox rows of the last day not read yet (news held for the digest among them)
    meetings: int  # planned meetings of the day
    inspections: int  # inspections starting that day; surprise ones are never counted ahead
    overdue_tasks: int


class ReminderStore(Protocol):
    async def enqueue(self, sweeps: Sequence[Sweep], now: datetime) -> int:
        """Insert a pending row for every subject each sweep matches, skipping keys that exist;
        the number inserted."""

    async def claim(self, limit: int) -> list[Due]:
        """Pending rows, oldest first, locked for this transaction (PostgreSQL: SKIP LOCKED)."""

    async def settle(self, outcomes: Sequence[tuple[int, ReminderStatus]], now: datetime) -> None:
        """Record what became of claimed rows."""

    async def meetings(self, ids: Iterable[UUID]) -> dict[UUID, MeetingFacts]: ...
    async def inspections(self, ids: Iterable[UUID]) -> dict[UUID, InspectionFacts]: ...
    async def tasks(self, ids: Iterable[UUID]) -> dict[UUID, TaskFacts]: ...
    async def petitions(self, ids: Iterable[UUID]) -> dict[UUID, PetitionFacts]: ...
    async def digest(self, person_id: UUID, day: date) -> DigestFacts: ...
