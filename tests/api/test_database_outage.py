"""PostgreSQL stopped or frozen under the running app: requests answer 503 problem+json with
Retry-After within seconds, the log says so once per incident, and the app heals by itself when
the server is back. On a private cluster the test starts, stops, freezes and thaws
(tests/private_postgres.py), never on the shared server."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from chibo.bootstrap import build_app
from chibo.settings import Settings
from db.engine import Database, Timeouts
from tests.conftest import TEST_SECRET
from tests.factories import World, build_world, login
from tests.fakes import FakeClock
from tests.private_postgres import Cluster, private_cluster
from tests.scratch_databases import bound_to

# short, so that the test is quick; the defaults are a few seconds
TIMEOUTS = Timeouts(connect_ms=1000, statement_ms=1000, acquire_ms=1000, retry_after_seconds=7)
FAST = 3.0  # seconds: the most a request may take while the database is down or frozen
REQUESTS = 12


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with private_cluster() as started:
        yield started


async def _task(client: httpx.AsyncClient, world: World, headers: dict[str, str]) -> Any:
    body = {
        "title": "Sửa đèn đường",
        "unitId": str(world.cell_a.id),
        "assigneeId": str(world.member_a.id),
        "dueOn": "2026-12-20",
    }
    return await client.post("/api/v1/tasks", json=body, headers=headers)


async def _timed(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> Any:
    started = time.monotonic()
    reply = await client.request(method, url, **kwargs)
    return reply, time.monotonic() - started


def _unavailable(reply: httpx.Response) -> None:
    assert reply.status_code == 503, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert reply.json()["code"] == "database_unavailable"
    assert reply.headers["retry-after"] == str(TIMEOUTS.retry_after_seconds)


class Lines(logging.Handler):
    """The log lines of the app (``chibo.*``) and of its database driver. Not caplog: the app's
    logging set-up replaces the root logger's handlers, caplog's among them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def count(self, text: str) -> int:
        return sum(text in r.getMessage() for r in self.records)

    def alarms(self) -> int:
        return sum(r.levelno >= logging.WARNING for r in self.records)


@pytest.fixture
def lines() -> Iterator[Lines]:
    handler = Lines()
    loggers = [logging.getLogger(name) for name in ("chibo", "asyncpg")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


async def test_a_stopped_or_frozen_database_is_a_quick_503_and_heals(
    cluster: Cluster, lines: Lines
) -> None:
    async with bound_to(cluster.url, migrated=True, timeouts=TIMEOUTS) as db:
        await _run(cluster, db, lines)


async def _run(cluster: Cluster, db: Database, lines: Lines) -> None:
    world = await build_world()
    settings = Settings(database_url=cluster.url, secret_key=TEST_SECRET)
    app = build_app(settings, clock=FakeClock(), database=db)
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as client:
        headers = await login(client, world.secretary_a)
        assert (await _task(client, world, headers)).status_code == 201

        # stopped: every request a quick 503, one log line for the whole incident
        cluster.stop()
        for i in range(REQUESTS):
            url = "/api/v1/tasks/mine" if i % 2 else "/api/v1/me"
            reply, took = await _timed(client, "GET", url, headers=headers)
            _unavailable(reply)
            assert took < FAST
        write = await _task(client, world, headers)
        _unavailable(write)
        ready, took = await _timed(client, "GET", "/health/ready")
        assert (ready.status_code, ready.json()["status"]) == (503, "database_unavailable")
        assert took < FAST
        assert lines.count("database unavailable") == 1
        assert lines.alarms() == 1  # nothing else: no traceback per request, nor per retry

        # back: the next write succeeds without a restart, and the recovery is logged once
        cluster.start()
        assert (await _task(client, world, headers)).status_code == 201
        assert lines.count("database available again") == 1
        assert lines.alarms() == 2

        # frozen (SIGSTOP): a request and the readiness probe still answer within seconds
        cluster.freeze()
        try:
            reply, took = await _timed(client, "GET", "/api/v1/me", headers=headers)
            _unavailable(reply)
            assert took < FAST
            started = time.monotonic()
            _unavailable(await _task(client, world, headers))
            assert time.monotonic() - started < FAST
            ready, took = await _timed(client, "GET", "/health/ready")
            assert ready.status_code == 503
            assert took < FAST
        finally:
            cluster.thaw()
        assert (await _task(client, world, headers)).status_code == 201
        assert lines.count("database unavailable") == 2
        assert lines.count("database available again") == 2
        assert lines.alarms() == 4


async def test_a_locked_sqlite_database_is_a_quick_503(tmp_path: Path, lines: Lines) -> None:
    """Another process (a CLI, a backup) holding SQLite's write lock past the busy timeout:
    503 with Retry-After, not a 500; the next write after it lets go succeeds."""
    path = tmp_path / "locked.sqlite3"
    async with bound_to(f"sqlite:///{path}", migrated=True, timeouts=TIMEOUTS) as db:
        world = await build_world()
        app = build_app(Settings(secret_key=TEST_SECRET), clock=FakeClock(), database=db)
        transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 40000))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as client:
            headers = await login(client, world.secretary_a)
            other_process = sqlite3.connect(path, isolation_level=None)
            try:
                other_process.execute("BEGIN EXCLUSIVE")
                for _ in range(3):  # reads between refused writes go on, in one incident
                    started = time.monotonic()
                    _unavailable(await _task(client, world, headers))
                    assert time.monotonic() - started < FAST
                    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
            finally:
                other_process.close()  # rolls back, lets go of the lock
            assert (await _task(client, world, headers)).status_code == 201
    assert lines.count("database unavailable: OperationalError: database is locked") == 1
    assert lines.count("database available again") == 1
