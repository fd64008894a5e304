"""Stopping the runner (SIGTERM of `chibo worker`): no job starts any more, the leader lock is
let go at once, and a run in progress (a push batch) finishes — within the shutdown grace."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from chibo.settings import Settings
from db.engine import Database
from db.repositories.job_runs import PiccoloJobRuns
from schedules.jobs import JOBS, JobContext
from schedules.runner import LeaderLock, Runner
from tests.conftest import TEST_SECRET, services
from tests.fakes import FakeClock

SETTINGS = Settings(database_url="sqlite:///unused", secret_key=TEST_SECRET)
LOCK_KEY = 3  # a key of its own: other tests' runners hold the real one


async def test_a_stopping_runner_lets_go_of_the_lock_and_lets_the_run_in_progress_finish(
    db: Database, clock: FakeClock
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def batch(_: JobContext) -> int:
        started.set()
        await release.wait()
        return 7

    runner = Runner(
        services(db, clock, SETTINGS),
        jobs=[replace(JOBS["dispatch-outbox"], run=batch)],
        retry_seconds=0.05,
    )
    if runner.lock is not None:
        runner.lock = LeaderLock(db.url, key=LOCK_KEY)
    await runner.start()
    firing = asyncio.create_task(runner._fire("dispatch-outbox"))
    await started.wait()
    if runner.lock is not None:
        while not runner.lock.held:  # noqa: ASYNC110 - the campaign's first try, not a timer
            await asyncio.sleep(0.02)
    stopping = asyncio.create_task(runner.stop())
    other = LeaderLock(db.url, key=LOCK_KEY)
    try:
        if runner.lock is not None:
            while not await other.try_acquire():  # noqa: ASYNC110 - free while the batch is sent
                await asyncio.sleep(0.02)
        assert not stopping.done()
        assert not firing.done()
        release.set()
        await stopping
        await firing
    finally:
        await other.release()
    assert runner.dispatching is None
    run = (await PiccoloJobRuns(db).all())["dispatch-outbox"]
    assert run.outcome == "ok"  # finished, not cancelled


async def test_a_run_longer_than_the_grace_is_cut_off(db: Database, clock: FakeClock) -> None:
    started = asyncio.Event()

    async def stuck(_: JobContext) -> int:
        started.set()
        await asyncio.Event().wait()
        return 0

    runner = Runner(
        services(db, clock, replace(SETTINGS, shutdown_grace_seconds=1)),
        jobs=[replace(JOBS["dispatch-outbox"], run=stuck)],
        retry_seconds=0.05,
    )
    runner.lock = None  # the lock is the other test's subject
    await runner.start()
    firing = asyncio.create_task(runner._fire("dispatch-outbox"))
    await started.wait()
    await runner.stop()  # returns after the 1 s grace
    assert firing.done()
    assert not runner._runs
