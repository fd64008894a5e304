"""The cell report's figures and the rules that make them from a cell's records. Pure: the
records come from db/repositories/reports.py, counted by grouped statements; what needs a rule of
the domain (a meeting on time, long enough; a task closed by its Hà Nội due day; a leader's quota
for the period) is decided here, on the few rows the statements return.

A cell's counts are additive (``Figures``): a ward's totals row is the sum of its cells', and a
rate is recomputed from the summed counts, never averaged. New columns (e.g. satisfaction) are new
fields of ``Figures`` with a zero default.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from fractions import Fraction
from operator import attrgetter
from typing import Protocol, TypeVar
from uuid import UUID

from domain.clock import local_day
from domain.meetings.model import MeetingKind, MeetingPolicy
from domain.org.model import QuotaPeriod
from domain.quality.model import Band
from domain.reports.period import Period, add_months

QUOTA_MONTHS = {QuotaPeriod.MONTH: 1, QuotaPeriod.QUARTER: 3, QuotaPeriod.YEAR: 12}
SECONDS_PER_DAY = 86_400
# a member absent without excuse in this many of the last ABSENCE_WINDOW months is listed
REPEAT_ABSENCE_MONTHS, ABSENCE_WINDOW = 2, 3


class _OfACell(Protocol):
    @property
    def cell_id(self) -> UUID: ...


_OfCell = TypeVar("_OfCell", bound=_OfACell)


@dataclass(frozen=True, slots=True)
class Figures:
    """A cell's (or a ward's summed) counts for the period."""

    regular_due: int = 0  # months in the period: one regular meeting each
    regular_held: int = 0
    regular_on_time: int = 0
    regular_full_length: int = 0
    thematic_held: int = 0  # in the quarter(s) the period touches, up to its end
    attendance_present: int = 0
    attendance_expected: int = 0  # present, excused or unexcused: exempt members are left out
    unexcused_absences: int = 0
    repeat_absentees: int = 0
    leader_visits: int = 0
    leader_visit_quota: int = 0
    inspections_planned: int = 0
    inspections_done: int = 0
    tasks: int = 0  # created in the period; their state as of the report
    tasks_open: int = 0
    tasks_overdue: int = 0
    tasks_escalated: int = 0
    tasks_closed: int = 0
    tasks_closed_on_time: int = 0
    petitions_received: int = 0
    petitions_answered_on_time: int = 0
    petitions_answered_late: int = 0
    petitions_overdue: int = 0  # unanswered past the deadline
    # residents' survey answers given in the period, counted for the cell they were given about;
    # through the link only, the assisted ones (entered by staff) apart
    survey_answers: int = 0
    survey_satisfied: int = 0  # 4 or 5 of 5
    survey_not_resolved: int = 0
    survey_assisted: int = 0

    def __add__(self, other: Figures) -> Figures:
        return summed((self, other))

    @property
    def attendance_rate(self) -> float | None:
        """Present over expected, in percent with one decimal; None when nobody was expected."""
        if self.attendance_expected == 0:
            return None
        return round(100 * self.attendance_present / self.attendance_expected, 1)


# what a trend may follow: every count, and the attendance rate
METRICS = frozenset({*(f.name for f in fields(Figures)), "attendance_rate"})
_COUNTS = attrgetter(*(f.name for f in fields(Figures)))


def summed(figures: Iterable[Figures]) -> Figures:
    """Count by count, in one pass (a ward's 40 rows, a city's 1,200: no Figures per step)."""
    return Figures(*map(sum, zip(*map(_COUNTS, figures), strict=True)))


def metric_value(figures: Figures, metric: str) -> int | float | None:
    value: int | float | None = getattr(figures, metric)
    return value


@dataclass(frozen=True, slots=True)
class CellRef:
    id: UUID
    name: str
    ward_id: UUID
    ward_name: str


@dataclass(frozen=True, slots=True)
class MeetingFact:
    """A regular meeting held (or finalised) in the period (thematic ones are counted)."""

    cell_id: UUID
    kind: MeetingKind
    combined_thematic: bool
    planned_start: datetime
    actual_start: datetime | None
    actual_end: datetime | None
    band: Band | None


@dataclass(frozen=True, slots=True)
class ClosedTask:
    cell_id: UUID
    created_at: datetime
    due_on: date
    closed_at: datetime


@dataclass(frozen=True, slots=True)
class QuotaFact:
    """A leader's assignment to a cell that overlaps the period."""

    cell_id: UUID
    quota: int
    period: QuotaPeriod
    started_on: date
    ended_on: date | None


@dataclass(frozen=True, slots=True)
class CellReportFacts:
    cells: list[CellRef]
    meetings: list[MeetingFact]
    counts: Mapping[UUID, Mapping[str, int]]  # cell -> Figures field -> count
    closed_tasks: list[ClosedTask]
    quotas: list[QuotaFact]


@dataclass(frozen=True, slots=True)
class MonthFacts:
    """A month of a trend: the subtree's records, the counts already summed over its cells; the
    rows a rule judges (meetings, closed tasks, quotas) as the month's report reads them."""

    cells: int
    counts: Mapping[str, int]  # Figures field -> the subtree's count
    meetings: list[MeetingFact]
    closed_tasks: list[ClosedTask]
    quotas: list[QuotaFact]


@dataclass(frozen=True, slots=True)
class CellRow:
    cell: CellRef
    figures: Figures
    regular_held_on: date | None  # the last regular meeting's Hà Nội day
    band: Band | None  # of the last scored regular meeting
    median_days_to_close: float | None


@dataclass(frozen=True, slots=True)
class WardTotals:
    ward_id: UUID
    ward_name: str
    cells: int
    figures: Figures
    median_days_to_close: float | None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: str  # a month, "2026-11"
    value: int | float | None


@dataclass(frozen=True, slots=True)
class Trend:
    unit_id: UUID
    metric: str
    points: list[TrendPoint]


@dataclass(frozen=True, slots=True)
class CellReport:
    unit_id: UUID
    unit_name: str
    unit_is_cell: bool
    upper_name: str | None  # the unit above (the header of the printed report)
    period: Period
    as_of: datetime
    rows: list[CellRow] = field(default_factory=list)
    wards: list[WardTotals] = field(default_factory=list)
    median_days_to_close: float | None = None  # over every closed task of the report


def on_time(meeting: MeetingFact, regular_day: int) -> bool:
    """Held in the month it was planned for, by its ``regular_day`` (the compliance check's day)."""
    return _on_time(meeting, local_day(meeting.planned_start), regular_day)


def _on_time(meeting: MeetingFact, planned: date, regular_day: int) -> bool:
    """``on_time`` with the planned Hà Nội day known (a city's year judges 13,200 meetings: the
    time zone conversions were most of it)."""
    held = local_day(meeting.actual_start) if meeting.actual_start else planned
    return (held.year, held.month) == (planned.year, planned.month) and held.day <= regular_day


def full_length(meeting: MeetingFact, policy: MeetingPolicy) -> bool:
    """At least the policy's minimum duration (longer when combined with a thematic subject)."""
    if meeting.actual_start is None or meeting.actual_end is None:
        return False
    minimum = policy.combined_min_minutes if meeting.combined_thematic else policy.min_minutes
    return (meeting.actual_end - meeting.actual_start).total_seconds() >= minimum * 60


def closed_on_time(task: ClosedTask) -> bool:
    return local_day(task.closed_at) <= task.due_on


def days_to_close(task: ClosedTask) -> float:
    return (task.closed_at - task.created_at).total_seconds() / SECONDS_PER_DAY


def median_days(tasks: Iterable[ClosedTask]) -> float | None:
    days = [days_to_close(t) for t in tasks]
    return round(statistics.median(days), 1) if days else None


def _overlap_months(period: Period, started_on: date, ended_on: date | None) -> int:
    """Whole months of the period the assignment covers (a month it covers any day of counts)."""
    return sum(
        1
        for month in period.month_starts()
        if started_on < add_months(month, 1) and (ended_on is None or ended_on > month)
    )


def visit_quota(period: Period, quotas: Iterable[QuotaFact]) -> int:
    """The visits the cell's leaders owe in the period: each quota pro rata of the months it
    covers (a quarterly 1 owes 1 in a quarter, 4 in a year, 0 in a single month), rounded down
    as the followed-cells screen does."""
    owed = sum(
        (
            Fraction(q.quota * _overlap_months(period, q.started_on, q.ended_on))
            / QUOTA_MONTHS[q.period]
            for q in quotas
        ),
        Fraction(0),
    )
    return math.floor(owed)


def _meeting_figures(
    period: Period, meetings: list[MeetingFact], policy: MeetingPolicy, regular_day: int
) -> tuple[dict[str, int], date | None, Band | None]:
    since = period.since
    regular = sorted(
        (m for m in meetings if m.kind is MeetingKind.REGULAR and m.planned_start >= since),
        key=lambda m: m.planned_start,
    )
    scored = [m.band for m in regular if m.band is not None]
    planned = [local_day(m.planned_start) for m in regular]
    counts = {
        "regular_due": period.months,
        "regular_held": len({(day.year, day.month) for day in planned}),
        "regular_on_time": sum(
            _on_time(m, day, regular_day) for m, day in zip(regular, planned, strict=True)
        ),
        "regular_full_length": sum(full_length(m, policy) for m in regular),
    }
    last_day = local_day(regular[-1].actual_start or regular[-1].planned_start) if regular else None
    return counts, last_day, (scored[-1] if scored else None)


def _by_cell(facts: Iterable[_OfCell]) -> dict[UUID, list[_OfCell]]:
    grouped: dict[UUID, list[_OfCell]] = {}
    for fact in facts:
        grouped.setdefault(fact.cell_id, []).append(fact)
    return grouped


def cell_rows(
    period: Period, facts: CellReportFacts, policy: MeetingPolicy, regular_day: int
) -> list[CellRow]:
    meetings, closed = _by_cell(facts.meetings), _by_cell(facts.closed_tasks)
    quotas = _by_cell(facts.quotas)
    rows = []
    for cell in facts.cells:
        counts, held_on, band = _meeting_figures(
            period, meetings.get(cell.id, []), policy, regular_day
        )
        done = closed.get(cell.id, [])
        figures = Figures(
            **counts,
            **facts.counts.get(cell.id, {}),
            leader_visit_quota=visit_quota(period, quotas.get(cell.id, [])),
            tasks_closed_on_time=sum(closed_on_time(t) for t in done),
        )
        rows.append(CellRow(cell, figures, held_on, band, median_days(done)))
    return rows


def subtree_figures(
    period: Period, facts: MonthFacts, policy: MeetingPolicy, regular_day: int
) -> Figures:
    """The sum of the figures ``cell_rows`` gives the subtree's cells, without a row per cell:
    the counts as summed, each rule judged per cell on the rows of the cells that have some."""
    summed = Counter(facts.counts)
    for meetings in _by_cell(facts.meetings).values():
        summed.update(_meeting_figures(period, meetings, policy, regular_day)[0])
    summed["regular_due"] = period.months * facts.cells  # every cell owes, met or not
    summed["leader_visit_quota"] = sum(
        visit_quota(period, quotas) for quotas in _by_cell(facts.quotas).values()
    )
    summed["tasks_closed_on_time"] = sum(closed_on_time(t) for t in facts.closed_tasks)
    return Figures(**summed)


def ward_totals(rows: list[CellRow], closed_tasks: list[ClosedTask]) -> list[WardTotals]:
    """One totals row per ward, in the order its cells come: the sum of its cells' counts; the
    median over all its cells' closed tasks."""
    wards: dict[UUID, list[CellRow]] = {}
    for row in rows:
        wards.setdefault(row.cell.ward_id, []).append(row)
    ward_of = {row.cell.id: row.cell.ward_id for row in rows}
    done: dict[UUID, list[ClosedTask]] = {}
    for task in closed_tasks:
        if task.cell_id in ward_of:
            done.setdefault(ward_of[task.cell_id], []).append(task)
    return [
        WardTotals(
            ward_id,
            members[0].cell.ward_name,
            len(members),
            summed(r.figures for r in members),
            median_days(done.get(ward_id, ())),
        )
        for ward_id, members in wards.items()
    ]
