"""The log lines an operator's collector reads: one JSON line per request and per job run, with
the request id, the person id (never a phone or a name), the route template, status and
duration; an unexpected error logged once with its traceback."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from api.app import create_app
from chibo.bootstrap import Container
from chibo.logging_setup import configure_logging
from chibo.settings import Settings
from db.engine import Database
from domain.org.service import OrgService
from schedules.jobs import JOBS, Job, JobContext
from schedules.runner import run_job
from tests.api.helpers import bearer, sign_in
from tests.conftest import TEST_SECRET, services
from tests.factories import PASSWORD, build_world
from tests.fakes import FakeClock


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The process's logging as `chibo serve` sets it up (JSON), into a buffer; then as it was."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    buffer = io.StringIO()
    configure_logging("json", buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in buffer.getvalue().splitlines()]


async def test_a_request_line_names_the_request_the_person_and_the_route(
    client: httpx.AsyncClient, db: Database, log_lines: io.StringIO
) -> None:
    world = await build_world()
    person = world.secretary_a
    headers = bearer(await sign_in(client, person))
    wrong = {"phone": person.phone, "password": PASSWORD + "x", "deviceName": "phone"}
    assert (await client.post("/api/v1/auth/login", json=wrong)).status_code == 401
    reply = await client.get("/api/v1/me", headers={**headers, "X-Request-Id": "req-me-1"})
    assert reply.status_code == 200

    (line,) = [e for e in lines(log_lines) if e.get("request_id") == "req-me-1"]
    assert line["event"] == "request"
    assert line["logger"] == "chibo.request"
    assert line["level"] == "info"
    assert line["person_id"] == str(person.id)
    assert (line["method"], line["route"], line["status"]) == ("GET", "/api/v1/me", 200)
    assert 0 < line["duration_ms"] < 60_000
    assert line["timestamp"].endswith("Z")
    logins = [e for e in lines(log_lines) if e.get("route") == "/api/v1/auth/login"]
    assert [(e["status"], e["person_id"]) for e in logins] == [(200, None), (401, None)]
    written = log_lines.getvalue()
    for secret in (person.phone, person.phone.removeprefix("+84"), person.full_name, PASSWORD):
        assert secret not in written


async def test_a_job_run_is_one_line_with_its_name_outcome_and_duration(
    db: Database, clock: FakeClock, log_lines: io.StringIO
) -> None:
    ctx = services(db, clock, Settings(database_url="sqlite:///unused", secret_key=TEST_SECRET))
    await run_job(JOBS["plan-meetings"], ctx)

    async def fail(_: JobContext) -> int:
        msg = "the sweep broke"
        raise RuntimeError(msg)

    await run_job(Job("broken-sweep", fail, JOBS["plan-meetings"].trigger), ctx)

    ok, failed = [e for e in lines(log_lines) if e.get("logger") == "chibo.jobs"]
    assert (ok["job"], ok["outcome"], ok["level"]) == ("plan-meetings", "ok", "info")
    assert isinstance(ok["duration_ms"], int)
    assert "exception" not in ok
    assert (failed["job"], failed["outcome"], failed["level"]) == ("broken-sweep", "error", "error")
    assert failed["error"] == "RuntimeError: the sweep broke"
    assert failed["exception"].startswith("Traceback")
    assert "the sweep broke" in failed["exception"]


class BrokenOrg(Container):
    def org(self, request_id: str | None) -> OrgService:
        del request_id
        msg = "a bug"
        raise RuntimeError(msg)


async def test_an_unexpected_error_is_logged_once_with_its_traceback(
    db: Database, clock: FakeClock, settings: Settings, log_lines: io.StringIO
) -> None:
    world = await build_world()
    container = BrokenOrg(settings, clock, db)
    app = create_app(
        settings,
        services=container,
        database=db,
        clock=clock,
        owns_database=False,
        worker=None,
        job_names=(),
    )
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as http:
        headers = bearer(await sign_in(http, world.admin))
        reply = await http.get("/api/v1/units", headers={**headers, "X-Request-Id": "req-bug"})
    assert reply.status_code == 500
    assert reply.json()["code"] == "internal_error"

    mine = [e for e in lines(log_lines) if e.get("request_id") == "req-bug"]
    assert len(mine) == 2, mine  # the error with its traceback, then the request line
    error, request = mine
    assert error["level"] == "error"
    assert "RuntimeError: a bug" in error["exception"]
    assert (request["event"], request["status"], request["route"]) == (
        "request",
        500,
        "/api/v1/units",
    )
    assert sum("Traceback" in line for line in log_lines.getvalue().splitlines()) == 1
