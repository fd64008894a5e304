"""Issue 7: the housekeeping job deletes, on both engines, the idempotency keys past their
lifetime, login-attempt counters the throttle has forgotten, refresh sessions ended more than 30
days ago and pushes settled more than 30 days ago; younger rows stay, and a second run finds
nothing to do."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest

from chibo.settings import Settings, SettingsError
from db.engine import Database
from db.repositories.auth import PiccoloAuthRepository
from db.tables import (
    DeliveryTable,
    DeviceSessionTable,
    IdempotencyKeyTable,
    LoginAttemptTable,
    PushDeviceTable,
    ReminderTable,
)
from domain.actors import Actor
from domain.auth.model import DeviceSession, RevokeReason, new_salt
from domain.notifications.model import Category, Platform
from domain.notifications.service import Message
from schedules.jobs import JOBS
from schedules.runner import run_job
from tests.conftest import TEST_SECRET, services
from tests.factories import build_world
from tests.fakes import FakeClock

SETTINGS = Settings(database_url="sqlite:///unused", secret_key=TEST_SECRET)
DAY = timedelta(days=1)


async def housekeep(db: Database, clock: FakeClock) -> None:
    """Run the job as the scheduler does, then again: the second run finds nothing to do."""
    ctx = services(db, clock, SETTINGS)
    run = await run_job(JOBS["housekeeping"], ctx)
    assert run.outcome == "ok", run.error
    assert await JOBS["housekeeping"].run(ctx) == 0


async def add_key(name: str, claimed_at: datetime, *, completed: bool = True) -> None:
    await IdempotencyKeyTable.insert(
        IdempotencyKeyTable(
            id=uuid4(),
            person=uuid4(),
            key=name,
            request_hash="0" * 64,
            status=201 if completed else None,
            body="{}" if completed else None,
            created_at=claimed_at,
            completed_at=claimed_at if completed else None,
        )
    )


async def keys() -> set[str]:
    return {r["key"] for r in await IdempotencyKeyTable.select(IdempotencyKeyTable.key)}


async def throttles() -> set[str]:
    return {r["key"] for r in await LoginAttemptTable.select(LoginAttemptTable.key)}


async def sessions() -> set[str]:
    rows = await DeviceSessionTable.select(DeviceSessionTable.device_name)
    return {r["device_name"] for r in rows}


async def delivery_tokens() -> set[str]:
    return {r["token"] for r in await DeliveryTable.select(DeliveryTable.token)}


async def test_idempotency_keys_go_after_their_lifetime(db: Database, clock: FakeClock) -> None:
    now, lifetime = clock.now(), SETTINGS.idempotency_key_lifetime
    await add_key("expired-0001", now - lifetime - timedelta(seconds=1))
    await add_key("young-00001", now - lifetime + timedelta(minutes=1))
    await add_key("in-flight-01", now - timedelta(seconds=5), completed=False)
    await housekeep(db, clock)
    assert await keys() == {"young-00001", "in-flight-01"}


async def test_login_attempts_go_once_the_throttle_forgot_them(
    db: Database, clock: FakeClock
) -> None:
    memory = SETTINGS.login_policy.forget_after
    for key, ago in (("account:old", memory), ("account:recent", memory - timedelta(seconds=1))):
        await LoginAttemptTable.insert(
            LoginAttemptTable(
                id=uuid4(),
                key=key,
                failures=30,
                last_attempt_at=clock.now() - ago,
                next_attempt_at=clock.now() - ago + timedelta(minutes=15),
            )
        )
    await housekeep(db, clock)
    assert await throttles() == {"account:recent"}


async def add_session(
    person_id: UUID, name: str, now: datetime, *, expires: timedelta, revoked: timedelta | None
) -> DeviceSession:
    """A session that expires ``expires`` from now (negative: in the past), revoked ``revoked``
    ago if given."""
    session = DeviceSession(
        uuid4(), person_id, name, 0, new_salt(), now - 90 * DAY, now - 90 * DAY, now + expires
    )
    repo = PiccoloAuthRepository()
    await repo.add_session(session)
    if revoked is not None:
        session.revoke(RevokeReason.LOGOUT, now - revoked)
        await repo.revoke_sessions([session.id], RevokeReason.LOGOUT, now - revoked)
    return session


async def test_sessions_go_30_days_after_they_expired_or_were_revoked(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    person, now = world.member_a.id, clock.now()
    for name, expires, revoked in (
        ("live", 10 * DAY, None),
        ("expired-31", -31 * DAY, None),
        ("expired-29", -29 * DAY, None),
        ("revoked-31", 10 * DAY, 31 * DAY),
        ("revoked-29", 10 * DAY, 29 * DAY),
        ("revoked-31-with-device", 10 * DAY, 31 * DAY),
    ):
        session = await add_session(person, name, now, expires=expires, revoked=revoked)
        if name.endswith("with-device"):
            # its device must keep pointing at a revoked session, or it would get pushes again
            actor = Actor(person_id=person, session_id=session.id, grants=())
            await (
                services(db, clock)
                .notifications("test")
                .register_device(actor, "tok-signed-out", Platform.ANDROID, "1.0", "vi")
            )
    await housekeep(db, clock)
    assert await sessions() == {
        "live",
        "expired-29",
        "revoked-29",
        "revoked-31-with-device",
    }
    await PushDeviceTable.delete().where(PushDeviceTable.token == "tok-signed-out")
    await housekeep(db, clock)
    assert "revoked-31-with-device" not in await sessions()


async def test_settled_deliveries_go_after_30_days_pending_ones_stay(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    actor = Actor(person_id=world.member_a.id, session_id=uuid4(), grants=())
    devices = services(db, clock).notifications("test")
    for token in ("sent", "failed", "cancelled", "pending", "sent-young"):
        await devices.register_device(actor, token, Platform.ANDROID, "1.0", "vi")
    message = Message(template="task_assigned", params={"title": "Sửa mái", "due": clock.now()})
    notifier = services(db, clock).notifier
    await notifier.notify([world.member_a.id], Category.TASK, "task:1", message)
    for token, age in (("sent", 31), ("failed", 31), ("cancelled", 31), ("pending", 31)):
        await DeliveryTable.update(
            {DeliveryTable.status: token, DeliveryTable.created_at: clock.now() - age * DAY}
        ).where(DeliveryTable.token == token)
    await DeliveryTable.update({DeliveryTable.status: "sent"}).where(
        DeliveryTable.token == "sent-young"
    )
    clock.advance(29 * DAY)
    await housekeep(db, clock)
    assert await delivery_tokens() == {"pending", "sent-young"}


async def test_a_second_run_finds_nothing_and_the_ages_are_settings(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    now = clock.now()
    await add_key("expired-0002", now - 8 * DAY)
    await add_session(world.member_a.id, "revoked-31", now, expires=DAY, revoked=31 * DAY)
    patient = replace(SETTINGS, idempotency_key_days=10, session_retention_days=60)
    ctx = services(db, clock, patient)
    assert await JOBS["housekeeping"].run(ctx) == 0  # younger than the configured ages
    ctx = services(db, clock, SETTINGS)
    assert await JOBS["housekeeping"].run(ctx) == 2  # the key and the session
    assert await JOBS["housekeeping"].run(ctx) == 0
    assert await IdempotencyKeyTable.count() == 0
    assert (
        await DeviceSessionTable.count().where(DeviceSessionTable.person == world.member_a.id) == 0
    )


def test_housekeeping_runs_daily_at_the_configured_local_hour() -> None:
    trigger = JOBS["housekeeping"].trigger(replace(SETTINGS, housekeeping_hour=4))
    assert str(trigger) == "cron[hour='4', minute='15']"


async def test_handled_reminders_go_after_their_retention_pending_ones_stay(
    db: Database, clock: FakeClock
) -> None:
    now, retention = clock.now(), timedelta(days=SETTINGS.reminder_retention_days)
    for occurrence, status, age in (
        ("old-sent", "sent", retention + DAY),
        ("old-skipped", "skipped", retention + DAY),
        ("old-pending", "pending", retention + DAY),
        ("young-sent", "sent", retention - DAY),
    ):
        await ReminderTable.insert(
            ReminderTable(
                kind="task_overdue",
                subject=uuid4(),
                occurrence=occurrence,
                status=status,
                created_at=now - age,
            )
        )
    await housekeep(db, clock)
    left = await ReminderTable.select(ReminderTable.occurrence)
    assert {r["occurrence"] for r in left} == {"old-pending", "young-sent"}


def test_reminders_are_kept_longer_than_a_sweep_looks_back() -> None:
    with pytest.raises(SettingsError, match="CHIBO_REMINDER_RETENTION_DAYS"):
        Settings.from_env(
            {
                "CHIBO_SECRET_KEY": TEST_SECRET,
                "CHIBO_REMINDER_RETENTION_DAYS": "7",
                "CHIBO_REMINDER_CATCH_UP_HOURS": "200",
            }
        )
