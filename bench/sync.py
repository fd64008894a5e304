"""Offline sync's costs: ``python -m bench.sync [--engine postgres] [--requests 50]``.

In one process, no HTTP server: a fresh database with bench/seed.py's data set, the app driven
through httpx's ASGI transport. Prints, numbers only:

- the meeting record (``PUT /meetings/{id}/record``: the meeting and 30 attendance rows) with
  the change-log triggers on and off, alternating rounds in the same run;
- a cell secretary's first sync (requests, bytes, gzipped bytes, time) and the ward leader's;
- an empty pull (nothing changed since the cursor) for both: bytes and time.
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

import httpx
import msgspec
from piccolo.engine import engine_finder

from bench.machine import POSTGRES_URL, postgres_database
from bench.seed import BenchCell, BenchWorld, load

MIGRATION = importlib.import_module("db.piccolo_migrations.chibo_2026_12_07t00_00_04_000000_sync")
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
    app = build_app(Settings.from_env())
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        await record_writes(c, engine, world, requests)
        await pulls(c, engine, world)


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
        started = time.perf_counter()
        empty = await client.get("/api/v1/sync/pull", params={"cursor": cursor}, headers=headers)
        ms = 1000 * (time.perf_counter() - started)
        print(
            f"{engine} {who} empty pull: {len(empty.content)} B, "
            f"{len(gzip.compress(empty.content))} B gzipped, {ms:.1f} ms"
        )


if __name__ == "__main__":
    sys.exit(main())
