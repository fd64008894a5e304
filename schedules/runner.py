"""The Runner: APScheduler 3.11 (memory job store, jobs defined in code) and its leader lock.

On PostgreSQL several workers may run; each keeps trying a session-level advisory lock on a
dedicated connection, and only its holder runs the scheduled jobs. When the holder dies its
connection dies, the lock is released, and another worker takes it within
``leader_retry_seconds``. The outbox dispatch runs on every worker, leader or not: its claims skip
rows another dispatcher holds. On SQLite (embedded, one process) there is no lock. Jobs only
trigger sweeps safe to run twice, so a brief overlap at a hand-over costs nothing; all state lives
in our tables.

Stopping (SIGTERM): no job starts any more, the leader lock is released at once (another worker
takes the lead within its retry interval, not after the TCP keepalive), and the runs in progress
(a push batch being sent) finish within the shutdown grace before the parts are closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import datetime

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from db.repositories.job_runs import JobRun, PiccoloJobRuns
from domain.clock import LOCAL_TZ
from domain.errors import UnavailableError
from schedules.jobs import Job, JobContext

log = logging.getLogger("chibo.jobs")

LEADER_LOCK_KEY = 7_240_001  # pg_try_advisory_lock key of the scheduler's leader
# The server frees the lock when the holder's connection dies. A killed process's socket is closed
# at once, but a holder whose host or network goes away says nothing: with the server's default
# keepalives (7200 s idle, 9 probes 75 s apart) the lock would stay taken for over 2 hours. These
# make the server give the connection up after ~20 s of silence.
LOCK_CONNECTION_SETTINGS = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "20000",  # ms; also when a reply to the holder is never acknowledged
}
MISFIRE_GRACE_SECONDS = 60
MAX_ERROR_LENGTH = 2000


async def run_job(job: Job, ctx: JobContext, next_run_at: datetime | None = None) -> JobRun:
    """Run one job, record the run in job_run and log one structured line. Never raises."""
    name = job.name
    started, t0 = ctx.clock.now(), time.perf_counter()
    done, error, database_down = 0, None, False
    failure: Exception | None = None  # logged with its traceback, once, on the run's line
    try:
        done = await job.run(ctx)
    except UnavailableError as exc:
        # the database guard logs the incident once; a line per run would repeat it
        error, database_down = f"{type(exc).__name__}: {exc}", True
    except Exception as exc:  # noqa: BLE001 - recorded and logged; the scheduler goes on
        error, failure = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH], exc
    run = JobRun(
        job=name,
        started_at=started,
        finished_at=ctx.clock.now(),
        duration_ms=int((time.perf_counter() - t0) * 1000),
        outcome="error" if error else "ok",
        error=error,
        last_error=error,
        next_run_at=next_run_at,
    )
    try:
        await PiccoloJobRuns(ctx.database).record(run)
    except UnavailableError:
        database_down = True
    except Exception:
        log.exception("job %s: could not record its run", name)
    log.log(
        logging.DEBUG if database_down else logging.ERROR if error else logging.INFO,
        "job %s %s in %d ms",
        name,
        run.outcome,
        run.duration_ms,
        exc_info=failure,
        extra={
            "job": name,
            "outcome": run.outcome,
            "duration_ms": run.duration_ms,
            "done": done,
            "error": error,
            "next_run_at": next_run_at.isoformat() if next_run_at else None,
        },
    )
    return run


class LeaderLock:
    """A session-level advisory lock held on a connection of its own."""

    def __init__(self, url: str, key: int = LEADER_LOCK_KEY) -> None:
        self.url, self.key = url, key
        self.connection: asyncpg.Connection | None = None

    @property
    def held(self) -> bool:
        return self.connection is not None

    async def try_acquire(self) -> bool:
        if self.connection is not None:
            return True
        connection = await asyncpg.connect(self.url, server_settings=LOCK_CONNECTION_SETTINGS)
        try:
            got = bool(await connection.fetchval("SELECT pg_try_advisory_lock($1)", self.key))
        except BaseException:
            await connection.close()
            raise
        if got:
            self.connection = connection
        else:
            await connection.close()
        return got

    async def still_held(self) -> bool:
        """False once the lock's connection is gone (the server then released the lock)."""
        if self.connection is None:
            return False
        try:
            await asyncio.wait_for(self.connection.fetchval("SELECT 1"), timeout=5)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            await self.release()
            return False
        return True

    async def release(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), timeout=5)


class Runner:
    """Start inside the running loop (a lifespan or ``chibo worker``); stop before the loop ends."""

    def __init__(
        self, context: JobContext, *, jobs: Sequence[Job], retry_seconds: float | None = None
    ) -> None:
        database = context.database
        self.database = database
        self.context = context
        self.jobs = {job.name: job for job in jobs}
        self.retry_seconds = retry_seconds or context.settings.leader_retry_seconds
        self.lock = LeaderLock(database.url) if database.kind == "postgres" else None
        self.scheduler: AsyncIOScheduler | None = None  # the leader's jobs
        self.dispatching: AsyncIOScheduler | None = None  # the every_worker jobs
        self._campaign: asyncio.Task[None] | None = None
        self._runs: set[asyncio.Task[JobRun]] = set()  # job runs in progress

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    async def start(self) -> None:
        self.dispatching = await self._scheduler([j for j in self.jobs.values() if j.every_worker])
        if self.lock is None:
            await self._start_scheduler()
        else:
            self._campaign = asyncio.create_task(self._campaign_forever())

    async def stop(self) -> None:
        if self._campaign is not None:
            self._campaign.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._campaign
            self._campaign = None
        self._stop_scheduler()
        dispatching, self.dispatching = self.dispatching, None
        if dispatching is not None and dispatching.running:
            dispatching.shutdown(wait=False)
        if self.lock is not None:
            await self.lock.release()
        if self._runs:
            grace = self.context.settings.shutdown_grace_seconds
            _, late = await asyncio.wait(set(self._runs), timeout=grace)
            for run in late:
                log.warning("job %s: still running after %d s, cut off", run.get_name(), grace)
                run.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self.context.close()

    async def _campaign_forever(self) -> None:
        assert self.lock is not None  # noqa: S101 - only started with a lock
        while True:
            try:
                if self.scheduler is None:
                    if await self.lock.try_acquire():
                        log.info("leader lock taken: running the scheduler")
                        await self._start_scheduler()
                elif not await self.lock.still_held():
                    log.warning("leader lock lost: scheduler stopped")
                    self._stop_scheduler()
            except Exception:
                log.warning("leader election failed; retrying", exc_info=True)
            await asyncio.sleep(self.retry_seconds)

    async def _start_scheduler(self) -> None:
        scheduler = await self._scheduler([j for j in self.jobs.values() if not j.every_worker])
        self.scheduler = scheduler  # leading only once the next runs are recorded

    async def _scheduler(self, jobs: list[Job]) -> AsyncIOScheduler:
        """A started scheduler of these jobs, their next runs recorded in job_run."""
        scheduler = AsyncIOScheduler(
            timezone=LOCAL_TZ,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
        )
        settings = self.context.settings
        for job in jobs:
            first = {"next_run_time": datetime.now(LOCAL_TZ)} if job.run_at_start else {}
            scheduler.add_job(
                self._fire,
                job.trigger(settings),
                args=[job.name, scheduler],
                id=job.name,
                name=job.name,
                **first,
            )
        scheduler.start()
        runs = PiccoloJobRuns(self.database)
        try:
            for scheduled in scheduler.get_jobs():
                try:
                    await runs.scheduled(scheduled.id, scheduled.next_run_time)
                except Exception:
                    log.exception("job %s: could not record its next run", scheduled.id)
        except BaseException:  # cancelled while recording: nothing may keep running
            scheduler.shutdown(wait=False)
            raise
        return scheduler

    def _stop_scheduler(self) -> None:
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)

    async def _fire(self, name: str, scheduler: AsyncIOScheduler | None = None) -> None:
        """Run a job and record its next run (from the scheduler that fired it, if given)."""
        schedulers = [scheduler] if scheduler else [self.scheduler, self.dispatching]
        job = next((j for s in schedulers if s and (j := s.get_job(name))), None)
        run = asyncio.create_task(
            run_job(self.jobs[name], self.context, job.next_run_time if job else None), name=name
        )
        self._runs.add(run)
        run.add_done_callback(self._runs.discard)
        # a scheduler's shutdown cancels what it fired; the run itself goes on, and stop()
        # waits for it
        await asyncio.shield(run)
