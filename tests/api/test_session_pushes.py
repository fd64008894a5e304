"""Issue 6: when a session ends, the pushes already queued for the devices it registered are
cancelled with it (logout, revoking from the sessions list, refresh-token reuse, password change);
devices of the person's other sessions keep theirs. Deactivating a person ends all their sessions
and forgets all their devices (issue 11). On both engines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from db.engine import Database
from db.repositories.notifications import PiccoloOutbox
from db.tables import DeliveryTable, DeviceSessionTable, PushDeviceTable
from domain.notifications.model import Category
from domain.notifications.service import Message
from notifications.dispatcher import Dispatcher
from notifications.senders.base import Outcome, Push, Result
from tests.api.helpers import bearer, sign_in
from tests.conftest import services
from tests.factories import PASSWORD, build_world
from tests.fakes import START, FakeClock

TASK = Message(template="task_assigned", params={"title": "Sửa mái nhà văn hóa", "due": START})


class RecordingSender:
    def __init__(self) -> None:
        self.pushes: list[Push] = []

    async def send(self, pushes: list[Push]) -> list[Result]:
        self.pushes += pushes
        return [Result(p.delivery_id, Outcome.SENT) for p in pushes]

    async def close(self) -> None:
        return None


async def register(client: httpx.AsyncClient, tokens: dict[str, Any], token: str) -> None:
    device = {"token": token, "platform": "android", "appVersion": "1.2.0", "locale": "vi"}
    reply = await client.post("/api/v1/me/devices", json=device, headers=bearer(tokens))
    assert reply.status_code == 200, reply.text


async def queue_push(db: Database, clock: FakeClock, person_id: Any, subject: str) -> None:
    await services(db, clock).notifier.notify([person_id], Category.TASK, subject, TASK)


async def by_token() -> dict[str, tuple[str, str | None]]:
    rows = await DeliveryTable.select(
        DeliveryTable.token, DeliveryTable.status, DeliveryTable.last_error
    )
    assert len({r["token"] for r in rows}) == len(rows)
    return {r["token"]: (r["status"], r["last_error"]) for r in rows}


async def test_logout_cancels_the_queued_pushes_of_its_devices_only(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    phone = await sign_in(client, world.member_a, "phone")
    tablet = await sign_in(client, world.member_a, "tablet")
    await register(client, phone, "tok-phone")
    await register(client, tablet, "tok-tablet")
    await queue_push(db, clock, world.member_a.id, "task:1")
    assert await by_token() == {"tok-phone": ("pending", None), "tok-tablet": ("pending", None)}

    assert (await client.post("/api/v1/auth/logout", headers=bearer(phone))).status_code == 204
    assert await by_token() == {
        "tok-phone": ("cancelled", "session ended: logout"),
        "tok-tablet": ("pending", None),
    }
    sender = RecordingSender()
    stats = await Dispatcher(PiccoloOutbox(db), sender, clock, worker="w1").drain()
    assert stats.sent == 1
    assert [p.token for p in sender.pushes] == ["tok-tablet"]
    assert (await by_token())["tok-phone"] == ("cancelled", "session ended: logout")


async def test_revoking_a_session_from_another_cancels_its_queued_pushes(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    phone = await sign_in(client, world.secretary_a, "phone")
    lost = await sign_in(client, world.secretary_a, "lost phone")
    await register(client, phone, "tok-phone")
    await register(client, lost, "tok-lost")
    await queue_push(db, clock, world.secretary_a.id, "task:1")
    reply = await client.post(
        f"/api/v1/auth/sessions/{lost['sessionId']}/revoke", headers=bearer(phone)
    )
    assert reply.status_code == 204
    assert await by_token() == {
        "tok-lost": ("cancelled", "session ended: revoked"),
        "tok-phone": ("pending", None),
    }


async def test_a_replayed_refresh_token_cancels_the_familys_queued_pushes(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    first = await sign_in(client, world.member_a, "phone")
    await register(client, first, "tok-phone")
    await queue_push(db, clock, world.member_a.id, "task:1")
    rotated = await client.post(
        "/api/v1/auth/refresh", json={"refreshToken": first["refreshToken"]}
    )
    assert rotated.status_code == 200
    assert await by_token() == {"tok-phone": ("pending", None)}  # a rotation ends nothing
    clock.advance(timedelta(minutes=1))  # past the grace window for a lost reply's duplicate
    replay = await client.post("/api/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})
    assert replay.json()["code"] == "refresh_token_reused"
    assert await by_token() == {"tok-phone": ("cancelled", "session ended: reuse")}


async def test_a_password_change_cancels_the_queued_pushes_of_the_other_sessions(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    here = await sign_in(client, world.member_a, "here")
    there = await sign_in(client, world.member_a, "there")
    await register(client, here, "tok-here")
    await register(client, there, "tok-there")
    await queue_push(db, clock, world.member_a.id, "task:1")
    reply = await client.post(
        "/api/v1/auth/password",
        json={"currentPassword": PASSWORD, "newPassword": "mat-khau-moi-123"},
        headers=bearer(here),
    )
    assert reply.status_code == 204, reply.text
    assert await by_token() == {
        "tok-here": ("pending", None),
        "tok-there": ("cancelled", "session ended: password_changed"),
    }


async def test_a_token_registered_again_by_a_newer_session_keeps_its_pushes(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    old = await sign_in(client, world.member_a, "phone")
    await register(client, old, "tok-phone")
    new = await sign_in(client, world.member_a, "phone")  # the app signed in again
    await register(client, new, "tok-phone")
    await queue_push(db, clock, world.member_a.id, "task:1")
    reply = await client.post(
        f"/api/v1/auth/sessions/{old['sessionId']}/revoke", headers=bearer(new)
    )
    assert reply.status_code == 204
    assert await by_token() == {"tok-phone": ("pending", None)}


async def test_deactivating_a_person_ends_every_session_and_forgets_their_devices(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    admin = await sign_in(client, world.admin, "desk")
    phone = await sign_in(client, world.member_a, "phone")
    tablet = await sign_in(client, world.member_a, "tablet")
    other = await sign_in(client, world.secretary_a, "phone")
    await register(client, phone, "tok-phone")
    await register(client, tablet, "tok-tablet")
    await register(client, other, "tok-other")
    await queue_push(db, clock, world.member_a.id, "task:1")
    await queue_push(db, clock, world.secretary_a.id, "task:1")

    people = f"/api/v1/people/{world.member_a.id}"
    reply = await client.post(f"{people}/deactivate", headers=bearer(admin))
    assert reply.status_code == 200, reply.text
    assert await by_token() == {
        "tok-phone": ("cancelled", "session ended: disabled"),
        "tok-tablet": ("cancelled", "session ended: disabled"),
        "tok-other": ("pending", None),
    }
    devices = await PushDeviceTable.select(PushDeviceTable.token)
    assert [d["token"] for d in devices] == ["tok-other"]
    sessions = await DeviceSessionTable.select(DeviceSessionTable.revoked_reason).where(
        DeviceSessionTable.person == world.member_a.id
    )
    assert [s["revoked_reason"] for s in sessions] == ["disabled", "disabled"]

    # back again: nothing of before comes back with them
    assert (await client.post(f"{people}/activate", headers=bearer(admin))).status_code == 200
    for tokens in (phone, tablet):
        assert (await client.get("/api/v1/me", headers=bearer(tokens))).status_code == 401
        refresh = await client.post(
            "/api/v1/auth/refresh", json={"refreshToken": tokens["refreshToken"]}
        )
        assert refresh.json()["code"] == "session_expired"
    await queue_push(db, clock, world.member_a.id, "task:2")
    assert len(await by_token()) == 3  # no delivery to a forgotten device
