"""A leader's report for a period: for each cell they follow (and any other cell they visited),
their visits confirmed both ways against the quota owed in the period (the cell report's pro rata
rule, ``visit_quota``), the day of the last visit, and whether the cell has gone unvisited for
the last N calendar months. Pure: the rows come from db/repositories/reports.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from domain.clock import local_day
from domain.reports.model import QuotaFact, visit_quota
from domain.reports.period import Period, add_months

DEFAULT_UNVISITED_MONTHS = 3
MAX_UNVISITED_MONTHS = 24


@dataclass(frozen=True, slots=True)
class FollowFact:
    """A cell of the leader's: their assignments to it that overlap the period (none when they
    only visited it), their confirmed visits in the period and their last one before its end."""

    cell_id: UUID
    cell_name: str
    cell_path: str
    quotas: tuple[QuotaFact, ...]
    visits: int
    last_visit: datetime | None


@dataclass(frozen=True, slots=True)
class LeaderCellRow:
    cell_id: UUID
    cell_name: str
    followed: bool  # an assignment overlaps the period
    visits: int
    quota: int
    last_visited_on: date | None
    unvisited: bool  # followed since before, and no visit in the last N months


@dataclass(frozen=True, slots=True)
class LeaderTotals:
    cells: int
    visits: int
    quota: int
    unvisited: int

    @property
    def behind(self) -> bool:
        return self.visits < self.quota


@dataclass(frozen=True, slots=True)
class LeaderReport:
    leader_id: UUID
    leader_name: str
    unit_name: str  # the leader's home unit
    upper_name: str | None
    period: Period
    as_of: datetime
    unvisited_months: int
    unvisited_since: date  # the first day of the N months looked at
    rows: list[LeaderCellRow]
    totals: LeaderTotals


def unvisited_since(period: Period, now: datetime, months: int) -> date:
    """The first day of the last ``months`` calendar months up to the period's last month (or
    the current month, for a period still running)."""
    last = min(period.last_month, local_day(now).replace(day=1))
    return add_months(last, 1 - months)


def leader_rows(
    period: Period, facts: list[FollowFact], since: date
) -> tuple[list[LeaderCellRow], LeaderTotals]:
    """A row per cell, followed first, then by name; a cell counts as unvisited only when it was
    followed from before the months looked at (a new assignment has had no time yet)."""
    rows = []
    for fact in facts:
        last = local_day(fact.last_visit) if fact.last_visit else None
        followed_before = any(q.started_on <= since for q in fact.quotas)
        rows.append(
            LeaderCellRow(
                cell_id=fact.cell_id,
                cell_name=fact.cell_name,
                followed=bool(fact.quotas),
                visits=fact.visits,
                quota=visit_quota(period, fact.quotas),
                last_visited_on=last,
                unvisited=followed_before and (last is None or last < since),
            )
        )
    rows.sort(key=lambda r: (not r.followed, r.cell_name, str(r.cell_id)))
    totals = LeaderTotals(
        cells=len(rows),
        visits=sum(r.visits for r in rows),
        quota=sum(r.quota for r in rows),
        unvisited=sum(r.unvisited for r in rows),
    )
    return rows, totals
