"""The five forms of a report period, and what each covers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.errors import RuleViolationError
from domain.reports.period import parse_period


@pytest.mark.parametrize(
    ("text", "start", "months", "end"),
    [
        ("2026-11", date(2026, 11, 1), 1, date(2026, 12, 1)),
        ("2026-12", date(2026, 12, 1), 1, date(2027, 1, 1)),
        ("2026-Q1", date(2026, 1, 1), 3, date(2026, 4, 1)),
        ("2026-Q4", date(2026, 10, 1), 3, date(2027, 1, 1)),
        ("2026-H2", date(2026, 7, 1), 6, date(2027, 1, 1)),
        ("2026-9M", date(2026, 1, 1), 9, date(2026, 10, 1)),
        ("2026", date(2026, 1, 1), 12, date(2027, 1, 1)),
    ],
)
def test_periods(text: str, start: date, months: int, end: date) -> None:
    period = parse_period(text)
    assert (period.label, period.start, period.months, period.end) == (text, start, months, end)
    assert len(period.month_starts()) == months


def test_a_period_runs_from_midnight_in_ha_noi() -> None:
    period = parse_period("2026-11")
    assert period.since == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert period.until == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert (period.last_month, period.quarter_start) == (date(2026, 11, 1), date(2026, 10, 1))


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-Q0", "2026-H3", "2026-6M", "1999", "2101", "26", "x", ""]
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(RuleViolationError) as refused:
        parse_period(text)
    assert refused.value.code == "report_period_invalid"
