"""Vietnamese working days in Asia/Ho_Chi_Minh.

Public holidays (lunar Tết and Hùng Kings' day included) come from the `holidays` library through
the adapter in db/working_days.py; admins add extra days off and make-up working Saturdays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

SATURDAY = 5
MAX_SPAN_DAYS = 3660


class DaySource(StrEnum):
    STATUTORY = "statutory"  # the Labour Code's public holidays and their swapped days
    OVERRIDE = "override"  # entered by an admin
    WEEKEND = "weekend"


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """A day that is not an ordinary Monday-to-Friday working day, and why."""

    day: date
    working: bool
    name: str | None
    source: DaySource


def special_days(
    statutory_off: Mapping[date, str],
    statutory_worked: Mapping[date, str],
    overrides: Iterable[tuple[date, bool, str | None]],
) -> list[CalendarDay]:
    """Statutory days off and swapped working days, an admin's entry for a day winning over
    both; weekends are left out (they are off unless listed as worked)."""
    statutory = DaySource.STATUTORY
    days = {
        d: CalendarDay(d, working=False, name=n, source=statutory) for d, n in statutory_off.items()
    }
    days |= {
        d: CalendarDay(d, working=True, name=n, source=statutory)
        for d, n in statutory_worked.items()
    }
    days |= {
        d: CalendarDay(d, working=w, name=n, source=DaySource.OVERRIDE) for d, w, n in overrides
    }
    return sorted(days.values(), key=lambda c: c.day)


def with_weekends(days: Iterable[CalendarDay], year: int) -> list[CalendarDay]:
    """The year's special days plus every Saturday and Sunday not otherwise listed."""
    listed = {c.day: c for c in days}
    day = date(year, 1, 1)
    while day.year == year:
        if day.weekday() >= SATURDAY and day not in listed:
            listed[day] = CalendarDay(day, working=False, name=None, source=DaySource.WEEKEND)
        day += timedelta(days=1)
    return sorted(listed.values(), key=lambda c: c.day)


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    days_off: frozenset[date]  # public holidays and extra days off
    make_up_days: frozenset[date] = frozenset()  # weekend days worked instead

    @classmethod
    def of(cls, days_off: Iterable[date], make_up_days: Iterable[date] = ()) -> WorkingCalendar:
        return cls(frozenset(days_off), frozenset(make_up_days))

    @classmethod
    def from_days(cls, days: Iterable[CalendarDay]) -> WorkingCalendar:
        days = list(days)
        return cls.of((c.day for c in days if not c.working), (c.day for c in days if c.working))

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
