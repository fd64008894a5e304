"""Storage the task use cases need (implemented in db/repositories/tasks.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from domain.org.model import Locale
from domain.pagination import Page, PageRequest, PageWithin
from domain.tasks.model import Priority, Task, TaskSource, TaskStatus
from domain.tasks.petitions import Petition, ReplyState
from domain.working_days import CalendarDay, WorkingCalendar


@dataclass(frozen=True, slots=True)
class TaskFilter:
    within_unit_id: UUID | None = None  # the subtree of this unit, found in the same query
    status: TaskStatus | None = None
    source: TaskSource | None = None
    priority: Priority | None = None
    overdue_on: date | None = None  # due before this day and not closed
    escalated: bool | None = None
    due_from: date | None = None
    due_until: date | None = None
    assignee_id: UUID | None = None
    not_assignee_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class PetitionFilter:
    today: date  # the Hà Nội day an "overdue" reply deadline is measured against
    within_path: str | None = None
    reply_state: ReplyState | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    id: UUID
    task_id: UUID
    by: UUID
    text: str
    created_at: datetime


class TaskRepository(Protocol):
    async def get(self, task_id: UUID) -> Task | None: ...
    async def add(self, task: Task) -> None: ...
    async def save(self, task: Task, expected_version: int) -> None: ...
    async def list_tasks(
        self, scopes: tuple[str, ...], where: TaskFilter, page: PageRequest
    ) -> PageWithin[Task]: ...
    async def overdue(self, today: date) -> list[Task]: ...
    async def open_count(self, source_id: UUID) -> int: ...
    async def add_comment(self, comment: Comment) -> None: ...
    async def comments(self, task_id: UUID) -> list[Comment]: ...
    async def get_petition(self, petition_id: UUID) -> Petition | None: ...
    async def petition_of_task(self, task_id: UUID) -> Petition | None: ...
    async def add_petition(self, petition: Petition) -> None: ...
    async def save_petition(self, petition: Petition) -> None: ...
    async def list_petitions(
        self, scopes: tuple[str, ...], where: PetitionFilter, page: PageRequest
    ) -> Page[Petition]: ...


class FollowUpSources(Protocol):
    async def follow_up_closed(self, source_id: UUID, still_open: int) -> None:
        """A task opened from ``source_id`` (an inspection) closed; ``still_open`` remain."""


class WorkingDays(Protocol):
    async def calendar(self, years: range) -> WorkingCalendar:
        """Public holidays plus the admin-entered exceptions of those years."""

    async def days(self, year: int, locale: Locale) -> list[CalendarDay]:
        """The year's days off and make-up working days (statutory and entered), named."""

    async def set_day(self, day: date, *, working: bool, note: str | None) -> None: ...
    async def exceptions(self, year: int) -> list[tuple[date, bool, str | None]]: ...
