"""A leader's attendance quota per period, and whether they are behind it pro rata."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from domain.org.model import QuotaPeriod


@dataclass(frozen=True, slots=True)
class QuotaProgress:
    period_start: date
    period_end: date  # exclusive
    quota: int
    attended: int
    expected_by_now: int
    behind: bool


def period_of(day: date, period: QuotaPeriod) -> tuple[date, date]:
    """[start, end) of the month, quarter or year containing ``day``."""
    if period is QuotaPeriod.YEAR:
        return date(day.year, 1, 1), date(day.year + 1, 1, 1)
    months = 1 if period is QuotaPeriod.MONTH else 3
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + months
    end = date(day.year + (end_month > 12), (end_month - 1) % 12 + 1, 1)  # noqa: PLR2004
    return start, end


def progress(quota: int, period: QuotaPeriod, attended: int, today: date) -> QuotaProgress:
    start, end = period_of(today, period)
    elapsed = (today - start + timedelta(days=1)) / (end - start)
    expected = math.floor(quota * elapsed)
    return QuotaProgress(start, end, quota, attended, expected, attended < expected)
