"""The cell report and its 12-month trend against one hand-written SQL statement computing the
same numbers (issue 16 §4): a city on PostgreSQL, a ward on SQLite. The PostgreSQL seed is
bench/seed.py's at scale 5: a city of 30 wards × 40 cells × 30 members (36,000 people), a year of
meetings (a regular and a thematic one a month per cell, 864,000 attendance rows), ten tasks per
cell; the SQLite one its lone ward (``WARD_SCALE``: 40 cells × 30 members). Neither has leader
visits, petitions or inspections: their statements run but count nothing. The PostgreSQL database
is vacuumed after the seed, as autovacuum leaves a table written over a year.

    .venv/bin/python -m bench.report_sql [--repeats N] [--readers N] [--sheets N]

For a month and the year: the report through the app's service (its grouped statements and the
Python rules) and the one statement, the same data, the counts compared cell by cell first; then
each alone (median, p95) and with ``readers`` concurrent readers of the service (p95). The same
for the trend of a few metrics (bench/report_trend.py, which also runs the ward on SQLite),
compared month by month. On the city: how each of the report's statements reads attendance
(EXPLAIN ANALYZE) and what attendance_tally costs a sheet re-marked (``sheets``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID, uuid4

from bench.machine import POSTGRES_URL, migrated, postgres_database, wait_for_quiet
from bench.seed import load
from db.engine import Database, Timeouts
from db.migrate import bind
from db.named_sql import bind as bind_named
from db.pagination import subtree_bounds, subtree_range
from db.repositories.org import PiccoloOrgRepository
from db.repositories.reports import (
    PiccoloReportRepository,
    cell_statement_params,
    cell_statements,
)
from domain.actors import Actor, Grant, Role
from domain.clock import local_day, local_midnight
from domain.compliance.model import CompliancePolicy
from domain.documents.model import DocumentPolicy
from domain.meetings.model import MeetingPolicy
from domain.reminders.model import ReminderPolicy
from domain.reports.model import ABSENCE_WINDOW, REPEAT_ABSENCE_MONTHS, CellReport
from domain.reports.period import add_months, parse_period
from domain.reports.service import ReportService

PERIODS = ("2026-06", "2026")
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


class _Clock:
    def now(self) -> datetime:
        return NOW


# the counts the statement computes, as the report names them
COUNTS = (
    "regular_held", "regular_on_time", "regular_full_length", "thematic_held",
    "attendance_present", "attendance_expected", "unexcused_absences", "repeat_absentees",
    "leader_visits", "tasks", "tasks_open", "tasks_overdue",
    "tasks_escalated", "tasks_closed", "petitions_received", "petitions_answered_on_time",
    "petitions_answered_late", "petitions_overdue",
)  # fmt: skip
STATEMENT = """
WITH cells AS (
  SELECT u.id FROM unit u
  WHERE u.is_cell AND u.active AND {within}
), held AS (
  SELECT g.id, g.cell, g.kind, g.combined_thematic, g.planned_start, g.actual_start,
    g.actual_end
  FROM meeting g JOIN cells c ON c.id = g.cell
  WHERE g.status IN ('held', 'finalized') AND g.planned_start >= :quarter_since
    AND g.planned_start < :until
), meetings AS (
  SELECT cell,
    COUNT(DISTINCT {month})
      FILTER (WHERE kind = 'regular' AND planned_start >= :since) AS regular_held,
    COUNT(*) FILTER (WHERE kind = 'regular' AND planned_start >= :since
      AND {held_month} = {month} AND {held_day} <= :regular_day) AS regular_on_time,
    COUNT(*) FILTER (WHERE kind = 'regular' AND planned_start >= :since
      AND {minutes} >= CASE WHEN combined_thematic THEN CAST(:combined_min AS INTEGER)
        ELSE CAST(:min AS INTEGER) END)
      AS regular_full_length,
    COUNT(*) FILTER (WHERE kind = 'thematic' OR (kind = 'regular' AND combined_thematic))
      AS thematic_held
  FROM held GROUP BY cell
), absent AS (
  SELECT g.cell, a.person, COUNT(DISTINCT {absent_month}) AS months
  FROM meeting g JOIN cells c ON c.id = g.cell JOIN attendance a ON a.meeting = g.id
  WHERE g.status IN ('held', 'finalized') AND a.status = 'unexcused'
    AND g.planned_start >= :window_since AND g.planned_start < :until
  GROUP BY g.cell, a.person
), repeats AS (
  SELECT cell, COUNT(*) AS repeat_absentees FROM absent WHERE months >= :repeat GROUP BY cell
), sheets AS (
  SELECT h.cell, COUNT(*) FILTER (WHERE a.status = 'present') AS attendance_present,
    COUNT(*) FILTER (WHERE a.status IN ('present', 'excused', 'unexcused'))
      AS attendance_expected,
    COUNT(*) FILTER (WHERE a.status = 'unexcused') AS unexcused_absences
  FROM held h JOIN attendance a ON a.meeting = h.id
  WHERE h.planned_start >= :since GROUP BY h.cell
), visits AS (
  SELECT h.cell, COUNT(*) AS leader_visits
  FROM held h JOIN leader_visit v ON v.meeting = h.id
  WHERE h.planned_start >= :since AND v.leader_confirmed_at IS NOT NULL
    AND v.secretary_confirmed_at IS NOT NULL
  GROUP BY h.cell
), tasks AS (
  SELECT t.unit AS cell, COUNT(*) AS tasks,
    COUNT(*) FILTER (WHERE t.status <> 'closed') AS tasks_open,
    COUNT(*) FILTER (WHERE t.status <> 'closed' AND t.due_on < :today) AS tasks_overdue,
    COUNT(*) FILTER (WHERE t.escalation_level > 0) AS tasks_escalated,
    COUNT(*) FILTER (WHERE t.status = 'closed') AS tasks_closed
  FROM task t JOIN cells c ON c.id = t.unit
  WHERE t.created_at >= :since AND t.created_at < :until GROUP BY t.unit
), petitions AS (
  SELECT p.unit AS cell, COUNT(*) AS petitions_received,
    COUNT(*) FILTER (WHERE NOT p.replied_late) AS petitions_answered_on_time,
    COUNT(*) FILTER (WHERE p.replied_late) AS petitions_answered_late,
    COUNT(*) FILTER (WHERE p.reply IS NULL AND p.reply_due_on < :today) AS petitions_overdue
  FROM petition p JOIN cells c ON c.id = p.unit
  WHERE p.received_at >= :since AND p.received_at < :until GROUP BY p.unit
)
SELECT c.id AS cell,
  COALESCE(m.regular_held, 0) AS regular_held,
  COALESCE(m.regular_on_time, 0) AS regular_on_time,
  COALESCE(m.regular_full_length, 0) AS regular_full_length,
  COALESCE(m.thematic_held, 0) AS thematic_held,
  COALESCE(s.attendance_present, 0) AS attendance_present,
  COALESCE(s.attendance_expected, 0) AS attendance_expected,
  COALESCE(s.unexcused_absences, 0) AS unexcused_absences,
  COALESCE(r.repeat_absentees, 0) AS repeat_absentees,
  COALESCE(v.leader_visits, 0) AS leader_visits,
  COALESCE(t.tasks, 0) AS tasks, COALESCE(t.tasks_open, 0) AS tasks_open,
  COALESCE(t.tasks_overdue, 0) AS tasks_overdue,
  COALESCE(t.tasks_escalated, 0) AS tasks_escalated,
  COALESCE(t.tasks_closed, 0) AS tasks_closed,
  COALESCE(p.petitions_received, 0) AS petitions_received,
  COALESCE(p.petitions_answered_on_time, 0) AS petitions_answered_on_time,
  COALESCE(p.petitions_answered_late, 0) AS petitions_answered_late,
  COALESCE(p.petitions_overdue, 0) AS petitions_overdue
FROM cells c LEFT JOIN meetings m ON m.cell = c.id LEFT JOIN sheets s ON s.cell = c.id
  LEFT JOIN repeats r ON r.cell = c.id
  LEFT JOIN visits v ON v.cell = c.id LEFT JOIN tasks t ON t.cell = c.id
  LEFT JOIN petitions p ON p.cell = c.id
"""


def month_of(engine: str, column: str) -> str:
    """The Hà Nội month (``2026-06``) of a timestamp column, in the engine's own SQL."""
    if engine == "postgres":
        return f"to_char({column} AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')"
    return f"strftime('%Y-%m', {column}, '+7 hours')"  # SQLite: UTC text; Hà Nội has no DST


def day_of(engine: str, column: str) -> str:
    """The Hà Nội day of the month (an integer) of a timestamp column."""
    if engine == "postgres":
        return f"EXTRACT(DAY FROM {column} AT TIME ZONE 'Asia/Ho_Chi_Minh')"
    return f"CAST(strftime('%d', {column}, '+7 hours') AS INTEGER)"


def minutes_between(engine: str, start: str, end: str) -> str:
    """The minutes from ``start`` to ``end`` (NULL if either is)."""
    if engine == "postgres":
        return f"EXTRACT(EPOCH FROM {end} - {start}) / 60"
    return f"(unixepoch({end}) - unixepoch({start})) / 60.0"


def statement_sql(engine: str) -> str:
    """STATEMENT in the engine's SQL."""
    held = "COALESCE(actual_start, planned_start)"
    return STATEMENT.format(
        within=within(engine),
        month=month_of(engine, "planned_start"),
        held_month=month_of(engine, held),
        held_day=day_of(engine, held),
        minutes=minutes_between(engine, "actual_start", "actual_end"),
        absent_month=month_of(engine, "g.planned_start"),
    )


def within(engine: str, column: str = "u.path") -> str:
    """``column`` in the subtree bound as ``:lo`` and ``:hi``."""
    return subtree_range(engine, column).format(":lo", ":hi")


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


async def _timed(run: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await run()
    return time.perf_counter() - started


HEADER = (
    "| {what} | {size} | {app} median ms | {app} p95 ms | statement median ms "
    "| statement p95 ms | ratio (median) | p95 with {readers} readers ms |\n"
    "|---|---|---|---|---|---|---|---|"
)


async def measure(
    app: Callable[[], Awaitable[Any]],
    sql: Callable[[], Awaitable[Any]],
    repeats: int,
    readers: int,
) -> str:
    """The table cells of one comparison (already checked to agree): each alone, then the app
    with ``readers`` concurrent readers."""
    wait_for_quiet()
    alone = [await _timed(app) for _ in range(repeats)]
    statement = [await _timed(sql) for _ in range(repeats)]
    crowd: list[float] = []
    for _ in range(max(1, repeats // readers)):
        crowd += await asyncio.gather(*(_timed(app) for _ in range(readers)))
    (am, ap), (sm, sp), (_, cp) = _ms(alone), _ms(statement), _ms(crowd)
    return f"{am:.0f} | {ap:.0f} | {sm:.0f} | {sp:.0f} | {am / sm:.2f} | {cp:.0f}"


@dataclass(frozen=True, slots=True)
class Bench:
    """The database under measure, the report service on it and a caller who sees everything."""

    db: Database
    service: ReportService
    actor: Actor
    unit_id: UUID  # whose subtree is reported: the city, or the ward
    unit_path: str

    async def rows(self, query: Any) -> list[dict[str, Any]]:  # noqa: ANN401 - a QueryString
        rows: list[dict[str, Any]] = await self.db.engine.run_querystring(query)
        return rows


async def opened(url: str, unit_id: UUID | None = None) -> Bench:
    """The database at ``url``, open, and its report service; the unit reported: ``unit_id``,
    else the root."""
    # the concurrent readers of a year queue for the pool on a busy machine: no 503 after 5 s
    db = Database(url, Timeouts(statement_ms=120_000, acquire_ms=120_000))
    await db.open()
    bind(db)
    if db.kind == "postgres":
        await vacuumed(db)
    [root] = await db.engine.run_querystring(
        bind_named("SELECT id, path FROM unit WHERE parent IS NULL", {})
    )
    [unit] = await db.engine.run_querystring(
        bind_named("SELECT id, path FROM unit WHERE id = :id", {"id": unit_id or root["id"]})
    )
    actor = Actor(uuid4(), uuid4(), (Grant(Role.ADMIN, _uuid(root["id"]), root["path"]),))
    service = ReportService(
        PiccoloReportRepository(), PiccoloOrgRepository(), db, _Clock(), MeetingPolicy(),
        CompliancePolicy(), DocumentPolicy(), ReminderPolicy(),
    )  # fmt: skip
    return Bench(db, service, actor, _uuid(unit["id"]), unit["path"])


async def vacuumed(db: Database) -> None:
    """What autovacuum does to a table written over a year: its pages marked all-visible, so an
    index-only scan reads no table page (the seed has just written every row at once)."""
    started = time.perf_counter()
    await db.engine.run_querystring(bind_named("VACUUM (ANALYZE)", {}))
    print(f"vacuumed in {time.perf_counter() - started:.0f} s")


def _uuid(value: Any) -> UUID:  # noqa: ANN401 - text on SQLite
    return value if isinstance(value, UUID) else UUID(str(value))


async def cell_reports(bench: Bench, repeats: int, readers: int) -> None:
    """The month's and the year's report against the statement, as a table."""
    engine = bench.db.kind
    lo, hi = subtree_bounds(bench.unit_path)
    sql = statement_sql(engine)
    meetings, compliance = bench.service.meeting_policy, bench.service.compliance_policy
    print(HEADER.format(what="period", size="cells", app="report", readers=readers))
    for label in PERIODS:
        period = parse_period(label)
        params = {
            "lo": lo, "hi": hi, "since": period.since, "until": period.until,
            "quarter_since": local_midnight(period.quarter_start),
            "today": local_day(NOW),
            "window_since": local_midnight(add_months(period.last_month, 1 - ABSENCE_WINDOW)),
            "repeat": REPEAT_ABSENCE_MONTHS, "regular_day": compliance.regular_day,
            "min": meetings.min_minutes, "combined_min": meetings.combined_min_minutes,
        }  # fmt: skip
        query = bind_named(sql, params)

        async def report(label: str = label) -> CellReport:
            return await bench.service.cells(bench.actor, bench.unit_id, label)

        async def statement(query: Any = query) -> list[dict[str, Any]]:  # noqa: ANN401
            return await bench.rows(query)

        same(await report(), await statement())
        cells = len((await report()).rows)
        print(f"| {label} | {cells:,} | {await measure(report, statement, repeats, readers)} |")


async def city(url: str, repeats: int, readers: int, sheets: int) -> None:
    bench = await opened(url)
    try:
        await cell_reports(bench, repeats, readers)
        await explain(bench.db, bench.unit_path)
        await sheet_writes(bench.db, sheets)
    finally:
        await bench.db.close()


async def explain(db: Database, city_path: str) -> None:
    """Each of the report's statements for a month and the year of the city: its time, every
    table it reads by a sequential scan (attendance and task must not be among them) and how it
    reads attendance."""
    print("\n| period | statement | ms | sequential scans | attendance read by |")
    print("|---|---|---|---|---|")
    for label in PERIODS:
        cells, params = cell_statement_params(
            "postgres", city_path, (city_path,), parse_period(label), NOW
        )
        for name, sql in cell_statements().items():
            query = bind_named(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql.format(cells=cells)}", params)
            [row] = await db.engine.run_querystring(query)
            plan = row["QUERY PLAN"]
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
            nodes = list(_nodes(plan["Plan"]))
            seq = seq_scans(plan["Plan"])
            reads = sorted({_access(n) for n in nodes if n.get("Relation Name") == "attendance"})
            print(
                f"| {label} | {name} | {plan['Execution Time']:.0f} | {', '.join(seq) or '–'} "
                f"| {', '.join(reads) or '–'} |"
            )


def seq_scans(plan: dict[str, Any]) -> list[str]:
    """The tables a PostgreSQL plan (EXPLAIN FORMAT JSON's ``Plan``) reads by a sequential scan."""
    return sorted({n["Relation Name"] for n in _nodes(plan) if n["Node Type"] == "Seq Scan"})


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _access(node: dict[str, Any]) -> str:
    index = node.get("Index Name")
    return f"{node['Node Type']} ({index})" if index else node["Node Type"]


# A mark changed on a written sheet (the record corrected): 30 rows' status. attendance_tally
# holds the status, so PostgreSQL cannot update such a row in place (HOT) while the index exists.
MARKS_CHANGED = """
UPDATE attendance SET status = CASE status WHEN 'present' THEN 'excused' ELSE 'present' END
WHERE meeting = :meeting
"""


async def sheet_writes(db: Database, sheets: int) -> None:
    """What the report's index costs a write: ``sheets`` sheets re-marked one statement each,
    with attendance_tally and without it (dropped), twice in turns, each in a transaction rolled
    back; the time per sheet and the share of rows updated in place (HOT)."""
    rows = await db.engine.run_querystring(
        bind_named("SELECT id FROM meeting ORDER BY id LIMIT :n", {"n": 4 * sheets})
    )
    ids = [r["id"] for r in rows]
    print(
        "\n| attendance_tally | sheets | ms per sheet (median) | p95 ms | rows updated in place |"
    )
    print("|---|---|---|---|---|")
    # in turns, other sheets each time (a sheet re-marked in a rolled-back transaction leaves
    # its dead rows behind)
    for turn, label in enumerate(("with", "without", "with", "without")):
        part = ids[turn * sheets : (turn + 1) * sheets]
        async with db.engine.transaction() as transaction:
            if label == "without":
                await db.engine.run_querystring(bind_named("DROP INDEX attendance_tally", {}))
            times = [await _timed(partial(_remark, db, meeting)) for meeting in part]
            [hot] = await db.engine.run_querystring(
                bind_named(
                    "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
                    " WHERE relname = 'attendance'",
                    {},
                )
            )
            await transaction.rollback()
        median, p95 = _ms(times)
        share = hot["n_tup_hot_upd"] / max(hot["n_tup_upd"], 1)
        print(f"| {label} | {len(part)} | {median:.2f} | {p95:.2f} | {share:.0%} |")


async def _remark(db: Database, meeting: UUID) -> None:
    await db.engine.run_querystring(bind_named(MARKS_CHANGED, {"meeting": meeting}))


def same(report: CellReport, rows: list[dict[str, Any]]) -> None:
    """Every count of every cell equal, or the comparison means nothing."""
    by_cell = {_uuid(r["cell"]): r for r in rows}
    assert len(by_cell) == len(report.rows), (len(by_cell), len(report.rows))
    for row in report.rows:
        mine = by_cell[row.cell.id]
        for name in COUNTS:
            assert getattr(row.figures, name) == int(mine[name]), (row.cell.name, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--sheets", type=int, default=500, help="sheets re-marked per case")
    args = parser.parse_args()
    with postgres_database(POSTGRES_URL, "chibo_bench_reports") as url:
        if url is None:
            print("bench: no PostgreSQL on 127.0.0.1")
            return
        migrated(url)
        started = time.perf_counter()
        world = asyncio.run(load(url, 5))
        print(f"seeded {world.rows} in {time.perf_counter() - started:.0f} s")
        asyncio.run(city(url, args.repeats, args.readers, args.sheets))


if __name__ == "__main__":
    main()
