"""What needs me: the windows of the lists (Hà Nội's day and month, the reminders' leads) and
where each list looks for whom."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from domain.actors import Actor, Grant, Role
from domain.reminders.model import ReminderPolicy
from domain.reports.attention import attention_scopes, attention_window


def test_the_window_is_hanoi_s_day_and_month_and_the_reminders_leads() -> None:
    # 18:00 UTC on 30 November is 1 December in Hà Nội
    window = attention_window(datetime(2026, 11, 30, 18, tzinfo=UTC), ReminderPolicy(), 5)
    assert window.today == date(2026, 12, 1)
    assert window.month_since == datetime(2026, 11, 30, 17, tzinfo=UTC)
    assert window.month_until == datetime(2026, 12, 31, 17, tzinfo=UTC)
    assert window.year_since == datetime(2025, 12, 31, 17, tzinfo=UTC)
    assert (window.tasks_due_by, window.petitions_due_by) == (date(2026, 12, 8), date(2026, 12, 3))
    assert window.flags_since == datetime(2026, 10, 31, 17, tzinfo=UTC)


def test_each_list_looks_where_the_callers_roles_reach() -> None:
    ward, cell, other = "/c/w/", "/c/w/a/", "/c/x/b/"
    actor = Actor(
        uuid4(),
        uuid4(),
        (Grant(Role.LEADER, uuid4(), ward), Grant(Role.SECRETARY, uuid4(), other)),
        cells=(cell,),
    )
    scopes = attention_scopes(actor)
    assert scopes.meetings == (ward, other)
    assert scopes.leaders == (ward,)  # a secretary does not oversee leaders
    assert scopes.tasks == (ward, other)
    assert scopes.flags == (ward, other)
    member = attention_scopes(Actor(uuid4(), uuid4(), (), cells=(cell,)))
    assert (member.meetings, member.leaders, member.tasks, member.flags) == ((), (), (), ())
