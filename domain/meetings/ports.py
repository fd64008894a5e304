"""Storage the meeting use cases need (implemented in db/repositories/meetings.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from domain.meetings.model import (
    Amendment,
    LeaderVisit,
    Meeting,
    MeetingKind,
    MeetingOverview,
    MeetingStatus,
)
from domain.meetings.recurrence import MeetingRule
from domain.org.model import MembershipKind
from domain.pagination import Page, PageRequest, PageWithin


@dataclass(frozen=True, slots=True)
class CellRule:
    cell_id: UUID
    rule: MeetingRule
    place: str | None
    place_location: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class MeetingFilter:
    cell_id: UUID | None = None
    within_unit_id: UUID | None = None  # the subtree of this unit, found in the same query
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    status: MeetingStatus | None = None
    kind: MeetingKind | None = None


RosterEntry = tuple[UUID, str, MembershipKind, bool]  # person, full name, kind, exempt


class OpenTasks(Protocol):
    async def open_tasks_of(self, unit_id: UUID) -> list[tuple[UUID, str]]:
        """(id, title) of the unit's tasks that are not closed."""


class MeetingRepository(Protocol):
    async def get(self, meeting_id: UUID) -> Meeting | None: ...
    async def add(self, meeting: Meeting) -> None: ...
    async def add_planned(self, meetings: list[Meeting]) -> int:
        """Insert rule-planned meetings, skipping occurrences that exist; returns how many."""

    async def save(
        self, meeting: Meeting, *, attendance: bool, expected_version: int | None = None
    ) -> None:
        """With ``expected_version``: StaleVersionError unless that is the stored version."""

    async def save_changes(self, meeting: Meeting, loaded: Meeting, expected_version: int) -> None:
        """Write only what changed since ``loaded`` (the meeting as read), over
        ``expected_version`` (else StaleVersionError); joins a batched unit of work."""

    async def list_meetings(
        self, scopes: tuple[str, ...], where: MeetingFilter, page: PageRequest
    ) -> Page[Meeting]: ...
    async def overviews(
        self, scopes: tuple[str, ...], where: MeetingFilter, page: PageRequest
    ) -> PageWithin[MeetingOverview]:
        """A page of meetings with their attendance tallies and leaders' visits, in one query."""

    async def upcoming_for(
        self, person_id: UUID, scopes: tuple[str, ...], now: datetime, page: PageRequest
    ) -> Page[Meeting]:
        """Planned meetings not yet over, soonest first."""

    async def calendar_for(
        self, person_id: UUID, scopes: tuple[str, ...], since: datetime, until: datetime
    ) -> list[Meeting]:
        """Meetings of my cells and of the cells I follow inside ``scopes``, any status."""

    async def roster_on(self, cell_id: UUID, day: date) -> list[RosterEntry]: ...
    async def regular_meetings(
        self, cell_id: UUID, since: datetime, until: datetime
    ) -> list[tuple[UUID, MeetingStatus, datetime]]:
        """(id, status, planned start) of the cell's regular meetings starting in the range."""

    async def rule_of(self, cell_id: UUID) -> CellRule | None: ...
    async def set_rule(self, rule: CellRule) -> None: ...
    async def cells_with_rules(self) -> list[CellRule]: ...
    async def visit(self, meeting_id: UUID, leader_id: UUID) -> LeaderVisit | None: ...
    async def save_visit(self, visit: LeaderVisit) -> None: ...
    async def visits_of(self, meeting_id: UUID) -> list[LeaderVisit]: ...
    async def counted_visits(
        self, leader_id: UUID, cell_id: UUID, since: datetime, until: datetime
    ) -> int: ...
    async def add_amendment(self, amendment: Amendment) -> None: ...
    async def amendments_of(self, meeting_id: UUID) -> list[Amendment]:
        """The meeting's amendments with their authors' names, oldest first."""

    async def previous_meeting(self, cell_id: UUID, before: datetime) -> Meeting | None:
        """The last meeting held before ``before``."""

    async def unexcused_absences(
        self, cell_id: UUID, since: datetime, until: datetime
    ) -> list[tuple[UUID, str, datetime]]:
        """(person, full name, meeting start) of unexcused absences at held or final meetings."""
