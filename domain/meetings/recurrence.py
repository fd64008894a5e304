"""When a cell's regular meeting falls: "the 4th of each month at 19:30", "first Sunday at 08:00".

Rules are in local time (Asia/Ho_Chi_Minh); a day past the end of a short month falls on its last
day (the 31st in February is the 28th or 29th), "last" weekday (nth = -1) is supported.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from domain.clock import LOCAL_TZ
from domain.errors import RuleViolationError

MAX_NTH = 5


class RuleKind(StrEnum):
    DAY_OF_MONTH = "day_of_month"
    NTH_WEEKDAY = "nth_weekday"


@dataclass(frozen=True, slots=True)
class MeetingRule:
    kind: RuleKind
    at: time
    duration_minutes: int
    day: int | None = None  # DAY_OF_MONTH: 1..31
    weekday: int | None = None  # NTH_WEEKDAY: 0 = Monday .. 6 = Sunday
    nth: int | None = None  # NTH_WEEKDAY: 1..5 or -1 for the last one

    def check(self) -> None:
        if self.kind is RuleKind.DAY_OF_MONTH:
            if self.day is None or not 1 <= self.day <= 31:  # noqa: PLR2004
                raise RuleViolationError("meeting_rule_invalid", field="day")
        elif (
            self.weekday is None
            or not 0 <= self.weekday <= 6  # noqa: PLR2004
            or self.nth is None
            or self.nth not in {-1, *range(1, MAX_NTH + 1)}
        ):
            raise RuleViolationError("meeting_rule_invalid", field="weekday")
        if not 30 <= self.duration_minutes <= 600:  # noqa: PLR2004
            raise RuleViolationError("meeting_rule_invalid", field="durationMinutes")

    def day_in(self, year: int, month: int) -> date | None:
        """The meeting day of that month, or None (a 5th Sunday that month lacks)."""
        last = calendar.monthrange(year, month)[1]
        if self.kind is RuleKind.DAY_OF_MONTH:
            assert self.day is not None  # noqa: S101 - check() guarantees it
            return date(year, month, min(self.day, last))
        assert self.weekday is not None  # noqa: S101
        assert self.nth is not None  # noqa: S101
        days = [
            date(year, month, d)
            for d in range(1, last + 1)
            if date(year, month, d).weekday() == self.weekday
        ]
        if self.nth == -1:
            return days[-1]
        return days[self.nth - 1] if self.nth <= len(days) else None

    def start_in(self, year: int, month: int) -> datetime | None:
        """Start of that month's meeting as an aware local datetime."""
        day = self.day_in(year, month)
        return datetime.combine(day, self.at, tzinfo=LOCAL_TZ) if day else None


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def months_ahead(today: date, count: int) -> list[tuple[int, int]]:
    """This month and the ``count - 1`` after it, as (year, month)."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)  # noqa: PLR2004
    return months


def planned_occurrences(
    rule: MeetingRule, now: datetime, months: int
) -> list[tuple[str, datetime, datetime]]:
    """(month key, start, end) of the regular meetings to plan, in UTC: this month's if it is
    still ahead, and those of the ``months`` months after it. Nobody plans a meeting in the past.
    """
    local_today = now.astimezone(LOCAL_TZ).date()
    result = []
    for year, month in months_ahead(local_today, months + 1):
        start = rule.start_in(year, month)
        if start is None or start <= now:
            continue
        end = start + timedelta(minutes=rule.duration_minutes)
        utc = now.tzinfo
        result.append((month_key(year, month), start.astimezone(utc), end.astimezone(utc)))
    return result


def month_of(at: datetime) -> str:
    """The local month key of an instant."""
    local = at.astimezone(LOCAL_TZ)
    return month_key(local.year, local.month)


def replanned(rule: MeetingRule, month: str, now: datetime) -> tuple[datetime, datetime] | None:
    """Where the rule puts the regular meeting of ``month`` (UTC), or None when that is no longer
    ahead of ``now`` or the month has no such day (a 5th Sunday)."""
    start = rule.start_in(int(month[:4]), int(month[5:]))
    if start is None or start <= now:
        return None
    end = start + timedelta(minutes=rule.duration_minutes)
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


def local_month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """UTC bounds of a local calendar month, for "a cell's meetings by month"."""
    start = datetime(year, month, 1, tzinfo=LOCAL_TZ)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=LOCAL_TZ)  # noqa: PLR2004
    return start, end


def local_month_range(first: str, last: str) -> tuple[datetime, datetime]:
    """UTC bounds from the start of month ``first`` to the end of month ``last`` ("2026-12")."""
    since, _ = local_month_bounds(int(first[:4]), int(first[5:]))
    _, until = local_month_bounds(int(last[:4]), int(last[5:]))
    return since, until
