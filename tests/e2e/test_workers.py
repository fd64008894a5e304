"""Two real `chibo worker` processes on one PostgreSQL database: one leads, it is killed with
SIGKILL mid-way, the other takes over, and every reminder is sent exactly once.

The workers run on the machine's clock, so the reminders are set to fall due over the next
~20 s: a moment kind fires at (moment - its offset), so a meeting starting in 2 h + k s gets its
2-hour reminder k s from now. Each worker names its connections (application_name), so the
holder of the leader lock is read from pg_locks and pg_stat_activity, not from logs.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest

from domain.inspections.model import InspectionKind
from domain.reminders.model import ReminderKind, ReminderPolicy, moment_occurrence, moment_offset
from tests.factories import build_world
from tests.processes import chibo, leader, until, workers
from tests.reminder_subjects import add_inspection, add_meeting
from tests.scratch_databases import bound_to, scratch_database

SECRET = "e2e-secret-key-that-is-long-enough-0123456789"
NAMES = ("chibo-worker-a", "chibo-worker-b")
REMINDER_INTERVAL = 5  # the smallest CHIBO_REMINDER_INTERVAL_SECONDS allowed
WORKER_ENV = {
    "CHIBO_SECRET_KEY": SECRET,
    "CHIBO_REMINDER_INTERVAL_SECONDS": str(REMINDER_INTERVAL),
    "CHIBO_LEADER_RETRY_SECONDS": "1",
}
START_SECONDS = 60  # for a worker to start and one of them to take the lock (a busy machine)
# seconds from the seeding until each reminder falls due; the leader is killed once those up to
# KILL_AFTER have been sent, so the survivor has to send the rest
SOON_AT = (6, 12, 18)  # 2-hour reminders of meetings (their day-before one is due at once)
DAY_BEFORE_AT = (9, 15, 21)  # day-before reminders of meetings
REVEAL_AT = (10, 20)  # surprise inspections begin (their team's day-before one is due at once)
KILL_AFTER = 12
K = ReminderKind


@dataclass(frozen=True, slots=True)
class Expected:
    kind: ReminderKind
    subject: UUID
    occurrence: str
    due: datetime
    notice: str  # the subject of its inbox rows
    people: tuple[UUID, ...]  # who hear of it


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    async with scratch_database("chibo_workers") as url:
        yield url


async def seed(url: str, now: datetime) -> list[Expected]:
    """An organisation, meetings and surprise inspections whose reminders fall due one after
    another over the next seconds; returns every reminder the workers must send."""
    expected: list[Expected] = []

    def expect(kind: ReminderKind, notice: str, moment: datetime, *people: UUID) -> None:
        subject = UUID(notice.split(":")[1])
        due = moment - moment_offset(kind, ReminderPolicy())  # the workers' default policy
        expected.append(Expected(kind, subject, moment_occurrence(moment), due, notice, people))

    async with bound_to(url):
        world = await build_world()
        audience = (world.member_a.id, world.secretary_a.id, world.leader_1.id)
        for seconds in SOON_AT:
            start = now + timedelta(hours=2, seconds=seconds)
            meeting = f"meeting:{(await add_meeting(world, start)).id}"
            expect(K.MEETING_DAY_BEFORE, meeting, start, *audience)  # due 22 h ago: sent at once
            expect(K.MEETING_SOON, meeting, start, *audience)
        for seconds in DAY_BEFORE_AT:
            start = now + timedelta(hours=24, seconds=seconds)
            meeting = f"meeting:{(await add_meeting(world, start)).id}"
            expect(K.MEETING_DAY_BEFORE, meeting, start, *audience)
        for seconds in REVEAL_AT:
            start = now + timedelta(seconds=seconds)
            inspection = await add_inspection(
                world, start, start + timedelta(hours=2), InspectionKind.SURPRISE
            )
            notice = f"inspection:{inspection.id}"
            # the team heard the day before (due 24 h ago: sent at once); the unit's secretary
            # hears once it begins
            expect(K.INSPECTION_DAY_BEFORE, notice, start, world.inspector.id)
            expect(K.INSPECTION_REVEAL, notice, start, world.secretary_a.id)
    return expected


@pytest.mark.e2e
async def test_two_workers_send_each_reminder_once_and_the_survivor_of_a_sigkill_takes_over(
    database_url: str, tmp_path: Path
) -> None:
    chibo(
        "migrate",
        env={**os.environ, "CHIBO_DATABASE_URL": database_url, "CHIBO_SECRET_KEY": SECRET},
        cwd=tmp_path,
    )
    observer = await asyncpg.connect(database_url)
    try:
        with workers(database_url, tmp_path, NAMES, WORKER_ENV) as running:

            async def holder() -> str | None:
                return await leader(observer)

            async def reminders() -> dict[tuple[str, UUID, str], tuple[str, datetime | None]]:
                rows = await observer.fetch(
                    "SELECT kind, subject, occurrence, status, handled_at FROM reminder"
                )
                return {
                    (r["kind"], r["subject"], r["occurrence"]): (r["status"], r["handled_at"])
                    for r in rows
                }

            first = await until("a leader", holder, START_SECONDS, running)
            now = datetime.now(UTC).replace(microsecond=0)
            expected = await seed(database_url, now)
            keys = {(e.kind.value, e.subject, e.occurrence): e for e in expected}

            async def sent_up_to(seconds: int) -> bool:
                rows = await reminders()
                return all(
                    rows.get(key, ("", None))[0] == "sent"
                    for key, e in keys.items()
                    if e.due <= now + timedelta(seconds=seconds)
                )

            await until(
                f"the reminders due in {KILL_AFTER} s",
                lambda: sent_up_to(KILL_AFTER),
                KILL_AFTER + 3 * REMINDER_INTERVAL,
                running,
            )
            assert await holder() == first  # no hand-over so far
            os.kill(running[first].process.pid, signal.SIGKILL)
            killed_at = datetime.now(UTC)
            after_kill = [e for e in expected if e.due > killed_at]
            assert after_kill, "the leader was killed too late: nothing was left for the survivor"
            assert running[first].process.wait(timeout=10) == -signal.SIGKILL
            survivor = next(name for name in NAMES if name != first)

            async def taken_over() -> bool:
                return await holder() == survivor

            await until("the survivor's lead", taken_over, 10, running, alive=(survivor,))
            last_due = max(e.due for e in expected)
            await until(
                "every reminder sent",
                lambda: sent_up_to(10**6),
                (last_due - datetime.now(UTC)).total_seconds() + 3 * REMINDER_INTERVAL,
                running,
                alive=(survivor,),
            )
            all_sent = datetime.now(UTC)

            async def ran_again() -> bool:  # a whole run of the survivor after that
                started = await observer.fetchval(
                    "SELECT started_at FROM job_run WHERE job = 'send-reminders' AND outcome = 'ok'"
                )
                return started is not None and started > all_sent

            await until(
                "one more run", ran_again, 3 * REMINDER_INTERVAL, running, alive=(survivor,)
            )

            rows = await reminders()
            assert {key: status for key, (status, _) in rows.items()} == dict.fromkeys(keys, "sent")
            for e in after_kill:  # the survivor's work: none fell due before the kill
                handled_at = rows[(e.kind.value, e.subject, e.occurrence)][1]
                assert handled_at is not None
                assert handled_at >= e.due
            notices = {e.notice for e in expected}
            inbox = Counter(
                (r["person"], r["subject"])
                for r in await observer.fetch("SELECT person, subject FROM notification")
                if r["subject"] in notices
            )
            assert inbox == Counter((person, e.notice) for e in expected for person in e.people)
            assert await holder() == survivor
    finally:
        await observer.close()
