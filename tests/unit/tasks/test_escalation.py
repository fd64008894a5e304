from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import holidays

from domain.tasks.escalation import EscalationPolicy, due_level, ladder
from domain.tasks.model import Priority
from domain.working_days import WorkingCalendar

VN = WorkingCalendar.of(holidays.country_holidays("VN", years=[2026, 2027]).keys())
POLICY = EscalationPolicy()


def test_ladder_climbs_from_the_unit_to_the_configured_top() -> None:
    cell, ward, city = uuid4(), uuid4(), uuid4()
    assert ladder([cell, ward, city], POLICY) == [cell, ward, city]
    assert ladder([cell, ward, city], EscalationPolicy(top_depth=1)) == [cell, ward]


def test_levels_over_simulated_weeks() -> None:
    due = date(2026, 11, 30)  # a Monday
    levels = {
        priority: [due_level(due, priority, due + timedelta(days=d), VN, POLICY) for d in range(22)]
        for priority in Priority
    }
    # urgent: first rung after 1 working day late, then every 3 working days
    assert levels[Priority.URGENT][:8] == [0, 1, 1, 1, 2, 2, 2, 2]
    # normal: first rung after 3 working days late
    assert levels[Priority.NORMAL][:8] == [0, 0, 0, 1, 1, 1, 1, 1]
    # levels never go down as the weeks pass
    for series in levels.values():
        assert series == sorted(series)


def test_holidays_do_not_count_as_late_days() -> None:
    due = date(2027, 2, 3)  # the day before Tết 2027
    assert due_level(due, Priority.URGENT, date(2027, 2, 10), VN, POLICY) == 0
    assert due_level(due, Priority.URGENT, date(2027, 2, 11), VN, POLICY) == 1
