"""Campaign planning: spread over the period, never double-booked, even load, deterministic."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from itertools import combinations, pairwise
from uuid import UUID, uuid4

import pytest

from domain.clock import LOCAL_TZ
from domain.errors import RuleViolationError
from domain.inspections.model import InspectionKind
from domain.inspections.planning import (
    Interval,
    PlannedVisit,
    overlaps,
    plan_campaign,
    spread_days,
)
from domain.inspections.service import PlanSpec
from domain.working_days import WorkingCalendar

NEW_YEAR = date(2027, 1, 1)  # a Friday and a public holiday
TET = frozenset(date(2027, 2, d) for d in range(5, 11))  # Tết Đinh Mùi, as the calendar has it
CAL = WorkingCalendar.of({NEW_YEAR, *TET})
FIRST = date(2027, 1, 4)  # the first working day of 2027
LAST = date(2027, 3, 31)


def ids(count: int) -> list[UUID]:
    return [uuid4() for _ in range(count)]


def day_window(day: date, days: int = 1) -> Interval:
    start = datetime.combine(day, time(8, 0), tzinfo=LOCAL_TZ)
    return start, start + timedelta(days=days)


def assert_no_double_booking(
    visits: list[PlannedVisit], booked: dict[UUID, list[Interval]] | None = None
) -> None:
    taken: dict[UUID, list[Interval]] = {k: list(v) for k, v in (booked or {}).items()}
    for visit in visits:
        for person in (visit.lead_id, *visit.member_ids):
            if person is None:
                continue
            assert not any(overlaps(visit.window, w) for w in taken.get(person, [])), person
            taken.setdefault(person, []).append(visit.window)


def test_visits_are_spread_over_the_working_days_the_first_on_the_first() -> None:
    targets = ids(6)
    visits = plan_campaign(targets, FIRST, LAST, ids(2), {}, CAL)
    days = [v.window[0].astimezone(LOCAL_TZ).date() for v in visits]
    assert [v.target_id for v in visits] == targets
    assert days[0] == FIRST
    assert days == sorted(days)
    assert len(set(days)) == len(days)
    assert all(FIRST <= d <= LAST for d in days)
    gaps = [CAL.working_days_between(a, b) for a, b in pairwise(days)]
    assert max(gaps) - min(gaps) <= 1  # even intervals: 58 working days / 6 visits
    assert CAL.working_days_between(days[-1], LAST) <= max(gaps)  # reaches the end


def test_visits_start_at_eight_local_time_and_last_the_visit_days() -> None:
    visits = plan_campaign(ids(2), FIRST, LAST, ids(1), {}, CAL, visit_days=3)
    for visit in visits:
        start, end = visit.window
        assert start.astimezone(LOCAL_TZ).time() == time(8, 0)
        assert end - start == timedelta(days=3)


def test_spread_days_for_a_single_target_and_for_more_targets_than_days() -> None:
    assert spread_days(FIRST, LAST, 1, CAL) == [FIRST]
    crowded = spread_days(FIRST, FIRST + timedelta(days=1), 4, CAL)
    assert crowded == [FIRST, FIRST, FIRST + timedelta(days=1), FIRST + timedelta(days=1)]


def test_existing_bookings_are_respected() -> None:
    first, second = ids(2)
    booked = {first: [day_window(FIRST)]}
    visits = plan_campaign(ids(1), FIRST, LAST, [first, second], booked, CAL)
    assert visits[0].lead_id == second
    assert_no_double_booking(visits, booked)


def test_a_booking_that_only_touches_the_window_is_no_clash() -> None:
    inspector = uuid4()
    start, _ = day_window(FIRST)
    booked = {inspector: [(start - timedelta(days=1), start)]}
    visits = plan_campaign(ids(1), FIRST, LAST, [inspector], booked, CAL)
    assert visits[0].lead_id == inspector


def test_no_inspector_is_double_booked_within_the_plan() -> None:
    # 6 visits of 3 days within 4 days: windows overlap heavily.
    inspectors = ids(4)
    visits = plan_campaign(
        ids(6), FIRST, FIRST + timedelta(days=3), inspectors, {}, CAL, visit_days=3, team_size=2
    )
    assert_no_double_booking(visits)
    for a, b in combinations(visits, 2):
        if overlaps(a.window, b.window):
            team_a = {a.lead_id, *a.member_ids} - {None}
            team_b = {b.lead_id, *b.member_ids} - {None}
            assert not team_a & team_b


def test_load_is_even_within_one() -> None:
    inspectors = ids(3)
    visits = plan_campaign(ids(10), FIRST, LAST, inspectors, {}, CAL)
    load = Counter(v.lead_id for v in visits)
    assert set(load) == set(inspectors)
    assert max(load.values()) - min(load.values()) <= 1
    assert sum(load.values()) == 10


def test_load_is_even_with_teams() -> None:
    inspectors = ids(5)
    visits = plan_campaign(ids(8), FIRST, LAST, inspectors, {}, CAL, team_size=2)
    load = Counter(p for v in visits for p in (v.lead_id, *v.member_ids))
    assert all(len(v.member_ids) == 1 for v in visits)
    assert set(load) == set(inspectors)
    assert max(load.values()) - min(load.values()) <= 1


def test_the_plan_is_deterministic() -> None:
    targets, inspectors = ids(7), ids(3)
    booked = {inspectors[1]: [day_window(FIRST + timedelta(days=13))]}
    first = plan_campaign(targets, FIRST, LAST, inspectors, booked, CAL, team_size=2)
    again = plan_campaign(targets, FIRST, LAST, inspectors, booked, CAL, team_size=2)
    assert first == again


def test_ties_go_to_the_inspector_listed_first() -> None:
    inspectors = ids(3)
    visits = plan_campaign(ids(3), FIRST, LAST, inspectors, {}, CAL)
    assert [v.lead_id for v in visits] == inspectors


def test_a_visit_nobody_is_free_for_is_unstaffed() -> None:
    inspector = uuid4()
    busy = {inspector: [day_window(FIRST)]}
    visits = plan_campaign(ids(2), FIRST, LAST, [inspector], busy, CAL)
    assert visits[0].lead_id is None
    assert visits[0].member_ids == ()
    assert not visits[0].staffed
    assert visits[1].staffed
    assert visits[1].lead_id == inspector


def test_a_fully_booked_inspector_leaves_the_whole_plan_unstaffed() -> None:
    inspector = uuid4()
    whole = (day_window(FIRST)[0], day_window(LAST)[1])
    visits = plan_campaign(ids(3), FIRST, LAST, [inspector], {inspector: [whole]}, CAL)
    assert not any(v.staffed for v in visits)


@pytest.mark.parametrize(
    ("targets", "inspectors", "first", "last", "team_size", "code"),
    [
        (0, 2, FIRST, LAST, 1, "plan_without_targets"),
        (2, 0, FIRST, LAST, 1, "plan_without_inspectors"),
        (2, 2, FIRST, LAST, 0, "plan_without_inspectors"),
        (2, 2, LAST, FIRST, 1, "plan_period_invalid"),
    ],
)
def test_bad_plans_are_refused(
    targets: int, inspectors: int, first: date, last: date, team_size: int, code: str
) -> None:
    with pytest.raises(RuleViolationError) as raised:
        plan_campaign(ids(targets), first, last, ids(inspectors), {}, CAL, team_size=team_size)
    assert raised.value.code == code


def test_visits_fall_on_working_days_only() -> None:
    visits = plan_campaign(ids(40), NEW_YEAR, LAST, ids(5), {}, CAL)
    days = [v.window[0].astimezone(LOCAL_TZ).date() for v in visits]
    assert days[0] == FIRST  # not on New Year's day, not on the weekend after it
    assert all(CAL.is_working_day(d) for d in days)
    assert not set(days) & TET
    assert not [d for d in days if d.weekday() >= 5]  # Saturday, Sunday


def test_a_period_without_a_working_day_is_refused() -> None:
    with pytest.raises(RuleViolationError) as raised:
        plan_campaign(ids(1), NEW_YEAR, date(2027, 1, 3), ids(1), {}, CAL)
    assert raised.value.code == "plan_without_working_days"


def test_a_made_up_working_saturday_can_take_a_visit() -> None:
    saturday = date(2027, 1, 9)
    calendar = WorkingCalendar.of({NEW_YEAR}, {saturday})
    assert spread_days(saturday, date(2027, 1, 10), 1, calendar) == [saturday]


def test_a_period_over_two_years_is_refused() -> None:
    with pytest.raises(RuleViolationError) as raised:
        spread_days(FIRST, FIRST + timedelta(days=731), 1, CAL)
    assert raised.value.code == "plan_period_invalid"


def test_a_one_day_period_is_valid() -> None:
    visits = plan_campaign(ids(1), FIRST, FIRST, ids(1), {}, CAL)
    assert visits[0].window[0].astimezone(LOCAL_TZ).date() == FIRST


def test_a_plan_is_identified_by_what_it_plans() -> None:
    spec = PlanSpec(
        unit_id=uuid4(),
        first=FIRST,
        last=LAST,
        topic="Kiểm tra quý I",
        kind=InspectionKind.PERIODIC,
        template_id=uuid4(),
        inspector_ids=tuple(ids(2)),
    )
    assert replace(spec).identity == spec.identity
    for change in ({"topic": "Kiểm tra quý II"}, {"last": LAST - timedelta(days=1)}):
        assert replace(spec, **change).identity != spec.identity
