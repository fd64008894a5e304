"""Vietnamese working days in Asia/Ho_Chi_Minh.

Public holidays (lunar Tết and Hùng Kings' day included) come from the `holidays` library through
the adapter in db/working_days.py; admins add extra days off and make-up working Saturdays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

SATURDAY = 5
MAX_SPAN_DAYS = 3660


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    days_off: frozenset[date]  # public holidays and extra days off
    make_up_days: frozenset[date] = frozenset()  # weekend days worked instead

    @classmethod
    def of(cls, days_off: Iterable[date], make_up_days: Iterable[date] = ()) -> WorkingCalendar:
        return cls(frozenset(days_off), frozenset(make_up_days))

    def is_working_day(self, day: date) -> bool:
        if day in self.make_up_days:
            return True
        return day.weekday() < SATURDAY and day not in self.days_off

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself not counted)."""
        day = start
        remaining = count
        for _ in range(MAX_SPAN_DAYS):
            if remaining <= 0:
                return day
            day += timedelta(days=1)
            remaining -= self.is_working_day(day)
        msg = "no working days within ten years"
        raise ValueError(msg)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        return sum(
            self.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
        )
