"""A statement over a period, counted per month of it: the months' bounds as bound values and the
month of a row as their index (the same SQL on both engines, Hà Nội months whatever the engine's
time zone). What the trend of a report uses to read a year once instead of once a month."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime
from typing import Any

from domain.reports.period import Period

MONTH = "trend_month"  # the column of a row's month, 0 for the first


def month_index(moment: str, months: tuple[Period, ...]) -> tuple[str, dict[str, Any]]:
    """The index in ``months`` of the month ``moment`` (a column) falls in; rows before the
    first month or after the last are the statement's to leave out."""
    cases = " ".join(f"WHEN {moment} < :{MONTH}{i} THEN {i - 1}" for i in range(1, len(months)))
    params = {f"{MONTH}{i}": months[i].since for i in range(1, len(months))}
    return (f"CASE {cases} ELSE {len(months) - 1} END" if cases else "0"), params


def by_month(sql: str, moment: str, months: tuple[Period, ...]) -> tuple[str, dict[str, Any]]:
    """``sql``, a statement counting per cell over ``:since``–``:until`` (``SELECT <cell>, <counts>
    … GROUP BY <cell>``, the GROUP BY last), counting per cell and month of ``moment``: the
    month's index in the column ``trend_month``."""
    index, params = month_index(moment, months)
    head, group = sql.rsplit("GROUP BY", 1)
    before, select = head.split("SELECT", 1)
    return f"{before}SELECT {index} AS {MONTH},{select}GROUP BY {MONTH},{group}", params


def summed_by_month(
    sql: str, moment: str, months: tuple[Period, ...], columns: tuple[str, ...]
) -> tuple[str, dict[str, Any]]:
    """``by_month``'s ``columns`` summed over the cells: a row per month that has any."""
    per_cell, params = by_month(sql, moment, months)
    sums = ", ".join(f"SUM({c}) AS {c}" for c in columns)
    return f"SELECT {MONTH}, {sums} FROM ({per_cell}) per_cell GROUP BY {MONTH}", params  # noqa: S608


def month_of(moment: datetime, months: tuple[Period, ...]) -> int:
    """The index in ``months`` of the month ``moment`` falls in (the Python twin of
    ``month_index``)."""
    return max(0, bisect_right([m.since for m in months], moment) - 1)
