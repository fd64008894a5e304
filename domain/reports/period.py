"""The periods a report covers, as written in its URL: a month ``2026-11``, a quarter
``2026-Q1``, a half year ``2026-H1``, the first nine months ``2026-9M`` or a year ``2026`` — the
calendar of the Party's periodic reports (monthly, Q1, 6 months, 9 months, the year)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from domain.clock import local_midnight
from domain.errors import RuleViolationError

FIRST_YEAR, LAST_YEAR = 2000, 2100
MONTHS_PER_YEAR = 3 * 4
_PATTERN = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])|H([12])|(9M)))?$")


def add_months(first: date, months: int) -> date:
    """The first day of the month ``months`` after ``first``'s month."""
    index = first.year * MONTHS_PER_YEAR + first.month - 1 + months
    return date(index // MONTHS_PER_YEAR, index % MONTHS_PER_YEAR + 1, 1)


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    start: date  # the first day of its first month
    months: int

    @property
    def end(self) -> date:
        """The first day after the period."""
        return add_months(self.start, self.months)

    @property
    def last_month(self) -> date:
        return add_months(self.start, self.months - 1)

    @property
    def since(self) -> datetime:
        """The period's start in Hà Nội, as UTC."""
        return local_midnight(self.start)

    @property
    def until(self) -> datetime:
        return local_midnight(self.end)

    def month_starts(self) -> tuple[date, ...]:
        return tuple(add_months(self.start, i) for i in range(self.months))

    @property
    def quarter_start(self) -> date:
        """The first day of the quarter the period begins in: a month's report counts the
        thematic meetings of its quarter so far."""
        return date(self.start.year, (self.start.month - 1) // 3 * 3 + 1, 1)


def month_period(first: date) -> Period:
    return Period(f"{first:%Y-%m}", date(first.year, first.month, 1), 1)


def parse_period(text: str) -> Period:
    """``report_period_invalid`` for anything but the five forms, or a year outside 2000-2100."""
    found = _PATTERN.match(text)
    year = int(found.group(1)) if found else 0
    if found is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise RuleViolationError("report_period_invalid", period=text)
    month, quarter, half, nine = found.group(2, 3, 4, 5)
    if month is not None:
        if not 1 <= int(month) <= MONTHS_PER_YEAR:
            raise RuleViolationError("report_period_invalid", period=text)
        return Period(text, date(year, int(month), 1), 1)
    if quarter is not None:
        return Period(text, date(year, 3 * int(quarter) - 2, 1), 3)
    if half is not None:
        return Period(text, date(year, 6 * int(half) - 5, 1), 6)
    if nine is not None:
        return Period(text, date(year, 1, 1), 9)
    return Period(text, date(year, 1, 1), MONTHS_PER_YEAR)
