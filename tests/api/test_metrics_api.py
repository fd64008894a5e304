"""GET /metrics: who may scrape it, the request series after some requests, and the outbox,
reminders and jobs read from the tables, on both engines."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from ipaddress import ip_network
from uuid import uuid4

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.http.metrics import DB_CONNECTIONS, DB_WRITER_WAITING, pool_sampling
from chibo.settings import Settings
from db.engine import Database
from db.pool_use import pool_use
from db.repositories.job_runs import JobRun, PiccoloJobRuns
from db.tables import ReminderTable
from domain.actors import Actor
from domain.notifications.model import Category, Platform
from domain.notifications.service import Message
from tests.api.helpers import bearer, problem, sign_in
from tests.conftest import TEST_SECRET, services
from tests.factories import build_world
from tests.fakes import START, FakeClock

TOKEN = "metrics-token-that-is-long-enough-0123456789"
SCRAPE = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def settings() -> Settings:
    return Settings(database_url="sqlite:///unused", secret_key=TEST_SECRET, metrics_token=TOKEN)


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    reply = await client.get("/metrics", headers=SCRAPE)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(reply.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_requests_are_counted_by_route_template_and_status(
    client: httpx.AsyncClient, db: Database
) -> None:
    world = await build_world()
    before = await scrape(client)
    headers = bearer(await sign_in(client, world.secretary_a))
    for _ in range(3):
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/me")).status_code == 401
    unit = f"/api/v1/units/{uuid4()}"
    assert (await client.get(unit, headers=headers)).status_code == 404
    assert (await client.get("/no/such/route")).status_code == 404
    after = await scrape(client)

    def more(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    count = "chibo_http_request_duration_seconds_count"
    assert more(count, method="GET", route="/api/v1/me", status="200") == 3
    assert more(count, method="GET", route="/api/v1/me", status="401") == 1
    # the template, never the id a caller put in the path
    assert more(count, method="GET", route="/api/v1/units/{unit_id}", status="404") == 1
    assert more(count, method="GET", route="unmatched", status="404") == 1
    assert more(count, method="POST", route="/api/v1/auth/login", status="200") == 1
    assert not any(str(world.secretary_a.id) in str(key) for key in after)
    buckets = "chibo_http_request_duration_seconds_bucket"
    assert more(buckets, method="GET", route="/api/v1/me", status="200", le="+Inf") == 3


async def test_login_failures_and_throttles_are_counted_by_code(
    client: httpx.AsyncClient, db: Database
) -> None:
    world = await build_world()
    before = await scrape(client)
    wrong = {"phone": world.secretary_a.phone, "password": "not-the-password", "deviceName": "x"}
    for _ in range(8):
        await client.post("/api/v1/auth/login", json=wrong)
    after = await scrape(client)
    failures = ("chibo_problems_total", {"status": "401", "code": "invalid_credentials"})
    throttled = ("chibo_problems_total", {"status": "429", "code": "too_many_login_attempts"})
    counted = [
        value(after, name, **labels) - value(before, name, **labels)
        for name, labels in (failures, throttled)
    ]
    assert counted[0] >= 1
    assert counted[1] >= 1
    assert sum(counted) == 8


async def test_the_outbox_reminders_and_jobs_are_read_from_the_tables(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    container = services(db, clock)
    member = Actor(person_id=world.member_a.id, session_id=uuid4(), grants=())
    await container.notifications("test").register_device(
        member, "tok-metrics", Platform.ANDROID, "1.0.0", "vi"
    )
    message = Message(template="task_assigned", params={"title": "Sửa mái", "due": START})
    await container.notifier.notify([world.member_a.id], Category.TASK, "task:1", message)
    clock.advance(timedelta(minutes=7))
    for status in ("pending", "sent", "sent", "skipped"):
        await ReminderTable.insert(
            ReminderTable(
                kind="task_overdue",
                subject=uuid4(),
                occurrence=str(uuid4())[:20],
                status=status,
                created_at=clock.now(),
            )
        )
    runs = PiccoloJobRuns(db)
    now = clock.now()
    await runs.record(JobRun("escalate-tasks", now, now, 3, "ok"))
    await runs.record(JobRun("escalate-tasks", now, now + timedelta(hours=1), 3, "error", "boom"))
    await runs.scheduled("plan-meetings", now + timedelta(hours=3))

    samples = await scrape(client)
    assert value(samples, "chibo_outbox_deliveries", status="pending") >= 1
    assert value(samples, "chibo_outbox_oldest_pending_age_seconds") >= 7 * 60
    assert value(samples, "chibo_reminders", status="pending") >= 1
    assert value(samples, "chibo_reminders", status="sent") >= 2
    assert value(samples, "chibo_reminders", status="skipped") >= 1
    # the last good run, kept when a later run failed
    last = value(samples, "chibo_job_last_success_timestamp_seconds", job="escalate-tasks")
    assert last == now.timestamp()
    assert value(samples, "chibo_job_last_success_timestamp_seconds", job="plan-meetings") == 0


async def test_nobody_else_may_scrape(client: httpx.AsyncClient, db: Database) -> None:
    # the test client connects from 10.0.0.1, which the default (loopback only) does not allow
    problem(await client.get("/metrics"), 404, "not_found")
    wrong = {"Authorization": "Bearer " + "x" * len(TOKEN)}
    problem(await client.get("/metrics", headers=wrong), 404, "not_found")
    assert (await client.get("/metrics", headers=SCRAPE)).status_code == 200
    document = (await client.get("/api/docs/openapi.json")).json()
    assert "/metrics" not in document["paths"]


@pytest.fixture
def allowed(settings: Settings) -> Settings:
    return replace(settings, metrics_token="", metrics_allow=(ip_network("10.0.0.0/8"),))


async def test_an_allowed_address_scrapes_without_a_token_unless_through_a_proxy(
    db: Database, clock: FakeClock, allowed: Settings
) -> None:
    from chibo.bootstrap import build_app  # noqa: PLC0415

    app = build_app(allowed, clock=clock, database=db)
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as http:
        assert (await http.get("/metrics")).status_code == 200
        for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
            problem(await http.get("/metrics", headers={header: "203.0.113.9"}), 404, "not_found")


async def test_the_connection_gauges_follow_the_engine(db: Database) -> None:
    async with pool_sampling(db):
        await asyncio.sleep(0)  # the sampler's first round runs at once
        use = pool_use(db)
    opened = DB_CONNECTIONS.labels("open")._value.get()
    assert opened == use.size >= 1
    assert DB_CONNECTIONS.labels("max")._value.get() == use.max_size >= opened
    assert 0 <= DB_CONNECTIONS.labels("in_use")._value.get() <= opened
    if db.kind == "sqlite":
        assert use.in_use >= 1  # the test's transaction holds the one writer
        assert DB_WRITER_WAITING.labels("sqlite")._value.get() == use.writer_waiting == 0
