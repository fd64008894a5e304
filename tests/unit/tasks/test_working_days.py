from __future__ import annotations

from datetime import date

import holidays
import pytest

from domain.working_days import WorkingCalendar

# The public holidays of the `holidays` library; make-up Saturdays are given explicitly.

VN = WorkingCalendar.of(holidays.country_holidays("VN", years=[2026, 2027]).keys())


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 16),  # Tết 2026: 29 Tháng Chạp to mùng 4
        date(2026, 2, 17),
        date(2026, 2, 20),
        date(2027, 2, 5),  # Tết 2027
        date(2027, 2, 8),
        date(2027, 2, 10),
        date(2026, 4, 27),  # Hùng Kings' day, observed on Monday
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 9, 2),
        date(2027, 9, 3),
    ],
)
def test_public_holidays_are_not_working_days(day: date) -> None:
    assert not VN.is_working_day(day)


def test_weekends_are_off_and_make_up_saturdays_are_worked() -> None:
    assert not VN.is_working_day(date(2026, 12, 5))  # a Saturday
    made_up = WorkingCalendar.of(VN.days_off, [date(2026, 12, 5)])
    assert made_up.is_working_day(date(2026, 12, 5))
    assert made_up.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 5)


def test_extra_day_off_moves_a_deadline() -> None:
    extra = WorkingCalendar.of({*VN.days_off, date(2026, 12, 7)})
    assert VN.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 7)
    assert extra.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 8)


def test_ten_working_days_across_tet_2027() -> None:
    # received Monday 1 February 2027: Tết takes 4-10 February, weekends too
    assert VN.add_working_days(date(2027, 2, 1), 10) == date(2027, 2, 22)


def test_ten_working_days_across_30_april_and_1_may_2026() -> None:
    assert VN.add_working_days(date(2026, 4, 24), 10) == date(2026, 5, 13)


def test_working_days_between_counts_after_start_up_to_end() -> None:
    assert VN.working_days_between(date(2026, 8, 28), date(2026, 9, 4)) == 2  # 31/8, 1-2/9 off
    assert VN.working_days_between(date(2026, 12, 4), date(2026, 12, 4)) == 0
