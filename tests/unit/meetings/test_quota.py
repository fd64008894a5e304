"""A leader's attendance quota per period and whether they are behind it pro rata (no I/O)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.meetings.quota import period_of, progress
from domain.org.model import QuotaPeriod

MONTH, QUARTER, YEAR = QuotaPeriod.MONTH, QuotaPeriod.QUARTER, QuotaPeriod.YEAR


@pytest.mark.parametrize(
    ("day", "period", "expected"),
    [
        (date(2026, 11, 27), MONTH, (date(2026, 11, 1), date(2026, 12, 1))),
        (date(2026, 12, 31), MONTH, (date(2026, 12, 1), date(2027, 1, 1))),
        (date(2028, 2, 29), MONTH, (date(2028, 2, 1), date(2028, 3, 1))),
        (date(2026, 1, 1), QUARTER, (date(2026, 1, 1), date(2026, 4, 1))),
        (date(2026, 6, 30), QUARTER, (date(2026, 4, 1), date(2026, 7, 1))),
        (date(2026, 8, 15), QUARTER, (date(2026, 7, 1), date(2026, 10, 1))),
        (date(2026, 11, 27), QUARTER, (date(2026, 10, 1), date(2027, 1, 1))),
        (date(2026, 11, 27), YEAR, (date(2026, 1, 1), date(2027, 1, 1))),
        (date(2026, 1, 1), YEAR, (date(2026, 1, 1), date(2027, 1, 1))),
    ],
)
def test_period_bounds(day: date, period: QuotaPeriod, expected: tuple[date, date]) -> None:
    assert period_of(day, period) == expected


def test_on_the_first_day_of_the_year_nothing_is_expected_yet() -> None:
    p = progress(4, YEAR, 0, date(2026, 1, 1))
    assert (p.expected_by_now, p.behind) == (0, False)


def test_a_year_quota_pro_rata() -> None:
    # 4 visits a year: one expected once a quarter of the year's days has gone (2 April, as the
    # first quarter has 90 of 365 days), two after mid-year
    assert progress(4, YEAR, 0, date(2026, 4, 1)).expected_by_now == 0
    assert progress(4, YEAR, 0, date(2026, 4, 2)).expected_by_now == 1
    assert progress(4, YEAR, 0, date(2026, 7, 2)).expected_by_now == 2
    assert progress(4, YEAR, 0, date(2026, 12, 31)).expected_by_now == 4


def test_behind_when_fewer_visits_than_expected_by_now() -> None:
    late = progress(4, YEAR, 1, date(2026, 11, 27))
    assert (late.expected_by_now, late.attended, late.behind) == (3, 1, True)
    on_track = progress(4, YEAR, 3, date(2026, 11, 27))
    assert on_track.behind is False
    ahead = progress(4, YEAR, 4, date(2026, 2, 1))
    assert ahead.behind is False


def test_a_month_quota() -> None:
    assert progress(2, MONTH, 0, date(2026, 12, 15)).expected_by_now == 0
    assert progress(2, MONTH, 0, date(2026, 12, 16)).expected_by_now == 1
    last_day = progress(2, MONTH, 1, date(2026, 12, 31))
    assert (last_day.expected_by_now, last_day.behind) == (2, True)
    assert last_day.period_start == date(2026, 12, 1)
    assert last_day.period_end == date(2027, 1, 1)


def test_a_quarter_quota() -> None:
    start = progress(1, QUARTER, 0, date(2026, 10, 1))
    assert (start.period_start, start.period_end, start.behind) == (
        date(2026, 10, 1),
        date(2027, 1, 1),
        False,
    )
    end = progress(1, QUARTER, 0, date(2026, 12, 31))
    assert (end.expected_by_now, end.behind) == (1, True)
    assert progress(1, QUARTER, 1, date(2026, 12, 31)).behind is False


def test_a_zero_quota_is_never_behind() -> None:
    assert progress(0, YEAR, 0, date(2026, 12, 31)).behind is False
