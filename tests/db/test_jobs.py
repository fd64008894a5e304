"""The scheduled jobs and their runner, on every engine, with an injected clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import time, timedelta

import pytest

from chibo.settings import Settings
from db.engine import Database
from db.repositories.job_runs import PiccoloJobRuns
from db.repositories.meetings import PiccoloMeetingRepository
from db.tables import MeetingTable
from domain.errors import UnavailableError
from domain.meetings.ports import CellRule
from domain.meetings.recurrence import MeetingRule, RuleKind
from schedules.jobs import JOBS, JobContext
from schedules.runner import LeaderLock, Runner, run_job
from tests.conftest import TEST_SECRET, services
from tests.factories import build_world
from tests.fakes import FakeClock

SETTINGS = Settings(database_url="sqlite:///unused", secret_key=TEST_SECRET)


async def test_plan_meetings_twice_plans_the_same_meetings(db: Database, clock: FakeClock) -> None:
    world = await build_world()
    rule = MeetingRule(RuleKind.DAY_OF_MONTH, time(19, 30), 120, day=4)
    await PiccoloMeetingRepository().set_rule(CellRule(world.cell_a.id, rule, None, None))
    ctx = services(db, clock, SETTINGS)
    first = await run_job(JOBS["plan-meetings"], ctx)
    planned = await MeetingTable.select(MeetingTable.id, MeetingTable.planned_start).order_by(
        MeetingTable.planned_start
    )
    second = await run_job(JOBS["plan-meetings"], ctx)
    assert first.outcome == second.outcome == "ok"
    assert planned
    assert (
        await MeetingTable.select(MeetingTable.id, MeetingTable.planned_start).order_by(
            MeetingTable.planned_start
        )
        == planned
    )


async def test_every_job_runs_and_records_its_run(db: Database, clock: FakeClock) -> None:
    await build_world()
    ctx = services(db, clock, SETTINGS)
    for job in JOBS.values():
        run = await run_job(job, ctx, clock.now() + timedelta(minutes=1))
        assert run.outcome == "ok", run.error
    await ctx.close()
    runs = await PiccoloJobRuns(db).all()
    assert set(runs) == set(JOBS)
    assert all(r.started_at == clock.now() and r.outcome == "ok" for r in runs.values())
    assert all(r.next_run_at == clock.now() + timedelta(minutes=1) for r in runs.values())


async def test_a_failing_job_records_an_error_and_a_later_good_run_keeps_it(
    db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(_: JobContext) -> int:
        raise RuntimeError("boom")

    ctx = services(db, clock, SETTINGS)
    with caplog.at_level(logging.INFO, logger="chibo.jobs"):
        failed = await run_job(replace(JOBS["escalate-tasks"], run=broken), ctx)
    assert failed.outcome == "error"
    assert failed.error == "RuntimeError: boom"
    line = next(r for r in caplog.records if getattr(r, "job", None) == "escalate-tasks")
    assert line.outcome == "error"  # type: ignore[attr-defined]
    assert line.duration_ms >= 0  # type: ignore[attr-defined]
    clock.advance(timedelta(hours=1))
    await run_job(JOBS["escalate-tasks"], ctx)
    run = (await PiccoloJobRuns(db).all())["escalate-tasks"]
    assert run.outcome == "ok"
    assert run.error is None
    assert run.last_error == "RuntimeError: boom"
    assert run.last_error_at == clock.now() - timedelta(hours=1)


async def test_the_runner_keeps_going_after_a_job_raises(db: Database, clock: FakeClock) -> None:
    calls: list[str] = []

    async def broken(_: JobContext) -> int:
        calls.append("broken")
        raise RuntimeError("boom")

    async def fine(_: JobContext) -> int:
        calls.append("fine")
        return 1

    hourly = Settings(
        database_url="sqlite:///unused", secret_key=TEST_SECRET, dispatch_interval_seconds=3600
    )  # so that only the test fires it, however slow the machine
    dispatch = JOBS["dispatch-outbox"]
    runner = Runner(
        services(db, clock, hourly), jobs=[replace(dispatch, run=broken)], retry_seconds=0.05
    )
    await runner.start()
    try:
        assert await _poll(lambda: runner.leading, 5)  # at once on SQLite; the lock on PostgreSQL
        assert runner.scheduler is not None
        # fire it by hand twice (the trigger's own firing is APScheduler's business)
        await runner._fire("dispatch-outbox")
        runner.jobs["dispatch-outbox"] = replace(dispatch, run=fine)
        await runner._fire("dispatch-outbox")
        assert runner.scheduler.running
    finally:
        await runner.stop()
    assert calls == ["broken", "fine"]
    run = (await PiccoloJobRuns(db).all())["dispatch-outbox"]
    assert run.outcome == "ok"
    assert run.last_error == "RuntimeError: boom"
    assert run.next_run_at is not None


async def _poll(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


@pytest.fixture
def postgres(databases: dict[str, Database]) -> Database:
    if "postgres" not in databases:
        pytest.skip("CHIBO_TEST_POSTGRES_URL is not set")
    return databases["postgres"]


async def test_only_one_worker_holds_the_leader_lock(postgres: Database) -> None:
    first, second = LeaderLock(postgres.url, key=1), LeaderLock(postgres.url, key=1)
    try:
        assert await first.try_acquire()
        assert not await second.try_acquire()
        assert await first.still_held()
        await first.release()
        assert await second.try_acquire()
    finally:
        await first.release()
        await second.release()


async def test_a_standby_runner_takes_over_when_the_leader_dies(postgres: Database) -> None:
    leader = Runner(services(postgres, FakeClock(), SETTINGS), jobs=[], retry_seconds=0.05)
    standby = Runner(services(postgres, FakeClock(), SETTINGS), jobs=[], retry_seconds=0.05)
    await leader.start()
    try:
        assert await _poll(lambda: leader.leading, 5)
        await standby.start()
        await asyncio.sleep(0.2)  # several retries of the standby
        assert not standby.leading
        # the leader's process dies: it stops trying, its connection goes without a goodbye,
        # and the server frees the lock
        assert leader._campaign is not None
        assert leader.lock is not None
        assert leader.lock.connection is not None
        leader._campaign.cancel()
        leader.lock.connection.terminate()
        assert await _poll(lambda: standby.leading, 2)
    finally:
        await leader.stop()
        await standby.stop()


async def test_a_leader_whose_lock_connection_dies_stops_its_scheduler(postgres: Database) -> None:
    runner = Runner(services(postgres, FakeClock(), SETTINGS), jobs=[], retry_seconds=0.05)
    runner.lock = LeaderLock(postgres.url, key=2)
    other = LeaderLock(postgres.url, key=2)
    await runner.start()
    try:
        assert await _poll(lambda: runner.leading, 5)
        assert runner.lock.connection is not None
        await other.try_acquire()  # not yet: the runner holds it
        assert not other.held
        runner.lock.connection.terminate()
        await _poll(lambda: not runner.leading, 2)
        # whoever gets the lock next runs the scheduler; never both
        await other.try_acquire()
        await asyncio.sleep(0.2)
        assert runner.leading != other.held
    finally:
        await runner.stop()
        await other.release()


async def test_every_worker_dispatches_pushes_and_only_the_leader_runs_the_schedules(
    postgres: Database,
) -> None:
    async def nothing(_: JobContext) -> int:
        return 0

    jobs = [replace(JOBS[name], run=nothing) for name in ("dispatch-outbox", "send-reminders")]
    leader = Runner(services(postgres, FakeClock(), SETTINGS), jobs=jobs, retry_seconds=0.05)
    standby = Runner(services(postgres, FakeClock(), SETTINGS), jobs=jobs, retry_seconds=0.05)
    await leader.start()
    try:
        assert await _poll(lambda: leader.leading, 5)
        await standby.start()
        assert not standby.leading
        for runner in (leader, standby):
            assert runner.dispatching is not None
            assert [j.id for j in runner.dispatching.get_jobs()] == ["dispatch-outbox"]
        assert leader.scheduler is not None
        assert [j.id for j in leader.scheduler.get_jobs()] == ["send-reminders"]
    finally:
        await leader.stop()
        await standby.stop()


async def test_reminders_run_at_start_and_record_their_next_run(
    db: Database, clock: FakeClock
) -> None:
    async def nothing(_: JobContext) -> int:
        return 0

    reminders = replace(JOBS["send-reminders"], run=nothing)
    runner = Runner(services(db, clock, SETTINGS), jobs=[reminders], retry_seconds=0.05)
    runs = PiccoloJobRuns(db)
    await runner.start()
    try:
        for _ in range(250):  # the run at start, without waiting for the first interval
            run = (await runs.all()).get("send-reminders")
            if run is not None and run.outcome == "ok":
                break
            await asyncio.sleep(0.02)
        assert run is not None
        assert run.outcome == "ok"
        assert run.next_run_at is not None
    finally:
        await runner.stop()


async def test_a_job_stopped_by_a_database_outage_adds_no_log_line_of_its_own(
    db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The database guard logs an outage once; jobs failing every few seconds meanwhile must not
    add an error line each (their runs are still recorded when the database can take them)."""

    async def cut_off(_: JobContext) -> int:
        raise UnavailableError("database_unavailable", retry_after=5)

    ctx = services(db, clock, SETTINGS)
    with caplog.at_level(logging.INFO, logger="chibo.jobs"):
        for _ in range(3):
            run = await run_job(replace(JOBS["dispatch-outbox"], run=cut_off), ctx)
            assert run.outcome == "error"
    assert [r for r in caplog.records if r.levelno >= logging.INFO] == []
    assert (await PiccoloJobRuns(db).all())["dispatch-outbox"].outcome == "error"
