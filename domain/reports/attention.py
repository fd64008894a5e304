""" "What needs me": for the caller, what is behind or coming due today — cells that have not held
their regular meeting this month, leaders behind their visit quota pro rata, tasks overdue or
near due, petitions near their reply deadline, recent compliance flags. Each as a count and the
first few items, most urgent first. The scopes and windows are decided here; the rows come from
db/repositories/reports.py (a statement per list, its count beside its rows)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar
from uuid import UUID

from domain.actors import Actor, Permission, Role
from domain.clock import local_day, local_midnight
from domain.compliance.model import FlagKind, Standing, behind_quota
from domain.org.model import QuotaPeriod
from domain.reminders.model import ReminderPolicy
from domain.reports.period import add_months

T = TypeVar("T")
DEFAULT_ATTENTION_ITEMS, MAX_ATTENTION_ITEMS = 10, 50


@dataclass(frozen=True, slots=True)
class Listed(Generic[T]):
    count: int  # all of them
    items: list[T]  # the first few, most urgent first


@dataclass(frozen=True, slots=True)
class AttentionScopes:
    """Where each list looks: the cells whose meetings the caller runs or visits, the tasks and
    petitions they manage (and their own tasks anywhere), the flags of cells where they may see
    people (as the compliance list)."""

    person_id: UUID
    meetings: tuple[str, ...]
    leaders: tuple[str, ...]
    tasks: tuple[str, ...]
    flags: tuple[str, ...]


def attention_scopes(actor: Actor) -> AttentionScopes:
    meetings = {*actor.scopes(Permission.MANAGE_MEETINGS), *actor.scopes(Permission.VISIT_MEETINGS)}
    # a leader's peers and the leaders above a cell: those who plan and verify over it
    leaders = {g.unit_path for g in actor.grants if g.role in {Role.LEADER, Role.ADMIN}}
    return AttentionScopes(
        person_id=actor.person_id,
        meetings=tuple(sorted(meetings)),
        leaders=tuple(sorted(leaders)),
        tasks=actor.scopes(Permission.MANAGE_TASKS),
        flags=actor.scopes(Permission.VIEW_PEOPLE),
    )


@dataclass(frozen=True, slots=True)
class AttentionWindow:
    today: date  # in Hà Nội
    month_since: datetime  # this month, as UTC bounds
    month_until: datetime
    year_since: datetime  # every quota period containing today starts in its year
    tomorrow: datetime
    tasks_due_by: date  # not closed and due by then: overdue or near due
    petitions_due_by: date  # unanswered and due by then
    flags_since: datetime  # flags raised this month or the last
    limit: int


def attention_window(now: datetime, policy: ReminderPolicy, limit: int) -> AttentionWindow:
    """Near due means within the reminders' lead: a task from its first reminder, a petition
    from the reminder before its reply is due."""
    today = local_day(now)
    month = today.replace(day=1)
    return AttentionWindow(
        today=today,
        month_since=local_midnight(month),
        month_until=local_midnight(add_months(month, 1)),
        year_since=local_midnight(date(today.year, 1, 1)),
        tomorrow=local_midnight(today + timedelta(days=1)),
        tasks_due_by=today + timedelta(days=policy.task_first_days),
        petitions_due_by=today + timedelta(days=policy.petition_days),
        flags_since=local_midnight(add_months(month, -1)),
        limit=limit,
    )


@dataclass(frozen=True, slots=True)
class CellToMeet:
    cell_id: UUID
    cell_name: str


@dataclass(frozen=True, slots=True)
class LeaderBehind:
    leader_id: UUID
    leader_name: str
    cell_id: UUID
    cell_name: str
    quota: int
    period: QuotaPeriod
    attended: int
    expected_by_now: int


@dataclass(frozen=True, slots=True)
class TaskDue:
    task_id: UUID
    title: str
    unit_id: UUID
    unit_name: str
    assignee_id: UUID
    due_on: date
    overdue: bool


@dataclass(frozen=True, slots=True)
class PetitionDue:
    petition_id: UUID
    task_id: UUID
    unit_id: UUID
    unit_name: str
    category: str
    reply_due_on: date
    overdue: bool


@dataclass(frozen=True, slots=True)
class FlagRaised:
    flag_id: UUID
    kind: FlagKind
    unit_id: UUID
    unit_name: str
    subject_id: UUID
    period: str
    raised_at: datetime


@dataclass(frozen=True, slots=True)
class AttentionFacts:
    cells_not_met: Listed[CellToMeet]
    standings: list[tuple[Standing, str]]  # a live assignment in scope, and its cell's name
    visits: Mapping[tuple[UUID, UUID], list[datetime]]  # (leader, cell) -> confirmed, this year
    tasks: Listed[TaskDue]
    petitions: Listed[PetitionDue]
    flags: Listed[FlagRaised]


@dataclass(frozen=True, slots=True)
class Attention:
    as_of: datetime
    cells_not_met: Listed[CellToMeet]
    leaders_behind: Listed[LeaderBehind]
    tasks: Listed[TaskDue]
    petitions: Listed[PetitionDue]
    flags: Listed[FlagRaised]


def leaders_behind(
    standings: Iterable[tuple[Standing, str]],
    visits: Mapping[tuple[UUID, UUID], list[datetime]],
    today: date,
    limit: int,
) -> Listed[LeaderBehind]:
    """The compliance check's rule (``behind_quota``) as of today, furthest behind first."""
    found = []
    for standing, cell_name in standings:
        progress = behind_quota(
            standing, visits.get((standing.leader_id, standing.cell_id), []), today
        )
        if progress is not None:
            found.append(
                LeaderBehind(
                    standing.leader_id,
                    standing.leader_name,
                    standing.cell_id,
                    cell_name,
                    progress.quota,
                    standing.period,
                    progress.attended,
                    progress.expected_by_now,
                )
            )
    found.sort(key=lambda b: (b.attended - b.expected_by_now, b.leader_name, b.cell_name))
    return Listed(len(found), found[:limit])
