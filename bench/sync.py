"""Offline sync's costs: ``python -m bench.sync [--engine postgres] [--requests 50]``.

In one process, no HTTP server: a fresh database with bench/seed.py's data set, the app driven
through httpx's ASGI transport. Prints, numbers only:

- the meeting record (``PUT /meetings/{id}/record``: the meeting and 30 attendance rows) with
  the change-log triggers on and off, alternating rounds in the same run;
- a cell secretary's first sync (requests, bytes, gzipped bytes, time) and the ward leader's;
- an empty pull (nothing changed since the cursor) for both: bytes and time; then the same
  once the ward's log holds 10,000 objects (before the cursors) and 100,000 changes of other
  units came after them: an empty pull reads none of those rows, so its time should not move.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import importlib
import logging
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import msgspec
from piccolo.engine import engine_finder

from bench.machine import POSTGRES_URL, postgres_database
from bench.seed import BenchCell, BenchWorld, load

MIGRATION = importlib.import_module("db.piccolo_migrations.chibo_2026_12_07t00_00_04_000000_sync")
PEOPLE = importlib.import_module(
    "db.piccolo_migrations.chibo_2026_12_07t16_00_00_000000_sync_people"
)
ROUNDS = 4


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=50, help="meeting records per round")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)
    if args.engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="chibo-sync-") as tmp:
            asyncio.run(run(f"sqlite:///{tmp}/sync.sqlite3", "sqlite", args.requests))
        return 0
    base = os.environ.get("CHIBO_BENCH_POSTGRES_URL", POSTGRES_URL)
    with postgres_database(base, "chibo_bench_sync") as url:
        if url is None:
            print("PostgreSQL not reachable on loopback")
            return 2
        asyncio.run(run(url, "postgres", args.requests))
    return 0


async def run(url: str, engine: str, requests: int) -> None:
    os.environ.update(
        CHIBO_DATABASE_URL=url,
        CHIBO_SECRET_KEY=secrets.token_urlsafe(48),
        CHIBO_EMBEDDED_WORKER="0",  # no schedules competing with the measured requests
        PICCOLO_CONF="db.piccolo_conf",
    )
    from chibo.bootstrap import build_app  # noqa: PLC0415 - after the environment is set
    from chibo.settings import Settings  # noqa: PLC0415
    from db.engine import Database  # noqa: PLC0415
    from db.migrate import migrate  # noqa: PLC0415

    database = Database(url)
    await database.open()
    await migrate(database)
    await database.close()
    world = await load(url)
    if engine == "postgres":
        await log_the_seed()
    app = build_app(Settings.from_env())
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        await record_writes(c, engine, world, requests)
        await pulls(c, engine, world)


async def log_the_seed() -> None:
    """bench/seed.py copies PostgreSQL's rows with the triggers off (``session_replication_role
    = replica``): write their change rows as the triggers would have."""
    db = engine_finder()
    assert db is not None
    for table, (entity, object_id, audience) in {**MIGRATION.TRACKED, **PEOPLE.ADDRESSED}.items():
        await db.run_ddl(
            f"SELECT count(sync_touch('{entity}', {object_id}, {audience}))"  # noqa: S608 - the migrations' constants
            f" FROM {table} R WHERE {audience} IS NOT NULL"
        )
    await db.run_ddl("ANALYZE")


async def login(client: httpx.AsyncClient, phone: str, password: str) -> dict[str, str]:
    reply = await client.post("/api/v1/auth/login", json={"phone": phone, "password": password})
    return {"Authorization": f"Bearer {reply.json()['accessToken']}"}


def record_body(cell: BenchCell) -> bytes:
    start = (datetime.now(UTC) - timedelta(days=2)).replace(hour=12, minute=30, microsecond=0)
    marks: list[dict[str, Any]] = [{"personId": str(p), "status": "present"} for p in cell.members]
    for i in range(7, len(marks), 10):
        marks[i] |= {"status": "excused", "reason": "Ốm, có giấy xin phép gửi chi ủy"}
    present = sum(1 for m in marks if m["status"] == "present")
    return msgspec.json.encode(
        {
            "actualStart": start.isoformat(),
            "actualEnd": (start + timedelta(minutes=120)).isoformat(),
            "chairId": str(cell.members[0]),
            "minuteTakerId": str(cell.members[1]),
            "minutesText": "Chi bộ thảo luận và thống nhất các nội dung. " * 20,
            "resolutions": [{"text": "Thông qua kế hoạch quý IV.", "votesFor": present}],
            "attendance": marks,
        }
    )


async def set_tracking(engine: str, *, on: bool) -> None:
    """The change-log triggers of the tracked tables on or off (the epoch trigger stays)."""
    db = engine_finder()
    assert db is not None
    for table, spec in MIGRATION.TRACKED.items():
        if engine == "postgres":
            state = "ENABLE" if on else "DISABLE"
            await db.run_ddl(f"ALTER TABLE {table} {state} TRIGGER sync_{table}")
        elif on:
            for statement in MIGRATION._sqlite_triggers(table, *spec):  # noqa: SLF001
                await db.run_ddl(statement)
        else:
            for suffix in ("insert", "update", "moved", "delete"):
                await db.run_ddl(f"DROP TRIGGER sync_{table}_{suffix}")


async def record_writes(
    client: httpx.AsyncClient, engine: str, world: BenchWorld, requests: int
) -> None:
    cell = world.cells[0]
    headers = await login(client, cell.secretary_phone, world.password)
    headers["Content-Type"] = "application/json"
    body = record_body(cell)
    versions = dict.fromkeys(cell.meetings, 1)
    timings: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    n, tracking = 0, True  # the migration leaves the triggers on
    for round_ in range(ROUNDS):
        for tracked in (True, False) if round_ % 2 == 0 else (False, True):
            if tracked != tracking:
                await set_tracking(engine, on=tracked)
                tracking = tracked
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(requests):
                meeting = cell.meetings[n % len(cell.meetings)]
                n += 1
                reply = await client.put(
                    f"/api/v1/meetings/{meeting}/record",
                    content=body,
                    headers={**headers, "If-Match": f'"{versions[meeting]}"'},
                )
                if reply.status_code != 200:
                    raise RuntimeError(reply.text)
                versions[meeting] = int(reply.headers["etag"].strip('"'))
            timings[tracked].append(
                (
                    1000 * (time.process_time() - cpu) / requests,
                    1000 * (time.perf_counter() - wall) / requests,
                )
            )
    if not tracking:
        await set_tracking(engine, on=True)
    medians = {
        t: (statistics.median(c for c, _ in rows), statistics.median(w for _, w in rows))
        for t, rows in timings.items()
    }
    for tracked, (cpu_ms, wall_ms) in medians.items():
        label = "with change log" if tracked else "without       "
        print(f"{engine} meeting record {label}: {cpu_ms:.2f} ms CPU, {wall_ms:.2f} ms wall")
    overhead = 100 * (medians[True][1] / medians[False][1] - 1)
    print(f"{engine} meeting record: change log adds {overhead:+.1f} % wall (median of rounds)")


async def pulls(client: httpx.AsyncClient, engine: str, world: BenchWorld) -> None:
    callers = {
        "cell secretary": await login(client, world.cells[0].secretary_phone, world.password),
        "ward leader": await login(client, world.leader_phone, world.password),
    }
    cursors: dict[str, str] = {}
    for who, headers in callers.items():
        cursor, requests, raw, zipped, objects = None, 0, 0, 0, 0
        started = time.perf_counter()
        while True:
            params = {"limit": 2000} | ({"cursor": cursor} if cursor else {})
            reply = await client.get("/api/v1/sync/pull", params=params, headers=headers)
            requests += 1
            raw += len(reply.content)
            zipped += len(gzip.compress(reply.content))
            page = reply.json()
            objects += sum(len(c["upserted"]) for c in page["changes"].values())
            cursor = page["cursor"]
            if not page["hasMore"]:
                break
        ms = 1000 * (time.perf_counter() - started)
        print(
            f"{engine} {who} first sync: {objects} objects, {requests} requests, "
            f"{raw / 1024:.0f} KB, {zipped / 1024:.0f} KB gzipped, {ms:.0f} ms"
        )
        cursors[who] = cursor
        await empty_pull(client, engine, f"{who} empty pull", headers, cursor)
    await crowd_the_log(engine, world)
    for who, headers in callers.items():
        label = f"{who} empty pull, 10,000 in the ward and 100,000 changes elsewhere"
        await empty_pull(client, engine, label, headers, cursors[who])


async def empty_pull(
    client: httpx.AsyncClient, engine: str, label: str, headers: dict[str, str], cursor: str
) -> None:
    """The median of 20 pulls with a caught-up cursor: bytes and time."""
    timings, empty = [], None
    for _ in range(20):
        started = time.perf_counter()
        empty = await client.get("/api/v1/sync/pull", params={"cursor": cursor}, headers=headers)
        timings.append(1000 * (time.perf_counter() - started))
        if empty.json()["changes"]:
            raise RuntimeError(empty.text)
    assert empty is not None
    print(
        f"{engine} {label}: {len(empty.content)} B, "
        f"{len(gzip.compress(empty.content))} B gzipped, {statistics.median(timings):.1f} ms"
    )


async def crowd_the_log(engine: str, world: BenchWorld) -> None:
    """10,000 change rows in the ward's cells placed before every cursor (already synced), and
    100,000 of a unit outside the callers' scopes after them, as others' writes would leave."""
    db = engine_finder()
    assert db is not None
    if engine == "sqlite":
        ident = "printf('%08x-0000-4000-8000-%012x', i, {part})"
        before, after = "0, -(i + {offset})", "0, (SELECT MAX(pos) FROM sync_change) + i"
    else:
        ident = "gen_random_uuid()"
        before = "1, -(i + {offset})"  # a transaction id below every real one
        after = "pg_current_xact_id()::text::bigint, nextval('sync_pos')"

    async def rows(count: int, entity: str, unit: UUID, position: str, part: int = 0) -> None:
        await db.run_ddl(
            "INSERT INTO sync_change (entity, entity_id, unit_id, tx, pos)"  # noqa: S608 - the bench's own constants
            f" WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})"
            f" SELECT '{entity}', {ident.format(part=part)}, '{unit}', {position} FROM n"
        )

    per_cell = 10_000 // len(world.cells)
    for k, cell in enumerate(world.cells):
        await rows(per_cell, "meeting", cell.cell_id, before.format(offset=k * per_cell))
    elsewhere = uuid4()
    for part in range(10):  # in parts: each statement stays under the pool's command timeout
        await rows(10_000, "task", elsewhere, after, part)
    await db.run_ddl("ANALYZE")


if __name__ == "__main__":
    sys.exit(main())
