"""Two workers at once on PostgreSQL, in-process: at a hand-over both may run the reminders for a
moment, and each reminder must still go out once; a leader that falls silent must not keep the
lock for hours. (Real processes and SIGKILL: tests/e2e/test_workers.py.)"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta

import pytest

from db.tables import NotificationTable, ReminderTable
from domain.clock import local_at
from domain.reminders.service import ReminderService
from schedules.runner import LeaderLock
from tests.factories import build_world
from tests.fakes import FakeClock
from tests.reminder_subjects import add_meeting, add_task, reminder_service
from tests.scratch_databases import POSTGRES_URL, bound_to, scratch_database

TASKS = 60
BATCH = 7  # small, so that the two workers' batches interleave


async def test_two_workers_running_the_reminders_at_once_send_each_one_once() -> None:
    """Both sweep and deliver at the same moment, each transaction on its own connection."""
    day = date(2026, 12, 2)
    async with (
        scratch_database("chibo_claims") as url,
        bound_to(url, migrated=True) as db,
    ):
        world = await build_world()
        tasks = [await add_task(world, day + timedelta(days=7)) for _ in range(TASKS)]
        meeting = await add_meeting(world, local_at(day, 19, 30))
        clock = FakeClock(local_at(day, 17, 30))  # the tasks' 7-day and the meeting's 2-hour one
        first, second = reminder_service(db, clock), reminder_service(db, clock)

        async def run(reminders: ReminderService) -> tuple[int, int]:
            inserted = await reminders.sweep()
            return inserted, (await reminders.deliver(BATCH)).sent

        (inserted_a, sent_a), (inserted_b, sent_b) = await asyncio.gather(run(first), run(second))
        again = await asyncio.gather(first.run(), second.run())

        rows = await ReminderTable.select(ReminderTable.status)
        inbox = Counter(
            r["subject"] for r in await NotificationTable.select(NotificationTable.subject)
        )
    # the meeting's day-before reminder was skipped (stale); everything else went out once
    assert inserted_a + inserted_b == len(rows) == TASKS + 2
    assert sent_a + sent_b == TASKS + 1
    assert Counter(r["status"] for r in rows) == {"sent": TASKS + 1, "skipped": 1}
    assert [(s.inserted, s.sent) for s in again] == [(0, 0), (0, 0)]
    audience = 3  # the member, the secretary and the leader following the cell
    assert inbox == {f"task:{t.id}": 1 for t in tasks} | {f"meeting:{meeting.id}": audience}


async def test_the_leader_lock_connection_lets_a_silent_holder_go_within_seconds() -> None:
    """When a holder's host dies or its network goes, no one closes the connection: the server
    must notice by keepalives, not after its default 2 hours, for another worker to take over."""
    if not POSTGRES_URL:
        pytest.skip("CHIBO_TEST_POSTGRES_URL is not set")
    lock = LeaderLock(POSTGRES_URL, key=3)
    try:
        assert await lock.try_acquire()
        assert lock.connection is not None
        settings = {
            name: await lock.connection.fetchval(f"SHOW {name}")
            for name in (
                "tcp_keepalives_idle",
                "tcp_keepalives_interval",
                "tcp_keepalives_count",
                "tcp_user_timeout",
            )
        }
    finally:
        await lock.release()
    idle, interval, count = (
        int(settings[f"tcp_keepalives_{n}"]) for n in ("idle", "interval", "count")
    )
    assert idle + interval * count <= 30  # seconds of silence before the server lets go
    assert 0 < int(settings["tcp_user_timeout"]) <= 30_000  # ms; for a reply never acknowledged
