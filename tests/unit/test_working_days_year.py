"""The effective calendar of a year: statutory days, admin entries winning, weekends on request."""

from __future__ import annotations

from datetime import date

from domain.working_days import CalendarDay, DaySource, WorkingCalendar, special_days, with_weekends

TET = {date(2027, 2, 6): "Tết Nguyên Đán", date(2027, 2, 8): "Mùng ba Tết Nguyên Đán"}
SWAPPED = {date(2027, 1, 9): "Làm bù"}


def test_statutory_days_are_listed_with_their_names_in_order() -> None:
    days = special_days(TET, SWAPPED, [])
    assert days == [
        CalendarDay(date(2027, 1, 9), working=True, name="Làm bù", source=DaySource.STATUTORY),
        CalendarDay(
            date(2027, 2, 6), working=False, name="Tết Nguyên Đán", source=DaySource.STATUTORY
        ),
        CalendarDay(
            date(2027, 2, 8),
            working=False,
            name="Mùng ba Tết Nguyên Đán",
            source=DaySource.STATUTORY,
        ),
    ]


def test_an_admin_entry_wins_over_the_statute() -> None:
    days = special_days(
        TET, SWAPPED, [(date(2027, 2, 8), True, "Trực Tết"), (date(2027, 3, 1), False, None)]
    )
    by_day = {d.day: d for d in days}
    assert by_day[date(2027, 2, 8)] == CalendarDay(
        date(2027, 2, 8), working=True, name="Trực Tết", source=DaySource.OVERRIDE
    )
    assert by_day[date(2027, 3, 1)].source is DaySource.OVERRIDE
    assert len(days) == 4


def test_the_list_and_the_deadline_calendar_agree() -> None:
    days = special_days(TET, SWAPPED, [(date(2027, 2, 8), True, None)])
    calendar = WorkingCalendar.from_days(days)
    assert not calendar.is_working_day(date(2027, 2, 6))  # a Saturday, and Tết
    assert calendar.is_working_day(date(2027, 2, 8))  # worked by the admin's entry
    assert calendar.is_working_day(date(2027, 1, 9))  # a make-up Saturday
    assert not calendar.is_working_day(date(2027, 1, 10))  # an ordinary Sunday


def test_weekends_are_added_only_where_nothing_else_is_listed() -> None:
    days = with_weekends(special_days(TET, SWAPPED, []), 2027)
    weekend = [d for d in days if d.source is DaySource.WEEKEND]
    assert len(weekend) == 104 - 2  # 52 weeks of 2027, less Saturday 9 January and 6 February
    assert all(d.day.year == 2027 and d.day.weekday() >= 5 and not d.working for d in weekend)
    assert date(2027, 1, 9) not in {d.day for d in weekend}
    assert [d.day for d in days] == sorted(d.day for d in days)
