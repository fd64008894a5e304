"""The city install on PostgreSQL, shrunk: two `chibo serve` processes and two `chibo worker`
processes (pushes to the fake FCM) under a steady write load. One API process and the worker
holding the leader lock are killed with SIGKILL half-way. Then: no write a phone was told
succeeded is missing, every reminder was sent exactly once (one inbox row per person), and every
push was delivered (a push caught in the killed worker's batch may arrive twice, with the same
deliveryId, which the app drops).

The reminders fall due over the next seconds on the machine's clock: a meeting starting in
2 h + k s gets its 2-hour reminder k s from now, and its day-before one at the next sweep (which
must come before k s, when the day-before one goes stale: k ≥ 10 with sweeps every 5 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from db.repositories.notifications import PiccoloNotificationStore
from domain.notifications.model import Device, Platform, Preferences
from tests.factories import PASSWORD, World, build_world
from tests.fake_fcm import running_fake_fcm
from tests.processes import (
    CHIBO,
    STARTUP_SECONDS,
    chibo,
    free_port,
    leader,
    until,
    wait_until_ready,
    workers,
)
from tests.reminder_subjects import add_meeting, add_task
from tests.scratch_databases import bound_to, scratch_database

SECRET = "e2e-secret-key-that-is-long-enough-0123456789"
WORKERS = ("chibo-worker-a", "chibo-worker-b")
SOON_AT = (10, 13, 16, 19)  # seconds from the seeding until each meeting's 2-hour reminder
KILL_AFTER = 13  # the leader and an API process die once the reminders due by then are sent


@contextlib.contextmanager
def servers(url: str, cwd: Path, count: int) -> Iterator[list[tuple[str, subprocess.Popen[str]]]]:
    """`chibo serve` processes on ports of their own (base URL, process); killed at the end."""
    started: list[tuple[str, subprocess.Popen[str]]] = []
    env = {**os.environ, "CHIBO_DATABASE_URL": url, "CHIBO_SECRET_KEY": SECRET}
    try:
        for n in range(count):
            port = free_port()
            process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
                [str(CHIBO), "serve", "--port", str(port)],
                env=env,
                cwd=cwd,
                stdout=subprocess.DEVNULL,
                stderr=(cwd / f"serve-{n}.log").open("w"),
                text=True,
            )
            started.append((f"http://127.0.0.1:{port}", process))
        for base, process in started:
            wait_until_ready(process, base)
        yield started
    finally:
        for _, process in started:
            if process.poll() is None:
                process.kill()
            process.wait()


async def seed(url: str, now: datetime) -> tuple[World, uuid.UUID, dict[str, int]]:
    """The organisation with a phone for each person the meetings' reminders reach, a task to
    comment on, and the meetings; returns the expected inbox rows per meeting notice."""
    async with bound_to(url):
        world = await build_world()
        store = PiccoloNotificationStore()
        audience = (world.member_a, world.secretary_a, world.leader_1)
        for person in audience:
            await store.save_device(
                Device(uuid.uuid4(), person.id, f"phone-{person.id}", Platform.ANDROID, "1.0.0",
                       "vi", None, now, now)
            )  # fmt: skip
            # no quiet hours: after 21:00 in Hanoi they would hold the pushes until the morning
            await store.save_preferences(Preferences(person.id, quiet_hours=None), now)
        task = await add_task(world, now.date() + timedelta(days=30))
        notices: dict[str, int] = {}
        for seconds in SOON_AT:
            meeting = await add_meeting(world, now + timedelta(hours=2, seconds=seconds))
            notices[f"meeting:{meeting.id}"] = 2 * len(audience)  # day-before and 2-hour
        return world, task.id, notices


class Load:
    """Comments on one task, round robin over the API processes, each acknowledged write (201)
    noted; a process that does not answer acknowledges nothing."""

    def __init__(self, bases: list[str], phone: str, task: uuid.UUID) -> None:
        self.bases, self.phone, self.task = bases, phone, task
        self.acknowledged: list[str] = []
        self.stop = asyncio.Event()

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            headers = {}
            for base in self.bases:
                reply = await http.post(
                    f"{base}/api/v1/auth/login", json={"phone": self.phone, "password": PASSWORD}
                )
                headers[base] = {"Authorization": f"Bearer {reply.json()['accessToken']}"}
            n = 0
            while not self.stop.is_set():
                base, text = self.bases[n % len(self.bases)], f"load-{n}"
                n += 1
                with contextlib.suppress(httpx.TransportError):
                    reply = await http.post(
                        f"{base}/api/v1/tasks/{self.task}/comments",
                        json={"text": text},
                        headers=headers[base],
                    )
                    if reply.status_code == 201:
                        self.acknowledged.append(text)


@pytest.mark.e2e
async def test_killing_an_api_process_and_the_leading_worker_loses_and_doubles_nothing(
    tmp_path: Path,
) -> None:
    async with scratch_database("chibo_scale") as url, running_fake_fcm() as fake:
        chibo("migrate", env={**os.environ, "CHIBO_DATABASE_URL": url, "CHIBO_SECRET_KEY": SECRET},
              cwd=tmp_path)  # fmt: skip
        env = {
            "CHIBO_SECRET_KEY": SECRET,
            "CHIBO_LEADER_RETRY_SECONDS": "1",
            "CHIBO_DISPATCH_INTERVAL_SECONDS": "1",
            "CHIBO_REMINDER_INTERVAL_SECONDS": "5",
            "CHIBO_PUSH_LEASE_SECONDS": "3",
        }
        command = (sys.executable, "-m", "tests.fcm_worker", fake.base_url, fake.ca_file)
        observer = await asyncpg.connect(url)
        try:
            with (
                workers(url, tmp_path, WORKERS, env, command) as running,  # start meanwhile
                servers(url, tmp_path, 2) as api,
            ):

                async def holder() -> str | None:
                    return await leader(observer)

                first = await until("a leader", holder, STARTUP_SECONDS, running)
                now = datetime.now(UTC).replace(microsecond=0)
                world, task, notices = await seed(url, now)
                load = Load([base for base, _ in api], world.secretary_a.phone, task)
                writing = asyncio.create_task(load.run())

                async def sent(by: datetime) -> bool:
                    """Both reminders of each meeting whose 2-hour one is due by then: sent."""
                    meetings, reminders = await observer.fetchrow(
                        "SELECT (SELECT count(*) FROM meeting WHERE planned_start <= $1),"
                        " (SELECT count(*) FROM reminder WHERE status = 'sent' AND subject IN"
                        "  (SELECT id FROM meeting WHERE planned_start <= $1))",
                        by + timedelta(hours=2),
                    )
                    return meetings > 0 and reminders == 2 * meetings and bool(load.acknowledged)

                kill_at = now + timedelta(seconds=KILL_AFTER)
                await until("the first reminders", lambda: sent(kill_at), 30, running)
                os.kill(running[first].process.pid, signal.SIGKILL)
                api[0][1].kill()
                survivor = next(name for name in WORKERS if name != first)
                before_kill = len(load.acknowledged)

                async def taken_over() -> bool:
                    return await holder() == survivor

                await until("the survivor's lead", taken_over, 15, running, alive=[survivor])
                last = now + timedelta(seconds=max(SOON_AT))
                await until("every reminder", lambda: sent(last), 40, running, alive=[survivor])

                async def delivered() -> bool:
                    return (
                        not await observer.fetchval(
                            "SELECT count(*) FROM delivery WHERE status <> 'sent'"
                        )
                        and len(load.acknowledged) > before_kill
                    )

                await until("every push", delivered, 30, running, alive=[survivor])
                load.stop.set()
                await writing

                stored = {
                    r["text"]
                    for r in await observer.fetch(
                        "SELECT text FROM task_comment WHERE task = $1", task
                    )
                }
                assert set(load.acknowledged) <= stored  # no acknowledged write lost
                statuses = await observer.fetch(
                    "SELECT kind, status FROM reminder WHERE kind LIKE 'meeting%'"
                )
                assert Counter(r["status"] for r in statuses) == {"sent": 2 * len(SOON_AT)}
                inbox = Counter(
                    r["subject"]
                    for r in await observer.fetch("SELECT subject FROM notification")
                    if r["subject"] in notices
                )
                assert inbox == notices  # each reminder once to each person
                rows = await observer.fetch(
                    "SELECT d.token, d.notification FROM delivery d"
                    " JOIN notification n ON n.id = d.notification WHERE n.subject LIKE 'meeting:%'"
                )
                assert len(rows) == sum(notices.values())
                for row in rows:  # reached the fake FCM (twice at most, after the kill)
                    assert 1 <= fake.arrivals[(row["token"], str(row["notification"]))] <= 2
        finally:
            await observer.close()
