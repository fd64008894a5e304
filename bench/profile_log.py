"""Where the CPU of one request goes: ``python -m bench.profile_log [--engine postgres]
[--endpoint record|me|people|meetings|tasks]`` (the meeting log by default).

In one process, no HTTP server and no concurrency: a fresh database with bench/seed.py's data
set, the app (chibo/bootstrap.py) and the minimal baseline (bench/minimal.py) driven through
httpx's ASGI transport, N requests through each (a read's replies compared byte for byte).
Prints the CPU per request (the whole process, all threads, so aiosqlite's thread too, and the
client's small share), then the same under cProfile, summed by package, and the costliest
functions; the .prof files are kept for ``python -m pstats``. Numbers only.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import pstats
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from bench.machine import POSTGRES_URL, ROOT, migrated, postgres_database
from bench.run import ENDPOINTS, _postgres_versions, meeting_versions, record_body
from bench.seed import BenchCell, BenchWorld, load

APPS = ("chibo", "minimal")
GROUPS = (
    ("piccolo", "/piccolo/"),
    ("dataclasses.asdict + deepcopy", "/dataclasses.py"),
    ("dataclasses.asdict + deepcopy", "/copy.py"),
    ("litestar", "/litestar/"),
    ("msgspec", "msgspec"),
    ("httpx (the client)", "/httpx/"),
    ("asyncio / aiosqlite / asyncpg", "/asyncio/"),
    ("asyncio / aiosqlite / asyncpg", "/aiosqlite/"),
    ("asyncio / aiosqlite / asyncpg", "/asyncpg/"),
    ("chibo (api, domain, db, bench)", str(ROOT)),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_log", description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--endpoint", choices=["record", *(e.name for e in ENDPOINTS)])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args(argv)
    requests = min(max(args.requests, 10), 5000)
    logging.disable(logging.INFO)
    if args.engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="chibo-profile-") as tmp:
            profile(f"sqlite:///{tmp}/profile.sqlite3", "sqlite", requests, args)
        return 0
    base = os.environ.get("CHIBO_BENCH_POSTGRES_URL", POSTGRES_URL)
    with postgres_database(base, "chibo_bench_profile") as url:
        if url is None:
            print("PostgreSQL not reachable on loopback")
            return 2
        profile(url, "postgres", requests, args)
    return 0


def profile(url: str, engine: str, requests: int, args: argparse.Namespace) -> None:
    os.environ.update(migrated(url))
    world = asyncio.run(load(url))
    asyncio.run(_drive(args.endpoint or "record", url, engine, world, requests, args.out))


async def _drive(
    endpoint: str, url: str, engine: str, world: BenchWorld, requests: int, out: Path
) -> None:
    """``requests`` of ``endpoint`` through each app, as bench.run asks them: a meeting log
    (the secretary's cell's planned meetings in turn, each at its version), or a read."""
    # imported after the environment is set
    from bench.minimal import build as build_minimal  # noqa: PLC0415
    from chibo.bootstrap import build_app  # noqa: PLC0415
    from chibo.settings import Settings  # noqa: PLC0415

    apps = {"chibo": build_app(Settings.from_env()), "minimal": build_minimal()}
    cell = world.cells[0]
    read = next((e for e in ENDPOINTS if e.name == endpoint), None)
    phone = world.leader_phone if read and read.caller == "leader" else cell.secretary_phone
    async with apps["chibo"].lifespan(), apps["minimal"].lifespan():
        clients = {
            name: httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
                base_url="http://t",
            )
            for name, app in apps.items()
        }
        login = {"phone": phone, "password": world.password}
        reply = await clients["chibo"].post("/api/v1/auth/login", json=login)
        headers = {"Authorization": f"Bearer {reply.json()['accessToken']}"}
        if read is None:
            send = _logs(cell, headers)
        else:
            send = _reads(read.path.format(ward=world.ward_id, cell=cell.cell_id), headers)
            bodies = {name: (await send(c, 0, {})).content for name, c in clients.items()}
            if bodies["chibo"] != bodies["minimal"]:
                raise RuntimeError(f"the two apps disagree on {endpoint}: {bodies}")
        for profiled in (False, True):
            for name in APPS:
                versions = await _versions(url) if read is None else {}
                profiler = cProfile.Profile() if profiled else None
                cpu, wall = time.process_time(), time.perf_counter()
                if profiler:
                    profiler.enable()
                for i in range(requests):
                    reply = await send(clients[name], i, versions)
                    if reply.status_code != 200:
                        raise RuntimeError(reply.text)
                if profiler is None:
                    cpu_ms = 1000 * (time.process_time() - cpu) / requests
                    wall_ms = 1000 * (time.perf_counter() - wall) / requests
                    print(f"{engine} {name} {endpoint}: {cpu_ms:.2f} ms CPU, {wall_ms:.2f} ms wall")
                    continue
                profiler.disable()
                where = out / f"chibo-{endpoint}-{engine}-{name}.prof"
                profiler.dump_stats(where)
                report(pstats.Stats(str(where)), f"{engine} {name} {endpoint}", requests)
        for client in clients.values():
            await client.aclose()


Send = Callable[[httpx.AsyncClient, int, dict[str, int]], Awaitable[httpx.Response]]


def _reads(path: str, headers: dict[str, str]) -> Send:
    async def send(client: httpx.AsyncClient, i: int, versions: dict[str, int]) -> httpx.Response:
        del i, versions
        return await client.get(path, headers=headers)

    return send


def _logs(cell: BenchCell, headers: dict[str, str]) -> Send:
    body = record_body(cell)
    sent = {**headers, "Content-Type": "application/json"}

    async def send(client: httpx.AsyncClient, i: int, versions: dict[str, int]) -> httpx.Response:
        meeting = str(cell.meetings[i % len(cell.meetings)])
        version = versions[meeting] + i // len(cell.meetings)
        return await client.put(
            f"/api/v1/meetings/{meeting}/record",
            content=body,
            headers={**sent, "If-Match": f'"{version}"'},
        )

    return send


async def _versions(url: str) -> dict[str, int]:
    if url.startswith("sqlite"):
        return meeting_versions(url)
    return await _postgres_versions(url)


def report(stats: pstats.Stats, title: str, requests: int) -> None:
    """Own time (cProfile's tottime) per request, by package, then the top functions."""
    by_group: Counter[str] = Counter()
    rows = []
    for (file, line, function), (_, calls, own, total, _) in stats.stats.items():  # type: ignore[attr-defined]
        group = next((g for g, part in GROUPS if part in file), "other (builtins, stdlib)")
        if function == "<method 'poll' of 'select.epoll' objects>":
            group = "idle (epoll)"
        by_group[group] += own
        rows.append((own, total, calls, f"{Path(file).name}:{line}({function})"))
    print(f"\n== {title}, under cProfile: own time per request, ms")
    for group, seconds in by_group.most_common():
        print(f"  {1000 * seconds / requests:7.2f}  {group}")
    print("  top functions: own ms/req, cumulative ms/req, calls/req")
    for own, total, calls, where in sorted(rows, reverse=True)[:15]:
        print(
            f"  {1000 * own / requests:7.2f} {1000 * total / requests:7.2f} "
            f"{calls / requests:7.1f}  {where[:110]}"
        )


if __name__ == "__main__":
    sys.exit(main())
