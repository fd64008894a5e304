"""The 12-month trend against one hand-written statement per metric, beside the month's and the
year's cell report (bench/report_sql.py), on the city (PostgreSQL) or a ward (SQLite) (issue 16
§4).

    .venv/bin/python -m bench.report_trend [--engine postgres|sqlite] [--repeats N] [--readers N]

PostgreSQL: a fresh database with bench/seed.py's city (scale 5); SQLite: a file in a temporary
directory with its lone ward (``WARD_SCALE``), the ward reported. For each metric the trend through
``ReportService.trend`` (what ``GET …/trend?metric=…&months=12`` answers) and the statement
producing the same monthly series, compared month by month before anything is timed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from piccolo.querystring import QueryString

from bench.machine import POSTGRES_URL, migrated, postgres_database
from bench.report_sql import (
    HEADER,
    NOW,
    Bench,
    cell_reports,
    measure,
    month_of,
    opened,
    seq_scans,
    within,
)  # fmt: skip
from bench.seed import WARD_SCALE, load
from db.named_sql import bind as bind_named
from db.pagination import subtree_bounds
from db.repositories.monthly import summed_by_month
from db.repositories.reports import cell_statement_params, trend_statements
from domain.clock import local_day
from domain.reports.model import Trend
from domain.reports.period import Period, add_months, month_period

MONTHS = 12
_CELLS = "u.is_cell AND u.active AND {within}"
_HELD = (
    "g.status IN ('held', 'finalized') AND g.planned_start >= :since AND g.planned_start < :until"
)
# per metric: the monthly series of the subtree (months without a row count nothing)
STATEMENTS = {
    "attendance_rate": """
SELECT {month} AS month,
  100.0 * SUM(CASE WHEN a.status = 'present' THEN 1 ELSE 0 END)
    / NULLIF(SUM(CASE WHEN a.status IN ('present', 'excused', 'unexcused') THEN 1 ELSE 0 END), 0)
    AS value
FROM unit u JOIN meeting g ON g.cell = u.id JOIN attendance a ON a.meeting = g.id
WHERE {cells} AND {held}
GROUP BY 1
""",
    # a cell counts once a month however many regular meetings it held
    "regular_held": """
SELECT {month} AS month, COUNT(DISTINCT g.cell) AS value
FROM unit u JOIN meeting g ON g.cell = u.id
WHERE {cells} AND g.kind = 'regular' AND {held}
GROUP BY 1
""",
    "tasks": """
SELECT {month} AS month, COUNT(*) AS value
FROM unit u JOIN task t ON t.unit = u.id
WHERE {cells} AND t.created_at >= :since AND t.created_at < :until
GROUP BY 1
""",
}
MOMENTS = {"attendance_rate": "g.planned_start", "regular_held": "g.planned_start"}


def statement_sql(engine: str, metric: str) -> str:
    moment = MOMENTS.get(metric, "t.created_at")
    return STATEMENTS[metric].format(
        cells=_CELLS.format(within=within(engine)), held=_HELD, month=month_of(engine, moment)
    )


def same_series(trend: Trend, rows: list[dict[str, Any]]) -> None:
    """Month by month the same value (a rate rounded as the report rounds it), or the comparison
    means nothing."""
    by_month = {r["month"]: r["value"] for r in rows}
    for point in trend.points:
        mine = by_month.get(point.period)
        if trend.metric == "attendance_rate":
            expected = None if mine is None else round(float(mine), 1)
        else:
            expected = int(mine or 0)
        assert point.value == expected, (trend.metric, point.period, point.value, expected)


async def trends(bench: Bench, repeats: int, readers: int) -> None:
    engine = bench.db.kind
    lo, hi = subtree_bounds(bench.unit_path)
    months = _months()
    params = {"lo": lo, "hi": hi, "since": months[0].since, "until": months[-1].until}
    print("\n" + HEADER.format(what="metric", size="months", app="trend", readers=readers))
    for metric in STATEMENTS:
        query = bind_named(statement_sql(engine, metric), params)

        async def trend(metric: str = metric) -> Trend:
            return await bench.service.trend(bench.actor, bench.unit_id, metric, MONTHS)

        async def statement(query: Any = query) -> list[dict[str, Any]]:  # noqa: ANN401
            return await bench.rows(query)

        same_series(await trend(), await statement())
        print(f"| {metric} | {MONTHS} | {await measure(trend, statement, repeats, readers)} |")


async def explain(bench: Bench) -> None:
    """Each metric's statement in the app (counted by cell and month, summed by month) and the
    hand-written one: time and the tables read whole (PostgreSQL: sequential scans; SQLite: a
    SCAN without an index)."""
    engine = bench.db.kind
    months = _months()
    span = Period("trend", months[0].start, MONTHS)
    path = bench.unit_path
    cells, params = cell_statement_params(engine, path, (path,), span, NOW)
    lo, hi = subtree_bounds(path)
    mine = {"lo": lo, "hi": hi, "since": span.since, "until": span.until}
    print("\n| metric | statement | ms | tables read whole |\n|---|---|---|---|")
    for metric, first in zip(
        STATEMENTS, ("attendance_present", "regular_held", "tasks"), strict=True
    ):
        sql, moment, columns = trend_statements()[first]
        app, more = summed_by_month(sql, moment, months, columns)
        for name, query in (
            ("app", bind_named(app.format(cells=cells), params | more)),
            ("hand-written", bind_named(statement_sql(engine, metric), mine)),
        ):
            ms, whole = await _plan(bench, engine, query)
            print(f"| {metric} | {name} | {ms} | {', '.join(whole) or '–'} |")


async def _plan(bench: Bench, engine: str, query: Any) -> tuple[str, list[str]]:  # noqa: ANN401
    if engine == "postgres":
        [row] = await bench.rows(
            QueryString(f"EXPLAIN (ANALYZE, FORMAT JSON) {query.template}", *query.args)
        )
        plan = row["QUERY PLAN"]
        plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
        return f"{plan['Execution Time']:.0f}", seq_scans(plan["Plan"])
    started = time.perf_counter()
    await bench.rows(query)
    ms = f"{(time.perf_counter() - started) * 1000:.0f}"
    steps = await bench.rows(QueryString(f"EXPLAIN QUERY PLAN {query.template}", *query.args))
    # a SCAN of a table (not of the app's subquery of counts per cell): read whole, or a whole index
    scans = {s["detail"] for s in steps if s["detail"].startswith("SCAN")}
    return ms, sorted(scans - {"SCAN per_cell"})


def _months() -> tuple[Period, ...]:
    this_month = local_day(NOW).replace(day=1)
    return tuple(month_period(add_months(this_month, back - MONTHS + 1)) for back in range(MONTHS))


async def run(url: str, unit_id: Any, repeats: int, readers: int) -> None:  # noqa: ANN401
    bench = await opened(url, unit_id)
    try:
        await cell_reports(bench, repeats, readers)
        await trends(bench, repeats, readers)
        await explain(bench)
    finally:
        await bench.db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--readers", type=int, default=8)
    args = parser.parse_args()
    if args.engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="chibo-trend-") as directory:
            ward = f"sqlite:///{Path(directory) / 'ward.sqlite3'}"
            migrated(ward)
            _seeded_run(ward, WARD_SCALE, args.repeats, args.readers)
        return
    with postgres_database(POSTGRES_URL, "chibo_bench_trend") as url:
        if url is None:
            print("bench: no PostgreSQL on 127.0.0.1")
            return
        migrated(url)
        _seeded_run(url, 5, args.repeats, args.readers)


def _seeded_run(url: str, scale: int, repeats: int, readers: int) -> None:
    started = time.perf_counter()
    world = asyncio.run(load(url, scale))
    print(f"seeded {world.rows} in {time.perf_counter() - started:.0f} s")
    asyncio.run(run(url, world.ward_id if scale == WARD_SCALE else None, repeats, readers))


if __name__ == "__main__":
    main()
