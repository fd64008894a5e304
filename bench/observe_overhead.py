"""What the metrics and the request log cost per request: ``python -m bench.observe_overhead``.

In one process, no HTTP server: a fresh SQLite database with the demo seed, the real app driven
through httpx's ASGI transport, N requests of ``GET /health/live`` and ``GET /api/v1/me`` per
variant, the variants alternated (A B C C B A) so drift on the machine evens out. CPU per request
is the process's CPU time (all threads: aiosqlite's too, and the client's share, which is the
same in every variant); the difference to ``bare`` is what the outer layer api/http/edge.py
adds (the request id and the language headers too, which were layers of their own before):

- bare: no edge layer, no log handler
- metrics: the edge layer with its histogram sample per request, request lines below the log level
- metrics+json: and the JSON line per request (api/http/edge.py, chibo/logging_setup.py),
  written to /dev/null

Then the same three around an app that answers at once (no framework, no database): the
middleware's own cost, without the noise of a whole request.

With ``--multiprocess`` prometheus_client writes its samples to files in a temporary folder, as
under ``chibo serve --workers N``. Numbers only.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

VARIANTS = ("bare", "metrics", "metrics+json")
# what a phone sends, as raw ASGI headers (for the middleware alone)
HEADERS = (
    (b"host", b"bench"),
    (b"accept", b"*/*"),
    (b"accept-encoding", b"gzip, deflate"),
    (b"user-agent", b"chibo-app/1.0"),
    (b"accept-language", b"vi"),
    (b"authorization", b"Bearer " + b"t" * 200),
    (b"x-request-id", b"0123456789abcdef0123456789abcdef"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.observe_overhead", description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--multiprocess", action="store_true")
    args = parser.parse_args(argv)
    if args.multiprocess and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # prometheus_client reads the variable when it is imported: start again with it set
        with tempfile.TemporaryDirectory(prefix="chibo-bench-metrics-") as folder:
            env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": folder}
            command = [sys.executable, "-m", "bench.observe_overhead", *(argv or sys.argv[1:])]
            return subprocess.run(command, env=env, check=False).returncode  # noqa: S603
    asyncio.run(measure(args.requests))
    asyncio.run(middleware_alone(args.requests * 20))
    return 0


async def measure(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="chibo-bench-observe-") as tmp:
        os.environ.update(
            CHIBO_DATABASE_URL=f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            CHIBO_SECRET_KEY=secrets.token_urlsafe(48),
            CHIBO_EMBEDDED_WORKER="0",
        )
        from chibo import cli  # noqa: PLC0415
        from chibo.settings import Settings  # noqa: PLC0415

        settings = Settings.from_env()
        await cli.migrate(settings)
        await cli.seed_demo(settings)
        apps = {variant: build(variant, settings) for variant in VARIANTS}
        devnull = Path(os.devnull).open("w")  # noqa: SIM115, ASYNC230 - kept for the whole run
        totals: dict[tuple[str, str], float] = {}
        async with _opened(settings) as database:
            for variant, build_app in apps.items():
                apps[variant] = build_app(database)
            token = await _login(apps["bare"])
            routes = {"live": ("/health/live", {}), "me": ("/api/v1/me", _bearer(token))}
            order = [*VARIANTS, *reversed(VARIANTS)]
            for variant in order:
                _logging(variant, devnull)
                for name, (path, headers) in routes.items():
                    cpu = await _cpu_per_request(apps[variant], path, headers, n // 2)
                    totals[variant, name] = totals.get((variant, name), 0.0) + cpu / 2
        logging.getLogger().handlers.clear()
        mode = "multiprocess" if "PROMETHEUS_MULTIPROC_DIR" in os.environ else "one process"
        print(f"CPU µs per request, {n} requests per variant and route, prometheus {mode}")
        print(f"{'variant':<14}{'live':>10}{'+':>8}{'me':>10}{'+':>8}")
        for variant in VARIANTS:
            live, me = totals[variant, "live"], totals[variant, "me"]
            extra_live, extra_me = live - totals["bare", "live"], me - totals["bare", "me"]
            print(f"{variant:<14}{live:>10.1f}{extra_live:>8.1f}{me:>10.1f}{extra_me:>8.1f}")


async def middleware_alone(n: int) -> None:
    from uuid import uuid4  # noqa: PLC0415

    from api.http.edge import edge_middleware  # noqa: PLC0415
    from domain.actors import Actor  # noqa: PLC0415

    actor = Actor(person_id=uuid4(), session_id=uuid4(), grants=())

    async def answer(scope: Any, receive: Any, send: Any) -> None:  # noqa: ANN401, ARG001
        scope["path_template"], scope["user"] = "/api/v1/me", actor
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(_: Any) -> None:  # noqa: ANN401
        return None

    observed: Any = edge_middleware(answer)
    devnull = Path(os.devnull).open("w")  # noqa: SIM115, ASYNC230 - kept for the whole run
    cpu: dict[str, float] = {}
    for variant in (*VARIANTS, *reversed(VARIANTS)):
        _logging(variant, devnull)
        app: Any = answer if variant == "bare" else observed
        started = time.process_time()
        for _ in range(n // 2):
            scope = {"type": "http", "method": "GET", "headers": list(HEADERS)}
            await app(scope, receive, send)
        cpu[variant] = cpu.get(variant, 0.0) + (time.process_time() - started) / n * 1e6
    logging.getLogger().handlers.clear()
    print(f"the middleware alone, {n} calls per variant: CPU µs per request")
    for variant in VARIANTS:
        print(f"{variant:<14}{cpu[variant]:>10.2f}{cpu[variant] - cpu['bare']:>8.2f}")


def build(variant: str, settings: Any) -> Callable[[Any], Any]:  # noqa: ANN401
    def make(database: Any) -> Any:  # noqa: ANN401
        import api.app  # noqa: PLC0415
        from chibo.bootstrap import build_app  # noqa: PLC0415

        kept = getattr(api.app, "edge_middleware")  # noqa: B009 - swapped for "bare" only
        if variant == "bare":
            setattr(api.app, "edge_middleware", lambda app: app)  # noqa: B010
        try:
            return build_app(settings, database=database)
        finally:
            setattr(api.app, "edge_middleware", kept)  # noqa: B010

    return make


def _logging(variant: str, devnull: Any) -> None:  # noqa: ANN401
    from chibo.logging_setup import configure_logging  # noqa: PLC0415

    level = logging.INFO if variant == "metrics+json" else logging.WARNING
    configure_logging("json", devnull, level)


class _opened:  # noqa: N801 - used as a context manager
    def __init__(self, settings: Any) -> None:  # noqa: ANN401
        self.settings = settings

    async def __aenter__(self) -> Any:  # noqa: ANN401
        from db.engine import Database  # noqa: PLC0415
        from db.migrate import bind  # noqa: PLC0415

        self.database = Database(self.settings.database_url, self.settings.database_timeouts)
        await self.database.open()
        bind(self.database)
        return self.database

    async def __aexit__(self, *_: object) -> None:
        await self.database.close()


async def _login(app: Any) -> str:  # noqa: ANN401
    from db.seed_demo import DEMO_PASSWORD  # noqa: PLC0415

    async with _client(app) as http:
        reply = await http.post(
            "/api/v1/auth/login", json={"phone": "+84900000031", "password": DEMO_PASSWORD}
        )
        reply.raise_for_status()
        token: str = reply.json()["accessToken"]
        return token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _client(app: Any) -> httpx.AsyncClient:  # noqa: ANN401
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://bench")


async def _cpu_per_request(app: Any, path: str, headers: dict[str, str], n: int) -> float:  # noqa: ANN401
    async with _client(app) as http:
        for _ in range(50):  # warm-up: caches, the labelled histograms
            await http.get(path, headers=headers)
        started = time.process_time()
        for _ in range(n):
            reply = await http.get(path, headers=headers)
            assert reply.status_code == 200, reply.text
        return (time.process_time() - started) / n * 1e6


if __name__ == "__main__":
    raise SystemExit(main())
