"""The leader report's rules: the quota owed by the cell report's pro rata, the months looked at
for an unvisited cell, a new assignment not yet judged, visited cells not followed last."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from domain.org.model import QuotaPeriod
from domain.reports.leaders import FollowFact, leader_rows, unvisited_since
from domain.reports.model import QuotaFact
from domain.reports.period import parse_period

DEC_12 = datetime(2026, 12, 12, 3, 0, tzinfo=UTC)


def fact(name: str, *, started: date | None, last: datetime | None, visits: int = 0) -> FollowFact:
    cell = uuid4()
    quotas = (
        (QuotaFact(cell, 1, QuotaPeriod.QUARTER, started, None),) if started is not None else ()
    )
    return FollowFact(cell, name, f"/x/{cell}/", quotas, visits, last)


def test_the_months_looked_at_end_with_the_period_or_the_current_month() -> None:
    assert unvisited_since(parse_period("2026"), DEC_12, 3) == date(2026, 10, 1)
    assert unvisited_since(parse_period("2026-Q2"), DEC_12, 3) == date(2026, 4, 1)
    assert unvisited_since(parse_period("2027"), DEC_12, 1) == date(2026, 12, 1)


def test_quota_unvisited_and_the_order_of_the_rows() -> None:
    year = parse_period("2026")
    since = date(2026, 10, 1)
    rows, totals = leader_rows(
        year,
        [
            fact("C", started=None, last=DEC_12, visits=1),  # visited, not followed
            fact("B", started=date(2026, 1, 1), last=datetime(2026, 9, 30, 18, tzinfo=UTC)),
            fact("A", started=date(2026, 11, 1), last=None),  # too new to judge
        ],
        since,
    )
    assert [(r.cell_name, r.followed, r.quota, r.unvisited) for r in rows] == [
        ("A", True, 0, False),  # a quarterly 1 over November and December: 2/3, rounded down
        ("B", True, 4, False),  # 01:00 on 1 October in Hà Nội: inside the months looked at
        ("C", False, 0, False),
    ]
    assert (totals.cells, totals.visits, totals.quota, totals.unvisited, totals.behind) == (
        3, 1, 4, 0, True,
    )  # fmt: skip
    [late] = leader_rows(
        year, [fact("B", started=date(2026, 1, 1), last=datetime(2026, 9, 30, 16, tzinfo=UTC))],
        since,
    )[0]  # fmt: skip
    assert late.unvisited  # 23:00 on 30 September in Hà Nội
