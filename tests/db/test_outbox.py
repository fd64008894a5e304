"""The transactional outbox on both engines: inbox rows and deliveries commit with the change or
not at all; the dispatcher records each outcome; leases and concurrent claims."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from db.engine import Database
from db.migrate import bind
from db.repositories.auth import PiccoloAuthRepository
from db.repositories.notifications import PiccoloNotificationStore, PiccoloOutbox
from db.tables import (
    DeliveryTable,
    LeaderAssignmentTable,
    MembershipTable,
    NotificationTable,
    PersonTable,
    PushDeviceTable,
    RoleGrantTable,
    UnitTable,
)
from domain.actors import Actor
from domain.auth.model import DeviceSession, RevokeReason, new_salt
from domain.notifications.model import Category, Platform, Preferences, Texts
from domain.notifications.service import Message, Notifier
from domain.org.model import Locale
from domain.pagination import PageRequest
from notifications.dispatcher import Dispatcher
from notifications.senders.base import Outcome, Push, Result
from tests.conftest import services
from tests.factories import World, build_world
from tests.fakes import START, FakeClock

TASK = Message(template="task_assigned", params={"title": "Sửa mái nhà văn hóa", "due": START})


class FakeSender:
    """A Sender that answers what each token asks for: tokens starting "bad" are unregistered,
    "busy" ones are throttled with Retry-After: 120, "fail" makes the whole batch raise."""

    def __init__(self) -> None:
        self.batches: list[list[Push]] = []

    async def send(self, pushes: list[Push]) -> list[Result]:
        self.batches.append(pushes)
        if any(p.token.startswith("fail") for p in pushes):
            msg = "connection dropped"
            raise ConnectionError(msg)
        results = []
        for push in pushes:
            if push.token.startswith("bad"):
                results.append(Result(push.delivery_id, Outcome.INVALID_TOKEN, error="404"))
            elif push.token.startswith("busy"):
                results.append(
                    Result(push.delivery_id, Outcome.RETRY, retry_after_seconds=120, error="429")
                )
            else:
                results.append(Result(push.delivery_id, Outcome.SENT))
        return results

    async def close(self) -> None:
        return None

    @property
    def pushes(self) -> list[Push]:
        return [p for batch in self.batches for p in batch]


def actor(person_id: UUID, session_id: UUID | None = None) -> Actor:
    return Actor(person_id=person_id, session_id=session_id or uuid4(), grants=())


async def add_device(db: Database, clock: FakeClock, person_id: UUID, token: str) -> None:
    service = services(db, clock).notifications("test")
    await service.register_device(actor(person_id), token, Platform.ANDROID, "1.0.0", "vi")


def notifier(db: Database, clock: FakeClock) -> Notifier:
    return services(db, clock).notifier


async def deliveries() -> list[dict[str, object]]:
    return list(await DeliveryTable.select().order_by(DeliveryTable.token))


async def test_a_rolled_back_change_leaves_no_notification_and_no_delivery(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    await add_device(db, clock, world.member_a.id, "tok-a")
    before = await NotificationTable.count(), await DeliveryTable.count()

    class ChangeFailedError(Exception):
        pass

    async def change() -> None:
        async with db.atomic():
            await notifier(db, clock).notify([world.member_a.id], Category.TASK, "task:1", TASK)
            assert await DeliveryTable.count() == before[1] + 1  # visible inside the change
            raise ChangeFailedError

    with pytest.raises(ChangeFailedError):
        await change()
    assert (await NotificationTable.count(), await DeliveryTable.count()) == before


async def test_notify_writes_an_inbox_row_per_person_and_a_delivery_per_device(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    for token in ("tok-a1", "tok-a2"):
        await add_device(db, clock, world.member_a.id, token)
    await add_device(db, clock, world.secretary_a.id, "tok-s")
    await PiccoloNotificationStore().save_preferences(
        Preferences(world.secretary_a.id, disabled=frozenset({Category.TASK})), START
    )
    people = [world.member_a.id, world.secretary_a.id, world.leader_1.id, world.member_a.id]
    sent = await notifier(db, clock).notify(people, Category.TASK, "task:1", TASK)
    assert sorted(n.person_id for n in sent) == sorted(
        [world.member_a.id, world.secretary_a.id, world.leader_1.id]
    )
    rows = await deliveries()
    assert [r["token"] for r in rows] == ["tok-a1", "tok-a2"]  # the secretary switched tasks off
    inbox = await PiccoloNotificationStore().inbox(
        world.member_a.id, PageRequest(), unread_only=False
    )
    (item,) = inbox.items
    assert item.data["notificationId"] == str(item.id)
    assert item.title == "Việc mới được giao"


async def test_english_speakers_get_english_and_fixed_texts_work(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    await PersonTable.update({PersonTable.locale: Locale.EN.value}).where(
        PersonTable.id == world.leader_1.id
    )
    message = Message(vi=Texts("Xin chào", "Nội dung"), en=Texts("Hello", "Body"))
    (vi,) = await notifier(db, clock).notify([world.member_a.id], Category.MEETING, "m:1", message)
    (en,) = await notifier(db, clock).notify([world.leader_1.id], Category.MEETING, "m:1", message)
    assert (vi.title, en.title) == ("Xin chào", "Hello")


async def test_quiet_hours_hold_the_delivery_until_morning(db: Database, clock: FakeClock) -> None:
    world = await build_world()
    await add_device(db, clock, world.member_a.id, "tok-a")
    clock.reset(START + timedelta(hours=13))  # 22:00 in Hà Nội
    await notifier(db, clock).notify([world.member_a.id], Category.TASK, "task:1", TASK)
    await notifier(db, clock).notify(
        [world.member_a.id], Category.ESCALATION, "task:1", TASK, urgent=True
    )
    due = sorted(r["next_attempt_at"] for r in await deliveries())  # type: ignore[type-var]
    assert due == [clock.now(), START + timedelta(hours=21, minutes=30)]  # 06:30 tomorrow


async def test_dispatcher_sends_deletes_invalid_tokens_and_retries_later(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    for token in ("ok-1", "bad-1", "busy-1"):
        await add_device(db, clock, world.member_a.id, token)
    await notifier(db, clock).notify([world.member_a.id], Category.TASK, "task:1", TASK)
    await notifier(db, clock).notify([world.member_a.id], Category.TASK, "task:2", TASK)
    sender = FakeSender()
    dispatcher = Dispatcher(PiccoloOutbox(db), sender, clock, worker="w1", rand=lambda: 0.0)
    stats = await dispatcher.drain()
    assert (stats.claimed, stats.sent, stats.retried, stats.failed) == (6, 2, 2, 2)
    rows = {(r["token"], r["status"]) for r in await deliveries()}
    # both "bad" deliveries were claimed in the same batch: both failed, the device is gone
    assert rows == {("ok-1", "sent"), ("bad-1", "failed"), ("busy-1", "pending")}
    assert await PushDeviceTable.count().where(PushDeviceTable.token == "bad-1") == 0
    busy = await DeliveryTable.select().where(DeliveryTable.token == "busy-1")
    assert {r["next_attempt_at"] for r in busy} == {START + timedelta(seconds=120)}
    assert {r["attempts"] for r in busy} == {1}
    assert {p.data["notificationId"] for p in sender.pushes} == {
        str(r["notification"]) for r in await deliveries()
    }
    assert await dispatcher.drain() == type(stats)()  # nothing due until Retry-After passes
    clock.advance(timedelta(seconds=120))
    again = await dispatcher.drain()
    assert (again.claimed, again.retried) == (2, 2)


async def test_a_failed_batch_is_retried_never_counted_as_sent(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    await add_device(db, clock, world.member_a.id, "fail-1")
    await notifier(db, clock).notify([world.member_a.id], Category.TASK, "task:1", TASK)
    dispatcher = Dispatcher(PiccoloOutbox(db), FakeSender(), clock, worker="w1", rand=lambda: 0.0)
    stats = await dispatcher.run_once()
    assert (stats.sent, stats.retried) == (0, 1)
    (row,) = await deliveries()
    assert row["status"] == "pending"
    assert row["claimed_by"] is None


async def test_a_dispatcher_that_died_after_claiming_loses_nothing(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    await add_device(db, clock, world.member_a.id, "tok-a")
    await notifier(db, clock).notify([world.member_a.id], Category.TASK, "task:1", TASK)
    outbox = PiccoloOutbox(db)
    lease = timedelta(minutes=5)
    claimed = await outbox.claim("dead", clock.now(), clock.now() + lease, 500)
    assert len(claimed) == 1  # ... and the worker dies before sending
    assert await outbox.claim("w2", clock.now(), clock.now() + lease, 500) == []  # leased
    clock.advance(lease)
    sender = FakeSender()
    stats = await Dispatcher(outbox, sender, clock, worker="w2").drain()
    assert stats.sent == 1
    assert [p.delivery_id for p in sender.pushes] == [claimed[0].delivery_id]


async def test_a_renewed_lease_keeps_others_off_and_only_its_holder_renews(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    await add_device(db, clock, world.member_a.id, "tok-a")
    await notifier(db, clock).notify([world.member_a.id], Category.TASK, "task:1", TASK)
    outbox, lease = PiccoloOutbox(db), timedelta(seconds=30)
    (claimed,) = await outbox.claim("w1", clock.now(), clock.now() + lease, 500)
    clock.advance(timedelta(seconds=20))
    await outbox.renew("w1", [claimed.delivery_id], clock.now() + lease)
    await outbox.renew("w2", [claimed.delivery_id], clock.now())  # not its claim: no effect
    clock.advance(timedelta(seconds=20))  # past the first lease, inside the renewed one
    assert await outbox.claim("w2", clock.now(), clock.now() + lease, 500) == []
    clock.advance(timedelta(seconds=10))  # the holder died: free after one more lease at most
    (taken,) = await outbox.claim("w2", clock.now(), clock.now() + lease, 500)
    assert taken.delivery_id == claimed.delivery_id


async def test_a_moved_or_unregistered_token_gets_no_more_pushes(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    await add_device(db, clock, world.member_a.id, "shared")
    await notifier(db, clock).notify([world.member_a.id], Category.TASK, "task:1", TASK)
    await add_device(db, clock, world.secretary_a.id, "shared")  # the phone changed hands
    (row,) = await deliveries()
    assert row["status"] == "cancelled"
    device = await PiccoloNotificationStore().device("shared")
    assert device is not None
    assert device.person_id == world.secretary_a.id


async def test_a_logged_out_session_gets_no_more_pushes(db: Database, clock: FakeClock) -> None:
    world = await build_world()
    session = DeviceSession(
        uuid4(), world.member_a.id, "phone", 0, new_salt(), START, START, START + timedelta(days=9)
    )
    auth = PiccoloAuthRepository()
    await auth.add_session(session)
    service = services(db, clock).notifications("test")
    await service.register_device(
        actor(world.member_a.id, session.id), "tok-a", Platform.IOS, "1.0", "vi"
    )
    await auth.revoke_sessions([session.id], RevokeReason.LOGOUT, START)
    await notifier(db, clock).notify([world.member_a.id], Category.TASK, "task:1", TASK)
    assert await deliveries() == []


async def test_devices_unseen_for_270_days_are_dropped(db: Database, clock: FakeClock) -> None:
    world = await build_world()
    await add_device(db, clock, world.member_a.id, "old")
    clock.advance(timedelta(days=200))
    await add_device(db, clock, world.member_a.id, "recent")
    clock.advance(timedelta(days=71))
    service = services(db, clock).notifications("test")
    assert await service.drop_unseen_devices() == 1
    assert await PiccoloNotificationStore().device("old") is None
    assert await PiccoloNotificationStore().device("recent") is not None


# -- two dispatchers on PostgreSQL, on two pooled connections, outside the test transaction ----


@pytest.mark.skipif(
    not os.environ.get("CHIBO_TEST_POSTGRES_URL"), reason="needs CHIBO_TEST_POSTGRES_URL"
)
async def test_two_dispatchers_on_postgres_never_claim_the_same_delivery(
    databases: dict[str, Database],
) -> None:
    db = databases["postgres"]
    bind(db)
    clock = FakeClock()
    world: World = await build_world()  # committed: claims run on their own connections
    try:
        for n in range(40):
            await add_device(db, clock, world.member_a.id, f"pg-{n:02d}")
        for n in range(10):
            await notifier(db, clock).notify(
                [world.member_a.id], Category.TASK, f"task:{n}", TASK
            )  # 400 deliveries
        outbox = PiccoloOutbox(db)
        until = clock.now() + timedelta(minutes=5)
        seen: set[UUID] = set()
        for _ in range(4):  # the 4th round gets the last 40
            first, second = await asyncio.gather(
                outbox.claim("a", clock.now(), until, 60), outbox.claim("b", clock.now(), until, 60)
            )
            a, b = {c.delivery_id for c in first}, {c.delivery_id for c in second}
            assert not a & b
            assert not (a | b) & seen
            seen |= a | b
        assert len(seen) == 400  # 3 rounds of 2 x 60 claims, then the last 40
    finally:
        await cleanup(world)


async def cleanup(world: World) -> None:
    """Remove the committed world (cascades take devices, notifications and deliveries)."""
    people = [
        world.admin.id, world.member_a.id, world.secretary_a.id, world.secretary_b.id,
        world.leader_1.id, world.leader_2.id, world.inspector.id,
    ]  # fmt: skip
    await LeaderAssignmentTable.delete().where(LeaderAssignmentTable.leader.is_in(people))
    await MembershipTable.delete().where(MembershipTable.person.is_in(people))
    await RoleGrantTable.delete().where(RoleGrantTable.person.is_in(people))
    await PersonTable.delete().where(PersonTable.id.is_in(people))
    for unit in (world.cell_a, world.cell_b, world.ward1, world.ward2, world.city):
        await UnitTable.delete().where(UnitTable.id == unit.id)
