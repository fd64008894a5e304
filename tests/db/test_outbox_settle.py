"""PiccoloOutbox.settle writes each outcome kind with one UPDATE, yet every delivery gets its own
retry time and error, and only rows still pending change."""

from __future__ import annotations

from datetime import timedelta

from db.engine import Database
from db.repositories.notifications import PiccoloNotificationStore, PiccoloOutbox
from db.tables import DeliveryTable
from domain.notifications.model import Category
from domain.notifications.ports import Failure, Retry, Settlement
from tests.db.test_outbox import TASK, add_device, notifier
from tests.factories import build_world
from tests.fakes import FakeClock


async def test_each_delivery_gets_its_own_outcome_in_one_settle(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    tokens = ["s-1", "r-1", "r-2", "f-1", "f-2", "gone"]
    for token in tokens:
        await add_device(db, clock, world.member_a.id, token)
    await notifier(db, clock).notify([world.member_a.id], Category.TASK, "task:1", TASK)
    outbox = PiccoloOutbox(db)
    now = clock.now()
    claimed = await outbox.claim("w1", now, now + timedelta(minutes=5), 500)
    by_token = {c.token: c.delivery_id for c in claimed}
    assert sorted(by_token) == sorted(tokens)
    assert {c.title for c in claimed} == {"Việc mới được giao"}
    await PiccoloNotificationStore().cancel_pending("gone")  # moved while the batch was out
    await outbox.settle(
        Settlement(
            sent=(by_token["s-1"], by_token["gone"]),
            retry=(
                Retry(by_token["r-1"], now + timedelta(seconds=30), "UNAVAILABLE"),
                Retry(by_token["r-2"], now + timedelta(seconds=120), None),
            ),
            failed=(Failure(by_token["f-1"], "gave up: 503"), Failure(by_token["f-2"], "expired")),
        ),
        now,
    )
    rows = {r["token"]: r for r in await DeliveryTable.select()}
    got = {
        token: (r["status"], r["attempts"], r["next_attempt_at"], r["last_error"], r["sent_at"])
        for token, r in rows.items()
    }
    assert got == {
        "s-1": ("sent", 1, now, None, now),
        "r-1": ("pending", 1, now + timedelta(seconds=30), "UNAVAILABLE", None),
        "r-2": ("pending", 1, now + timedelta(seconds=120), None, None),
        "f-1": ("failed", 1, now, "gave up: 503", None),
        "f-2": ("failed", 1, now, "expired", None),
        "gone": ("cancelled", 0, now, "device unregistered or moved", None),
    }
    assert {r["claimed_by"] for token, r in rows.items() if token != "gone"} == {None}
