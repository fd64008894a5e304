from __future__ import annotations

from datetime import timedelta

import httpx

from db.engine import Database
from db.repositories.job_runs import JobRun, PiccoloJobRuns
from schedules.jobs import JOBS
from tests.factories import build_world, login
from tests.fakes import FakeClock


async def test_admin_of_the_root_sees_every_job_and_its_last_run(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    runs = PiccoloJobRuns(db)
    now = clock.now()
    await runs.record(
        JobRun("escalate-tasks", now, now, 12, "error", "RuntimeError: boom", None, None, now)
    )
    await runs.scheduled("plan-meetings", now + timedelta(hours=3))
    reply = await client.get("/api/v1/admin/jobs", headers=await login(client, world.admin))
    assert reply.status_code == 200, reply.text
    jobs = {j["name"]: j for j in reply.json()["items"]}
    assert set(jobs) == set(JOBS)
    assert jobs["escalate-tasks"]["lastOutcome"] == "error"
    assert jobs["escalate-tasks"]["lastDurationMs"] == 12
    assert jobs["escalate-tasks"]["lastError"] == "RuntimeError: boom"
    assert jobs["plan-meetings"]["lastOutcome"] is None
    assert jobs["plan-meetings"]["nextRunAt"] is not None
    assert jobs["dispatch-outbox"]["lastStartedAt"] is None


async def test_anyone_else_is_refused(client: httpx.AsyncClient, db: Database) -> None:
    world = await build_world()
    reply = await client.get("/api/v1/admin/jobs", headers=await login(client, world.leader_1))
    assert reply.status_code == 403
    assert reply.json()["code"] == "jobs_forbidden"
    assert (await client.get("/api/v1/admin/jobs")).status_code == 401
