"""The rules a cell report applies to its records: a regular meeting on time and long enough,
a task closed by its due day, a leader's quota pro rata, the median, a ward's totals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from domain.meetings.model import MeetingKind, MeetingPolicy
from domain.org.model import QuotaPeriod
from domain.reports.model import (
    CellRef,
    CellReportFacts,
    ClosedTask,
    Figures,
    MeetingFact,
    MonthFacts,
    QuotaFact,
    cell_rows,
    closed_on_time,
    full_length,
    median_days,
    on_time,
    subtree_figures,
    visit_quota,
    ward_totals,
)
from domain.reports.period import parse_period

WARD = uuid4()
CELL = CellRef(uuid4(), "Chi bộ số 1", WARD, "Đảng ủy phường Ba Đình")
OTHER = CellRef(uuid4(), "Chi bộ số 2", WARD, "Đảng ủy phường Ba Đình")
NOV_5 = datetime(2026, 11, 5, 12, 30, tzinfo=UTC)  # 19:30 in Hà Nội


def meeting(
    start: datetime, minutes: int, *, planned: datetime | None = None, combined: bool = False
) -> MeetingFact:
    return MeetingFact(
        CELL.id, MeetingKind.REGULAR, combined, planned or start, start,
        start + timedelta(minutes=minutes), None,
    )  # fmt: skip


def test_on_time_is_by_the_day_of_its_own_month() -> None:
    assert on_time(meeting(NOV_5, 90), 20)
    assert on_time(meeting(datetime(2026, 11, 20, 16, 0, tzinfo=UTC), 90), 20)  # 23:00 on the 20th
    assert not on_time(meeting(datetime(2026, 11, 20, 17, 0, tzinfo=UTC), 90), 20)  # the 21st
    moved = meeting(datetime(2026, 12, 2, 12, 0, tzinfo=UTC), 90, planned=NOV_5)
    assert not on_time(moved, 28)


def test_full_length_by_the_policy() -> None:
    policy = MeetingPolicy()
    assert full_length(meeting(NOV_5, 90), policy)
    assert not full_length(meeting(NOV_5, 89), policy)
    assert not full_length(meeting(NOV_5, 90, combined=True), policy)
    assert full_length(meeting(NOV_5, 120, combined=True), policy)


def test_a_task_closed_on_its_due_day_in_ha_noi_is_on_time() -> None:
    made = datetime(2026, 11, 1, tzinfo=UTC)
    late_evening = ClosedTask(
        CELL.id, made, date(2026, 11, 10), datetime(2026, 11, 10, 16, 59, tzinfo=UTC)
    )
    next_morning = ClosedTask(
        CELL.id, made, date(2026, 11, 10), datetime(2026, 11, 10, 17, 0, tzinfo=UTC)
    )
    assert closed_on_time(late_evening)
    assert not closed_on_time(next_morning)
    assert median_days([late_evening, next_morning]) == 9.7
    assert median_days([]) is None


def test_quota_pro_rata_of_the_months_covered() -> None:
    year = QuotaFact(CELL.id, 4, QuotaPeriod.YEAR, date(2026, 1, 1), None)
    quarter = QuotaFact(CELL.id, 1, QuotaPeriod.QUARTER, date(2026, 1, 1), None)
    monthly = QuotaFact(CELL.id, 1, QuotaPeriod.MONTH, date(2026, 7, 15), date(2026, 10, 1))
    assert visit_quota(parse_period("2026"), [year]) == 4
    assert visit_quota(parse_period("2026-H1"), [year]) == 2
    assert visit_quota(parse_period("2026-11"), [year]) == 0
    assert visit_quota(parse_period("2026-9M"), [year, quarter]) == 3 + 3
    assert visit_quota(parse_period("2026"), [monthly]) == 3  # July, August, September


def test_a_ward_totals_its_cells_and_recomputes_the_rate() -> None:
    period = parse_period("2026-11")
    closed = [
        ClosedTask(CELL.id, NOV_5, date(2026, 11, 30), NOV_5 + timedelta(days=2)),
        ClosedTask(OTHER.id, NOV_5, date(2026, 11, 30), NOV_5 + timedelta(days=6)),
    ]
    facts = CellReportFacts(
        cells=[CELL, OTHER],
        meetings=[meeting(NOV_5, 120)],
        counts={
            CELL.id: {"attendance_present": 9, "attendance_expected": 10},
            OTHER.id: {"attendance_present": 1, "attendance_expected": 5},
        },
        closed_tasks=closed,
        quotas=[],
    )
    rows = cell_rows(period, facts, MeetingPolicy(), 20)
    assert [r.figures.attendance_rate for r in rows] == [90.0, 20.0]
    assert (rows[0].regular_held_on, rows[1].regular_held_on) == (date(2026, 11, 5), None)
    assert [r.figures.regular_held for r in rows] == [1, 0]
    [ward] = ward_totals(rows, closed)
    assert ward.figures == rows[0].figures + rows[1].figures
    assert ward.figures.attendance_rate == 66.7  # 10 of 15, not the mean of 90 and 20
    assert (ward.cells, ward.median_days_to_close) == (2, 4.0)
    assert Figures().attendance_rate is None


def test_a_subtrees_month_is_the_sum_of_its_cells_rows() -> None:
    """What a trend point is made of: the cells' figures summed, without a row per cell (a cell
    without records still owes its regular meeting; quotas are rounded down per cell)."""
    period = parse_period("2026-11")
    quarterly = QuotaFact(CELL.id, 1, QuotaPeriod.QUARTER, date(2026, 1, 1), None)
    monthly = QuotaFact(OTHER.id, 2, QuotaPeriod.MONTH, date(2026, 1, 1), None)
    facts = CellReportFacts(
        cells=[CELL, OTHER],
        meetings=[meeting(NOV_5, 120), meeting(NOV_5 + timedelta(days=20), 30)],
        counts={CELL.id: {"attendance_present": 9, "tasks": 2}, OTHER.id: {"tasks": 1}},
        closed_tasks=[ClosedTask(OTHER.id, NOV_5, date(2026, 11, 30), NOV_5)],
        quotas=[quarterly, monthly],
    )
    month = MonthFacts(
        cells=2,
        counts={"attendance_present": 9, "tasks": 3},
        meetings=facts.meetings,
        closed_tasks=facts.closed_tasks,
        quotas=facts.quotas,
    )
    rows = cell_rows(period, facts, MeetingPolicy(), 20)
    summed = subtree_figures(period, month, MeetingPolicy(), 20)
    assert summed == rows[0].figures + rows[1].figures
    assert (summed.regular_due, summed.regular_held, summed.leader_visit_quota) == (2, 1, 2)
