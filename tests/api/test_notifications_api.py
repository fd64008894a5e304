from __future__ import annotations

from datetime import timedelta

import httpx

from db.engine import Database
from db.tables import DeliveryTable
from domain.notifications.model import Category
from domain.notifications.service import Message
from tests.conftest import services
from tests.factories import build_world, login
from tests.fakes import START, FakeClock

DEVICE = {"token": "fcm:abc-123_XYZ", "platform": "android", "appVersion": "1.2.0", "locale": "vi"}


async def notify(db: Database, clock: FakeClock, person_id: object, subject: str) -> None:
    message = Message(template="task_assigned", params={"title": "Sửa mái", "due": START})
    await services(db, clock).notifier.notify(
        [person_id],  # type: ignore[list-item]
        Category.TASK,
        subject,
        message,
    )


async def test_register_refresh_move_and_unregister_a_device(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    member, secretary = await login(client, world.member_a), await login(client, world.secretary_a)
    first = await client.post("/api/v1/me/devices", json=DEVICE, headers=member)
    assert first.status_code == 200, first.text
    again = await client.post(
        "/api/v1/me/devices", json=DEVICE | {"appVersion": "1.3.0"}, headers=member
    )
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["appVersion"] == "1.3.0"
    await notify(db, clock, world.member_a.id, "task:1")
    moved = await client.post("/api/v1/me/devices", json=DEVICE, headers=secretary)
    assert moved.status_code == 200
    assert {r["status"] for r in await DeliveryTable.select()} == {"cancelled"}
    gone = await client.delete(f"/api/v1/me/devices/{DEVICE['token']}", headers=member)
    assert gone.status_code == 404
    assert gone.json()["code"] == "device_not_found"
    ok = await client.delete(f"/api/v1/me/devices/{DEVICE['token']}", headers=secretary)
    assert ok.status_code == 204


async def test_a_device_needs_a_known_platform(client: httpx.AsyncClient) -> None:
    world = await build_world()
    member = await login(client, world.member_a)
    reply = await client.post(
        "/api/v1/me/devices", json=DEVICE | {"platform": "symbian"}, headers=member
    )
    assert reply.status_code == 422


async def test_inbox_pages_counts_and_marks_read(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    member = await login(client, world.member_a)
    for n in range(3):
        clock.advance(timedelta(minutes=1))
        await notify(db, clock, world.member_a.id, f"task:{n}")
    await notify(db, clock, world.secretary_a.id, "task:x")
    page = await client.get("/api/v1/me/notifications", params={"limit": 2}, headers=member)
    assert page.status_code == 200
    body = page.json()
    assert [n["data"]["subject"] for n in body["items"]] == ["task:2", "task:1"]  # newest first
    rest = await client.get(
        "/api/v1/me/notifications",
        params={"limit": 2, "cursor": body["nextCursor"]},
        headers=member,
    )
    assert [n["data"]["subject"] for n in rest.json()["items"]] == ["task:0"]
    assert rest.json()["nextCursor"] is None
    count = await client.get("/api/v1/me/notifications/unread-count", headers=member)
    assert count.json() == {"unread": 3}
    first = body["items"][0]
    assert first["data"]["notificationId"] == first["id"]
    read = await client.post(f"/api/v1/me/notifications/{first['id']}/read", headers=member)
    assert read.status_code == 204
    unread = await client.get(
        "/api/v1/me/notifications", params={"unreadOnly": "true"}, headers=member
    )
    assert len(unread.json()["items"]) == 2
    marked = await client.post("/api/v1/me/notifications/read-all", headers=member)
    assert marked.json() == {"marked": 2}
    count = await client.get("/api/v1/me/notifications/unread-count", headers=member)
    assert count.json() == {"unread": 0}


async def test_another_persons_notification_reads_as_missing(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    await notify(db, clock, world.secretary_a.id, "task:x")
    secretary = await login(client, world.secretary_a)
    (theirs,) = (await client.get("/api/v1/me/notifications", headers=secretary)).json()["items"]
    member = await login(client, world.member_a)
    reply = await client.post(f"/api/v1/me/notifications/{theirs['id']}/read", headers=member)
    assert reply.status_code == 404
    assert reply.json()["code"] == "notification_not_found"


async def test_preferences_default_and_update(client: httpx.AsyncClient) -> None:
    world = await build_world()
    member, leader = await login(client, world.member_a), await login(client, world.leader_1)
    default = await client.get("/api/v1/me/notification-preferences", headers=member)
    assert default.json() == {
        "categories": {
            "meeting": True, "inspection": True, "task": True, "escalation": True, "digest": True,
        },
        "quietHours": {"start": "21:00", "end": "06:30"},
        "dailyDigest": False,
    }  # fmt: skip
    wanted = {
        "categories": {"task": False},
        "quietHours": {"start": "22:00", "end": "05:45"},
        "dailyDigest": False,
    }
    saved = await client.put("/api/v1/me/notification-preferences", json=wanted, headers=member)
    assert saved.status_code == 200, saved.text
    again = await client.get("/api/v1/me/notification-preferences", headers=member)
    assert again.json() == saved.json()
    assert again.json()["categories"]["task"] is False
    assert again.json()["quietHours"] == {"start": "22:00", "end": "05:45"}
    digest = wanted | {"dailyDigest": True, "quietHours": None}
    refused = await client.put("/api/v1/me/notification-preferences", json=digest, headers=member)
    assert refused.status_code == 422
    assert refused.json()["code"] == "digest_leaders_only"
    taken = await client.put("/api/v1/me/notification-preferences", json=digest, headers=leader)
    assert taken.json()["dailyDigest"] is True
    assert taken.json()["quietHours"] is None
    empty = wanted | {"quietHours": {"start": "22:00", "end": "22:00"}}
    bad = await client.put("/api/v1/me/notification-preferences", json=empty, headers=member)
    assert bad.status_code == 422
    assert bad.json()["code"] == "quiet_hours_invalid"


async def test_everything_needs_a_login(client: httpx.AsyncClient) -> None:
    for method, path in (
        ("GET", "/api/v1/me/notifications"),
        ("GET", "/api/v1/me/notifications/unread-count"),
        ("GET", "/api/v1/me/notification-preferences"),
        ("POST", "/api/v1/me/notifications/read-all"),
    ):
        assert (await client.request(method, path)).status_code == 401
