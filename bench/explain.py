"""The plans of the SQL the app sends for each hot endpoint: ``python -m bench.explain
[--engine sqlite|postgres] [--scale 10|1]``.

For each engine: a fresh database with bench/seed.py's data set (10× by default), the app
(chibo/bootstrap.py) in this process behind httpx's ASGI transport, and each hot endpoint called
once to warm up, then once more while every statement the app sends is captured at the driver:

- SQLite: every connection gets a trace callback (``sqlite3.connect`` is wrapped before the app
  opens its connections), which sees each statement with its parameters bound; each is then
  planned with ``EXPLAIN QUERY PLAN`` on a connection of our own, and a ``SELECT`` timed (median
  of 5);
- PostgreSQL: asyncpg's ``Connection.fetch/fetchrow/fetchval/execute`` are wrapped to keep the
  query text and its arguments; each is then run under ``EXPLAIN (ANALYZE, BUFFERS)`` on a
  connection of our own, inside a transaction rolled back afterwards (writes too).

Flagged: a sequential scan of a table (SQLite: ``SCAN <table>`` without an index), a sort of
more rows than a page (PostgreSQL: a Sort whose input had more than ``SORT_FLAG_ROWS`` rows;
SQLite: a temp b-tree for ORDER BY, whose input size it does not say) and, on SQLite, a walk of
a whole index in its order that stops only when the page is full (``SCAN t USING INDEX i``: how
far it walks depends on how many rows the filter drops). Numbers only.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from bench.machine import POSTGRES_URL, migrated, postgres_database
from bench.run import ENDPOINTS, RECORD_PREFIX, meeting_versions, record_body
from bench.seed import SHAPES, BenchWorld, load

EXPLAIN_DB = "chibo_bench_explain"
SORT_FLAG_ROWS = 50  # a page is 20 (+1) rows
SEQ_SCAN_FLAG_ROWS = 500  # smaller tables are read whole by design (units at 1×: 55 rows)
PG_REMOVED = re.compile(r"Rows Removed by Filter: (\d+)")
# transaction control, settings and asyncpg's connection reset: nothing to plan
SKIPPED = re.compile(
    r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|SET|RESET|CLOSE|UNLISTEN)\b"
    r"|pg_advisory_unlock_all",
    re.IGNORECASE,
)
PG_SORT = re.compile(r"^\s*(?:->\s+)?(?:Incremental )?Sort \(")
SQLITE_SCAN = re.compile(r"\bSCAN (\S+)$")  # no index: every row of the table
SQLITE_WALK = re.compile(r"\bSCAN (\S+) USING (?:COVERING )?INDEX (\S+)")  # in index order
PG_ROWS = re.compile(r"actual time=[\d.]+\.\.[\d.]+ rows=(\d+)")


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    args: tuple[Any, ...] = ()


class Capture:
    """The statements the app sends while ``on``."""

    def __init__(self) -> None:
        self.on = False
        self.statements: list[Statement] = []

    def add(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        if self.on and not SKIPPED.search(sql):
            self.statements.append(Statement(sql, args))

    @contextmanager
    def recording(self) -> Iterator[list[Statement]]:
        self.statements = []
        self.on = True
        try:
            yield self.statements
        finally:
            self.on = False


CAPTURE = Capture()


def _trace_sqlite() -> None:
    """Every sqlite3 connection opened from now on reports its statements, parameters bound."""
    connect = sqlite3.connect

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:  # noqa: ANN401
        connection: sqlite3.Connection = connect(*args, **kwargs)
        connection.set_trace_callback(CAPTURE.add)
        return connection

    sqlite3.connect = traced  # type: ignore[assignment]


def _trace_asyncpg() -> None:
    """asyncpg's query methods report their query and arguments."""
    cls = asyncpg.connection.Connection
    for name in ("fetch", "fetchrow", "fetchval", "execute"):
        original = getattr(cls, name)

        def wrapped(
            self: Any,  # noqa: ANN401
            query: str,
            *args: Any,  # noqa: ANN401
            _original: Callable[..., Any] = original,
            **kwargs: Any,  # noqa: ANN401
        ) -> Any:  # noqa: ANN401
            CAPTURE.add(query, args)
            return _original(self, query, *args, **kwargs)

        setattr(cls, name, wrapped)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], action="append")
    parser.add_argument("--scale", type=int, choices=sorted(SHAPES), default=10)
    args = parser.parse_args(argv)
    engines = args.engine or ["sqlite", "postgres"]
    logging.disable(logging.INFO)
    _trace_sqlite()
    _trace_asyncpg()
    if "sqlite" in engines:
        with tempfile.TemporaryDirectory(prefix="chibo-explain-") as tmp:
            explain_engine("sqlite", f"sqlite:///{tmp}/explain.sqlite3", args.scale)
    if "postgres" in engines:
        base = os.environ.get("CHIBO_BENCH_POSTGRES_URL", POSTGRES_URL)
        with postgres_database(base, EXPLAIN_DB) as url:
            if url is None:
                print("PostgreSQL not reachable on loopback: skipped")
            else:
                explain_engine("postgres", url, args.scale)
    return 0


def explain_engine(engine: str, url: str, scale: int) -> None:
    os.environ.update(migrated(url))
    started = time.perf_counter()
    world = asyncio.run(load(url, scale))
    print(
        f"\n# {engine}, data set {scale}×: {world.people:,} people, "
        f"{world.rows['meeting']:,} meetings, {world.rows['attendance']:,} attendance rows, "
        f"{world.rows['task']:,} tasks (seeded in {time.perf_counter() - started:.1f} s)"
    )
    captured = asyncio.run(_capture(world, url))
    for name, statements in captured.items():
        print(f"\n## {engine}: {name} — {len(statements)} statement(s)\n")
        for k, statement in enumerate(statements, 1):
            try:
                plan, flags, ms = (
                    _sqlite_plan(url, statement)
                    if engine == "sqlite"
                    else asyncio.run(_postgres_plan(url, statement))
                )
            except (sqlite3.Error, asyncpg.PostgresError) as error:
                print(f"{k}. `{_short(statement.sql)}` — not planned: {error}")
                continue
            timing = f", {ms:.2f} ms" if ms is not None else ""
            verdict = "; ".join(flags) if flags else "no seq scan, no sort over a scope"
            print(f"{k}. `{_short(statement.sql)}`{timing} — {verdict}")
            print("   " + "\n   ".join(plan))


async def _capture(world: BenchWorld, url: str) -> dict[str, list[Statement]]:
    """Each hot endpoint called twice through the app; the statements of the second call."""
    from chibo.bootstrap import build_app  # noqa: PLC0415 - after the environment is set
    from chibo.settings import Settings  # noqa: PLC0415

    app = build_app(Settings.from_env())
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    cell = world.cells[0]
    found: dict[str, list[Statement]] = {}
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        tokens = {}
        for caller, phone in (("leader", world.leader_phone), ("secretary", cell.secretary_phone)):
            login = {"phone": phone, "password": world.password}
            tokens[caller] = (await c.post("/api/v1/auth/login", json=login)).json()["accessToken"]
        for endpoint in ENDPOINTS:
            path = endpoint.path.format(ward=world.ward_id, cell=cell.cell_id)
            headers = {"Authorization": f"Bearer {tokens[endpoint.caller]}"}
            for warm in (True, False):
                with CAPTURE.recording() as statements:
                    reply = await c.get(path, headers=headers)
                reply.raise_for_status()
                if not warm:
                    found[f"`GET {endpoint.path}`"] = statements
        body = record_body(cell)
        headers = {
            "Authorization": f"Bearer {tokens['secretary']}",
            "Content-Type": "application/json",
        }
        for k, warm in enumerate((True, False)):
            meeting = str(cell.meetings[k])
            version = (await _versions(url))[meeting]
            with CAPTURE.recording() as statements:
                reply = await c.put(
                    f"{RECORD_PREFIX}{meeting}/record",
                    content=body,
                    headers={**headers, "If-Match": f'"{version}"'},
                )
            reply.raise_for_status()
            if not warm:
                found[f"`PUT {RECORD_PREFIX}<id>/record`"] = statements
    return found


async def _versions(url: str) -> dict[str, int]:
    if url.startswith("sqlite"):
        return meeting_versions(url)
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch('SELECT "id", "version" FROM "meeting"')
    finally:
        await connection.close()
    return {str(r["id"]): r["version"] for r in rows}


def _sqlite_plan(url: str, statement: Statement) -> tuple[list[str], list[str], float | None]:
    path = url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as connection:
        rows = connection.execute(f"EXPLAIN QUERY PLAN {statement.sql}").fetchall()
        plan = [f"{'  ' * _depth(rows, r)}{r[3]}" for r in rows]
        flags = [f"full scan: {m.group(1)}" for r in rows if (m := SQLITE_SCAN.search(r[3]))]
        flags = [f for f in flags if not _is_cte(f, statement.sql)]
        flags += [
            f"walks {m.group(1)} in {m.group(2)} order (until the page is full)"
            for r in rows
            if (m := SQLITE_WALK.search(r[3]))
        ]
        flags += [
            f"sort in a temp b-tree ({r[3]})"
            for r in rows
            if "TEMP B-TREE FOR" in r[3] and "GROUP BY" not in r[3]
        ]
        ms = None
        if statement.sql.lstrip().upper().startswith(("SELECT", "WITH")):
            times = []
            for _ in range(5):
                started = time.perf_counter()
                connection.execute(statement.sql).fetchall()
                times.append(1000 * (time.perf_counter() - started))
            ms = statistics.median(times)
    return plan, flags, ms


def _depth(rows: list[tuple[Any, ...]], row: tuple[Any, ...]) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth, parent = depth + 1, parents[parent]
    return depth


def _is_cte(flag: str, sql: str) -> bool:
    name = flag.removeprefix("full scan: ")
    return re.search(rf"\b{re.escape(name)}\s+AS\s*\(", sql, re.IGNORECASE) is not None


async def _postgres_plan(
    url: str, statement: Statement
) -> tuple[list[str], list[str], float | None]:
    connection = await asyncpg.connect(url)
    try:
        transaction = connection.transaction()
        await transaction.start()
        try:
            # an INSERT would meet the row the app just wrote with the same key: planned only
            analyze = "" if statement.sql.lstrip().upper().startswith("INSERT") else "ANALYZE, "
            rows = await connection.fetch(
                f"EXPLAIN ({analyze}COSTS OFF) {statement.sql}", *statement.args
            )
        finally:
            await transaction.rollback()
    finally:
        await connection.close()
    plan = [r[0] for r in rows]
    flags = []
    for k, line in enumerate(plan):
        if "Seq Scan on" in line:
            table = line.split("Seq Scan on", 1)[1].split()[0]
            read = _rows_read(plan, k)
            if read > SEQ_SCAN_FLAG_ROWS:
                flags.append(f"seq scan of {table} ({read:,} rows read)")
        if PG_SORT.match(line):
            child = next((p for p in plan[k + 1 :] if p.lstrip().startswith("->")), "")
            found = PG_ROWS.search(child)
            if found and int(found.group(1)) > SORT_FLAG_ROWS:
                flags.append(f"sort of {found.group(1)} rows")
    total = next((line for line in plan if line.startswith("Execution Time")), "")
    ms = float(total.split(":")[1].split()[0]) if total else None
    return plan, flags, ms


def _rows_read(plan: list[str], k: int) -> int:
    """Rows a scan node read: what it returned, and what its filter removed, per loop."""
    returned = PG_ROWS.search(plan[k])
    loops = re.search(r"loops=(\d+)", plan[k])
    read = int(returned.group(1)) if returned else 0
    for line in plan[k + 1 :]:
        if line.lstrip().startswith("->"):
            break
        if removed := PG_REMOVED.search(line):
            read += int(removed.group(1))
    return read * (int(loops.group(1)) if loops else 1)


def _short(sql: str) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= 160 else text[:157] + "…"


if __name__ == "__main__":
    sys.exit(main())
