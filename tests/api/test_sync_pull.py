"""Sync pull on both engines: a first sync, catching up, what leaves the caller's view, sealed
inspections (hidden until their start, then revealed without any write), forged cursors."""

from __future__ import annotations

import base64
import copy
from datetime import timedelta
from typing import Any

import httpx

from db.engine import Database
from db.repositories.sync import SyncLog
from tests.api import inspection_calls as insp
from tests.api import meeting_calls as meet
from tests.api.helpers import Headers, if_match, problem
from tests.api.sync_calls import PULL, Store, pull
from tests.api.task_calls import new_task
from tests.factories import build_world, login
from tests.fakes import FakeClock


def without_cursor(page: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in page.items() if k != "cursor"}


async def test_a_first_sync_hands_out_what_the_caller_can_read(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    meeting = await meet.create(client, secretary, meet.meeting_body(world))
    task = await new_task(client, secretary, world.cell_a, world.member_a)
    store = Store()
    assert await store.sync(client, secretary) == 1
    assert meeting["id"] in store.ids("meetings")
    assert task["id"] in store.ids("tasks")
    assert str(world.cell_a.id) in store.ids("units")
    assert {str(world.member_a.id), str(world.secretary_a.id)} <= store.ids("people")
    assert str(world.membership_a.id) in store.ids("memberships")
    # nothing of cell B, and each object exactly as its REST read answers it
    assert str(world.cell_b.id) not in store.ids("units")
    assert str(world.secretary_b.id) not in store.ids("people")
    got = await client.get(f"/api/v1/meetings/{meeting['id']}", headers=secretary)
    assert store.objects["meetings"][meeting["id"]] == (1, got.json())
    again = await pull(client, secretary, store.cursor)
    assert (again["changes"], again["hasMore"], again["reset"]) == ({}, False, False)


async def test_catching_up_hands_out_only_what_changed(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    meeting = await meet.create(client, secretary, meet.meeting_body(world))
    store = Store()
    await store.sync(client, secretary)
    url = f"/api/v1/meetings/{meeting['id']}/attendance/{world.member_a.id}"
    marked = await client.put(
        url, json={"status": "excused", "reason": "Ốm"}, headers=if_match(secretary, 1)
    )
    assert marked.status_code == 200, marked.text
    page = await pull(client, secretary, store.cursor)
    assert list(page["changes"]) == ["meetings"]
    assert [m["id"] for m in page["changes"]["meetings"]["upserted"]] == [meeting["id"]]
    assert page["changes"]["meetings"]["upserted"][0]["version"] == 2


async def test_small_pages_add_up_to_one_big_one(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    for day in range(3):
        start = meet.DEC_4 + timedelta(days=day)
        await meet.create(client, secretary, meet.meeting_body(world, start))
    whole, paged = Store(), Store()
    assert await whole.sync(client, secretary) == 1
    assert await paged.sync(client, secretary, limit=2) > 3
    assert paged.objects == whole.objects


async def test_an_object_that_leaves_the_view_is_removed_without_saying_where(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    secretary, admin = await login(client, world.secretary_a), await login(client, world.admin)
    store = Store()
    await store.sync(client, secretary)
    member = str(world.member_a.id)
    assert member in store.ids("people")
    moved = await client.patch(
        f"/api/v1/people/{member}",
        json={"homeUnitId": str(world.cell_b.id)},
        headers=if_match(admin, 1),
    )
    assert moved.status_code == 200, moved.text
    page = await pull(client, secretary, store.cursor)
    assert page["changes"]["people"] == {"upserted": [], "removed": [member]}
    store.apply(page)
    assert member not in store.ids("people")


async def test_a_revoked_grant_resets_the_phone(client: httpx.AsyncClient) -> None:
    world = await build_world()
    leader, admin = await login(client, world.leader_1), await login(client, world.admin)
    meeting = await meet.create(
        client, await login(client, world.secretary_a), meet.meeting_body(world)
    )
    store = Store()
    await store.sync(client, leader)
    assert meeting["id"] in store.ids("meetings")
    grants = await client.get(
        "/api/v1/grants", params={"personId": str(world.leader_1.id)}, headers=admin
    )
    (grant,) = grants.json()["items"]
    revoked = await client.post(f"/api/v1/grants/{grant['id']}/revoke", headers=admin)
    assert revoked.status_code == 200, revoked.text
    page = await pull(client, leader, store.cursor)
    assert page["reset"] is True
    store.apply(page)
    await store.sync(client, leader)
    assert meeting["id"] not in store.ids("meetings")
    assert store.ids("units") == set()


async def sealed_scene(client: httpx.AsyncClient) -> tuple[insp.Scene, Headers, Store]:
    s = await insp.scene(client)
    member = await login(client, s.world.member_a)
    store = Store()
    await store.sync(client, member)
    return s, member, store


async def test_a_sealed_inspection_changes_nothing_but_the_cursor_until_it_starts(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s, member, store = await sealed_scene(client)
    before = await pull(client, member, store.cursor, limit=1)
    inspection = await insp.create(client, s, kind="surprise")
    after = await pull(client, member, store.cursor, limit=1)
    assert without_cursor(after) == without_cursor(before)
    assert inspection["id"] not in str(after)
    # the window starts and nothing is written: the next pull reveals it
    clock.advance(insp.DAY - clock.now())
    revealed = await pull(client, member, after["cursor"])
    assert [i["id"] for i in revealed["changes"]["inspections"]["upserted"]] == [inspection["id"]]
    got = await client.get(f"/api/v1/inspections/{inspection['id']}", headers=member)
    assert revealed["changes"]["inspections"]["upserted"][0]["data"] == got.json()


async def test_a_first_sync_before_the_start_shows_no_sealed_inspection_and_after_it_does(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s, member, _ = await sealed_scene(client)
    inspection = await insp.create(client, s, kind="surprise")
    before = Store()
    await before.sync(client, member)
    assert inspection["id"] not in str(before.objects)
    clock.advance(insp.DAY - clock.now())
    after = Store()
    await after.sync(client, member)
    assert inspection["id"] in after.ids("inspections")
    # the leader above the cell sees it all along
    leader = Store()
    clock.advance(-(insp.DAY - clock.now()) - timedelta(days=1))
    await leader.sync(client, s.leader)
    assert inspection["id"] in leader.ids("inspections")


def forged(cursor: str) -> list[str]:
    """Not base64, the payload altered under the same signature, cut short."""
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    altered = raw[:-2] + (b"9" if raw[-2:-1] != b"9" else b"8") + raw[-1:]
    return [
        "bm90LWEtY3Vyc29y",
        base64.urlsafe_b64encode(altered).rstrip(b"=").decode(),
        cursor[:-4],
    ]


async def test_a_forged_or_foreign_cursor_is_refused(client: httpx.AsyncClient) -> None:
    world = await build_world()
    member, secretary = await login(client, world.member_a), await login(client, world.secretary_a)
    cursor = (await pull(client, member))["cursor"]
    for bad in forged(cursor):
        reply = await client.get(PULL, params={"cursor": bad}, headers=member)
        problem(reply, 400, "sync_cursor_invalid")
    foreign = await client.get(PULL, params={"cursor": cursor}, headers=secretary)
    problem(foreign, 400, "sync_cursor_invalid")


async def test_what_is_addressed_to_the_caller_reaches_them_from_outside_their_scope(
    client: httpx.AsyncClient,
) -> None:
    """A task assigned to the caller in the ward above their cell, and their own notifications:
    in the pull (as their REST reads answer them), and gone from it when no longer theirs."""
    world = await build_world()
    member, leader = await login(client, world.member_a), await login(client, world.leader_1)
    store = Store()
    await store.sync(client, member)
    task = await new_task(client, leader, world.ward1, world.member_a)  # above the member's cell
    page = await pull(client, member, store.cursor)
    store.apply(page)
    assert task["id"] in store.ids("tasks")
    got = await client.get(f"/api/v1/tasks/{task['id']}", headers=member)
    assert store.objects["tasks"][task["id"]] == (got.json()["version"], got.json())
    inbox = (await client.get("/api/v1/me/notifications", headers=member)).json()["items"]
    assert inbox, "a task assigned to the member notifies them"
    assert {n["id"] for n in inbox} == store.ids("notifications")
    # read on another device: the phone hears it; nobody else ever sees the notification
    read = await client.post(f"/api/v1/me/notifications/{inbox[0]['id']}/read", headers=member)
    assert read.status_code == 204, read.text
    page = await pull(client, member, store.cursor)
    (item,) = page["changes"]["notifications"]["upserted"]
    assert item["data"]["readAt"] is not None
    store.apply(page)
    other = Store()
    await other.sync(client, await login(client, world.secretary_b))
    assert not other.ids("notifications") & store.ids("notifications")
    # handed to someone else: gone from the caller's phone, without saying where
    reassigned = await client.post(
        f"/api/v1/tasks/{task['id']}/reassign",
        json={"assigneeId": str(world.secretary_a.id), "reason": "Đổi người"},
        headers=if_match(leader, got.json()["version"]),
    )
    assert reassigned.status_code == 200, reassigned.text
    page = await pull(client, member, store.cursor)
    assert page["changes"]["tasks"] == {"upserted": [], "removed": [task["id"]]}


async def test_compaction_drops_old_removals_and_resets_a_cursor_older_than_its_floor(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    secretary, admin = await login(client, world.secretary_a), await login(client, world.admin)
    log = SyncLog(db)
    old = Store()
    await old.sync(client, secretary)
    moved = await client.patch(
        f"/api/v1/people/{world.member_a.id}",
        json={"homeUnitId": str(world.cell_b.id)},
        headers=if_match(admin, 1),
    )
    assert moved.status_code == 200, moved.text
    now = clock.now()
    assert await log.compact(now, now) == 0  # the first run only marks where the log is
    caught_up = copy.deepcopy(old)
    await caught_up.sync(client, secretary)  # hears of the move: its cursor passes the mark
    later = now + timedelta(days=91)
    assert await log.compact(later - timedelta(days=90), later) >= 1  # the move's old row
    assert await log.compact(later - timedelta(days=90), later) == 0
    assert (await pull(client, secretary, caught_up.cursor))["reset"] is False
    page = await pull(client, secretary, old.cursor)
    assert page["reset"] is True  # it may have missed the removal: it starts over
    old.apply(page)
    await old.sync(client, secretary)
    assert old.objects == caught_up.objects
