"""The organisation over HTTP, on both engines: units, people, memberships, pagination and input
limits, scope, and audit. Grants and leader assignments: test_org_grants_api.py; the roster
import: test_org_roster_api.py."""

from __future__ import annotations

import base64
from uuid import uuid4

import httpx

from domain.org.model import Person
from tests.api.helpers import problem
from tests.api.org_calls import (
    ASSIGNMENTS,
    AUDIT,
    GRANTS,
    MEMBERSHIPS,
    PEOPLE,
    SECOND,
    UNITS,
    all_pages,
    audit_of,
    new_person,
    new_unit,
    ok,
    post_roster,
    roster,
    signed_in,
)
from tests.factories import build_world
from tests.fakes import FakeClock

# -- units --------------------------------------------------------------------------------------


async def test_admin_creates_updates_and_deactivates_a_unit(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    traced = {**admin, "X-Request-Id": "req-unit-1"}
    created = ok(
        await client.post(
            UNITS,
            json={"parentId": str(world.ward1.id), "name": "Khu vực Đông", "level": "area"},
            headers=traced,
        ),
        201,
    )
    assert (created["parentId"], created["depth"], created["isCell"]) == (
        str(world.ward1.id),
        2,
        False,
    )
    unit_id = created["id"]
    clock.advance(SECOND)
    patched = ok(
        await client.patch(f"{UNITS}/{unit_id}", json={"name": "Khu vực Tây"}, headers=admin)
    )
    assert (patched["name"], patched["level"], patched["version"]) == ("Khu vực Tây", "area", 2)
    assert ok(await client.get(f"{UNITS}/{unit_id}", headers=admin))["name"] == "Khu vực Tây"

    clock.advance(SECOND)
    done = ok(await client.post(f"{UNITS}/{unit_id}/deactivate", headers=admin))
    assert done["active"] is False
    problem(await client.post(f"{UNITS}/{unit_id}/deactivate", headers=admin), 409, "unit_inactive")
    under_inactive = await client.post(
        UNITS, json={"parentId": unit_id, "name": "Tổ", "level": "group"}, headers=admin
    )
    problem(under_inactive, 422, "unit_inactive")

    trail = await audit_of(client, admin, unit_id)
    assert [r["action"] for r in trail] == ["unit.create", "unit.update", "unit.deactivate"]
    create, update, _ = trail
    assert create["before"] is None
    assert create["after"]["name"] == "Khu vực Đông"
    assert create["requestId"] == "req-unit-1"
    assert create["actorId"] == str(world.admin.id)
    assert (update["before"]["name"], update["after"]["name"]) == ("Khu vực Đông", "Khu vực Tây")
    assert update["requestId"] not in {None, "req-unit-1"}


async def test_unit_rules_over_http(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    under_cell = await client.post(
        UNITS, json={"parentId": str(world.cell_a.id), "name": "Tổ", "level": "g"}, headers=admin
    )
    problem(under_cell, 422, "cell_cannot_have_children")
    problem(
        await client.post(f"{UNITS}/{world.ward1.id}/deactivate", headers=admin),
        409,
        "unit_has_active_children",
    )
    problem(
        await client.post(f"{UNITS}/{world.cell_a.id}/deactivate", headers=admin),
        409,
        "unit_has_members",
    )
    chosen = uuid4()
    created = await new_unit(client, admin, world.ward2, id=str(chosen), isCell=True)
    assert created["id"] == str(chosen)
    again = await client.post(
        UNITS,
        json={"parentId": str(world.ward2.id), "name": "X", "level": "cell", "id": str(chosen)},
        headers=admin,
    )
    problem(again, 409, "id_conflict")
    missing = await client.get(f"{UNITS}/{uuid4()}", headers=admin)
    problem(missing, 404, "unit_not_found")


async def test_move_rewrites_the_subtree(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    leader_2 = await signed_in(world.leader_2)
    problem(await client.get(f"{UNITS}/{world.cell_a.id}", headers=leader_2), 404, "unit_not_found")
    moved = ok(
        await client.post(
            f"{UNITS}/{world.ward1.id}/move", json={"parentId": str(world.ward2.id)}, headers=admin
        )
    )
    assert (moved["parentId"], moved["depth"], moved["version"]) == (str(world.ward2.id), 2, 2)

    within = await all_pages(client, admin, UNITS, within=str(world.ward2.id))
    assert {u["id"] for u in within} == {
        str(u.id) for u in (world.ward2, world.ward1, world.cell_a, world.cell_b)
    }
    cell = ok(await client.get(f"{UNITS}/{world.cell_a.id}", headers=leader_2))
    assert cell["depth"] == 3
    # people and memberships follow their units: leader_2 now sees cell A's members
    people = await all_pages(client, leader_2, PEOPLE)
    assert str(world.member_a.id) in {p["id"] for p in people}
    assert ok(await client.get(f"{MEMBERSHIPS}/{world.membership_a.id}", headers=leader_2))

    (move,) = [
        r for r in await audit_of(client, admin, world.ward1.id) if r["action"] == "unit.move"
    ]
    assert move["before"]["parent_id"] == str(world.city.id)
    assert move["after"]["parent_id"] == str(world.ward2.id)
    assert move["after"]["path"].startswith(world.ward2.path)


async def test_a_failed_move_changes_nothing(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    deeper = await new_unit(client, admin, world.ward1)
    before = {u["id"]: u for u in await all_pages(client, admin, UNITS)}
    audit_before = await audit_of(client, admin, world.ward1.id)
    for target, code in (
        (str(world.ward1.id), "unit_move_cycle"),
        (deeper["id"], "unit_move_cycle"),
        (str(world.cell_a.id), "unit_move_cycle"),
        (str(world.cell_b.id), "cell_cannot_have_children"),
    ):
        reply = await client.post(
            f"{UNITS}/{world.ward1.id}/move", json={"parentId": target}, headers=admin
        )
        problem(reply, 422, code)
    root = await client.post(
        f"{UNITS}/{world.city.id}/move", json={"parentId": str(world.ward2.id)}, headers=admin
    )
    problem(root, 422, "root_unit_immovable")
    after = {u["id"]: u for u in await all_pages(client, admin, UNITS)}
    assert after == before
    within_ward1 = await all_pages(client, admin, UNITS, within=str(world.ward1.id))
    assert {u["id"] for u in within_ward1} == {
        str(world.ward1.id),
        str(world.cell_a.id),
        deeper["id"],
    }
    assert await audit_of(client, admin, world.ward1.id) == audit_before == []


# -- people ---------------------------------------------------------------------------------------


async def test_people_phones_are_e164_and_unique(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    person = await new_person(
        client, admin, world.cell_a, "0912 345 678", email="moi@example.vn", locale="en"
    )
    assert (person["phone"], person["email"], person["locale"]) == (
        "+84912345678",
        "moi@example.vn",
        "en",
    )
    assert person["active"] is True
    assert "password" not in person
    assert "passwordHash" not in person
    for spelling in ("+84 912 345 678", "0912345678", "84912345678"):
        duplicate = await client.post(
            PEOPLE,
            json={"homeUnitId": str(world.cell_b.id), "fullName": "Trùng", "phone": spelling},
            headers=admin,
        )
        problem(duplicate, 409, "phone_taken")
    bad = await client.post(
        PEOPLE,
        json={"homeUnitId": str(world.cell_b.id), "fullName": "Sai", "phone": "12345"},
        headers=admin,
    )
    problem(bad, 422, "invalid_phone")

    found = ok(await client.get(PEOPLE, params={"phone": "0912 345 678"}, headers=admin))
    assert [p["id"] for p in found["items"]] == [person["id"]]

    other = await new_person(client, admin, world.cell_b, "0987654321")
    clock.advance(SECOND)
    taken = await client.patch(
        f"{PEOPLE}/{other['id']}", json={"phone": "0912-345-678"}, headers=admin
    )
    problem(taken, 409, "phone_taken")
    moved = ok(
        await client.patch(
            f"{PEOPLE}/{other['id']}",
            json={"fullName": "  Đỗ Thị Sửa  ", "homeUnitId": str(world.cell_a.id)},
            headers=admin,
        )
    )
    assert (moved["fullName"], moved["homeUnitId"], moved["phone"]) == (
        "Đỗ Thị Sửa",
        str(world.cell_a.id),
        "+84987654321",
    )
    actions = [r["action"] for r in await audit_of(client, admin, other["id"])]
    assert actions == ["person.create", "person.update"]


async def test_admin_cannot_disable_self(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    reply = await client.post(f"{PEOPLE}/{world.admin.id}/deactivate", headers=admin)
    problem(reply, 422, "cannot_deactivate_self")


# -- memberships ------------------------------------------------------------------------------


async def test_membership_life_cycle_keeps_history(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    person = await new_person(client, admin, world.cell_b, "0903000111")
    body = {"personId": person["id"], "cellId": str(world.cell_b.id), "kind": "probationary"}
    exempt = await client.post(
        MEMBERSHIPS, json={**body, "joinedOn": "2025-03-01", "exempt": True}, headers=admin
    )
    problem(exempt, 422, "exempt_resolution_date_required")
    not_cell = await client.post(
        MEMBERSHIPS,
        json={**body, "cellId": str(world.ward2.id), "joinedOn": "2025-03-01"},
        headers=admin,
    )
    problem(not_cell, 422, "unit_not_cell")

    first = ok(
        await client.post(MEMBERSHIPS, json={**body, "joinedOn": "2025-03-01"}, headers=admin),
        201,
    )
    assert (first["kind"], first["leftOn"]) == ("probationary", None)
    clock.advance(SECOND)
    twice = await client.post(MEMBERSHIPS, json={**body, "joinedOn": "2025-04-01"}, headers=admin)
    problem(twice, 409, "membership_exists")
    patched = ok(
        await client.patch(
            f"{MEMBERSHIPS}/{first['id']}",
            json={"kind": "full", "exempt": True, "exemptResolutionDate": "2025-06-01"},
            headers=admin,
        )
    )
    assert (patched["kind"], patched["exempt"], patched["exemptResolutionDate"]) == (
        "full",
        True,
        "2025-06-01",
    )
    clock.advance(SECOND)
    early = await client.post(
        f"{MEMBERSHIPS}/{first['id']}/end", json={"on": "2025-02-01"}, headers=admin
    )
    problem(early, 422, "membership_dates_invalid")
    ended = ok(
        await client.post(
            f"{MEMBERSHIPS}/{first['id']}/end", json={"on": "2025-12-31"}, headers=admin
        )
    )
    assert ended["leftOn"] == "2025-12-31"
    problem(
        await client.post(
            f"{MEMBERSHIPS}/{first['id']}/end", json={"on": "2026-01-31"}, headers=admin
        ),
        409,
        "membership_already_ended",
    )
    rejoined = ok(
        await client.post(MEMBERSHIPS, json={**body, "joinedOn": "2026-02-01"}, headers=admin),
        201,
    )
    history = await all_pages(client, admin, MEMBERSHIPS, personId=person["id"])
    assert {(m["id"], m["leftOn"]) for m in history} == {
        (first["id"], "2025-12-31"),
        (rejoined["id"], None),
    }
    live = await all_pages(client, admin, MEMBERSHIPS, personId=person["id"], live="true")
    assert [m["id"] for m in live] == [rejoined["id"]]
    actions = [r["action"] for r in await audit_of(client, admin, first["id"])]
    assert actions == ["membership.create", "membership.update", "membership.end"]


# -- lists, input limits ----------------------------------------------------------------------


async def test_cursor_pagination_over_several_pages(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    for i in range(3):
        await new_unit(client, admin, world.ward2, name=f"Khu {i}")
    ids: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = ok(await client.get(UNITS, params=params, headers=admin))
        assert len(page["items"]) <= 3
        ids.extend(u["id"] for u in page["items"])
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(ids) == len(set(ids)) == 8
    assert str(world.city.id) in ids
    by_default = ok(await client.get(UNITS, headers=admin))
    assert [u["id"] for u in by_default["items"]] == ids
    assert by_default["nextCursor"] is None


async def test_list_limits_and_bad_cursors_are_422(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    for path in (UNITS, PEOPLE, MEMBERSHIPS, GRANTS, ASSIGNMENTS, AUDIT):
        assert ok(await client.get(path, params={"limit": "100"}, headers=admin))
        problem(
            await client.get(path, params={"limit": "101"}, headers=admin),
            422,
            "validation_failed",
        )
        problem(
            await client.get(path, params={"limit": "0"}, headers=admin), 422, "validation_failed"
        )
        problem(
            await client.get(path, params={"cursor": "not-a-cursor"}, headers=admin),
            422,
            "invalid_cursor",
        )
    naive = base64.urlsafe_b64encode(f"2026-11-27T02:00:00|{uuid4()}".encode()).decode()
    reply = await client.get(UNITS, params={"cursor": naive.rstrip("=")}, headers=admin)
    assert reply.status_code in {200, 422}, reply.text


async def test_unknown_fields_and_big_bodies_are_refused(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    unknown = await client.post(
        UNITS,
        json={"parentId": str(world.ward1.id), "name": "X", "level": "area", "colour": "red"},
        headers=admin,
    )
    body = problem(unknown, 422, "validation_failed")
    assert "colour" in unknown.text
    assert body["title"]
    patch = await client.patch(
        f"{UNITS}/{world.ward1.id}", json={"name": "Y", "path": "/"}, headers=admin
    )
    problem(patch, 422, "validation_failed")
    huge = {"parentId": str(world.ward1.id), "name": "x" * (1024 * 1024 + 1), "level": "area"}
    problem(await client.post(UNITS, json=huge, headers=admin), 413, "payload_too_large")
    big_csv = roster(*["Nguyễn Văn A,0912345678,full,2020-01-01,," for _ in range(25_000)])
    assert len(big_csv) > 1024 * 1024
    problem(await post_roster(client, admin, world.cell_a, big_csv), 413, "payload_too_large")
    assert ok(await client.get(f"{UNITS}/{world.ward1.id}", headers=admin))["name"] == (
        world.ward1.name
    )


# -- scope --------------------------------------------------------------------------------------


async def _grant_of(client: httpx.AsyncClient, admin: dict[str, str], person: Person) -> str:
    (grant,) = await all_pages(client, admin, GRANTS, personId=str(person.id))
    return str(grant["id"])


async def test_secretary_b_gets_404_for_everything_of_cell_a(client: httpx.AsyncClient) -> None:
    world = await build_world()
    grant_a = await _grant_of(client, await signed_in(world.admin), world.secretary_a)
    secretary_b = await signed_in(world.secretary_b)
    reads = {
        f"{UNITS}/{world.cell_a.id}": "unit_not_found",
        f"{UNITS}/{world.ward1.id}": "unit_not_found",
        f"{PEOPLE}/{world.member_a.id}": "person_not_found",
        f"{MEMBERSHIPS}/{world.membership_a.id}": "membership_not_found",
        f"{GRANTS}/{grant_a}": "grant_not_found",
        f"{ASSIGNMENTS}/{world.assignment_1.id}": "assignment_not_found",
    }
    for path, code in reads.items():
        problem(await client.get(path, headers=secretary_b), 404, code)
    for path in (UNITS, PEOPLE, MEMBERSHIPS, GRANTS, ASSIGNMENTS):
        key = "within" if path == UNITS else "unitId"
        reply = await client.get(path, params={key: str(world.cell_a.id)}, headers=secretary_b)
        problem(reply, 404, "unit_not_found")
    writes = [
        ("PATCH", f"{UNITS}/{world.cell_a.id}", {"name": "X"}, "unit_not_found"),
        ("POST", f"{UNITS}/{world.cell_a.id}/deactivate", None, "unit_not_found"),
        ("PATCH", f"{PEOPLE}/{world.member_a.id}", {"fullName": "X"}, "person_not_found"),
        ("POST", f"{PEOPLE}/{world.member_a.id}/deactivate", None, "person_not_found"),
        (
            "POST",
            f"{MEMBERSHIPS}/{world.membership_a.id}/end",
            {"on": "2026-12-01"},
            "membership_not_found",
        ),
        ("POST", f"{GRANTS}/{grant_a}/revoke", None, "grant_not_found"),
        (
            "PATCH",
            f"{ASSIGNMENTS}/{world.assignment_1.id}",
            {"quota": 1},
            "assignment_not_found",
        ),
    ]
    for method, path, body, code in writes:
        reply = await client.request(method, path, json=body, headers=secretary_b)
        problem(reply, 404, code)
    reply = await post_roster(
        client, secretary_b, world.cell_a, roster("An,0912345678,full,2020-01-01,,")
    )
    problem(reply, 404, "unit_not_found")


async def test_leader_2_sees_nothing_of_ward_1_in_lists(client: httpx.AsyncClient) -> None:
    world = await build_world()
    leader_2 = await signed_in(world.leader_2)
    units = await all_pages(client, leader_2, UNITS)
    assert {u["id"] for u in units} == {str(world.ward2.id), str(world.cell_b.id)}
    people = await all_pages(client, leader_2, PEOPLE)
    assert {p["id"] for p in people} == {str(world.leader_2.id), str(world.secretary_b.id)}
    memberships = await all_pages(client, leader_2, MEMBERSHIPS)
    assert {m["cellId"] for m in memberships} == {str(world.cell_b.id)}
    grants = await all_pages(client, leader_2, GRANTS)
    assert {g["unitId"] for g in grants} == {str(world.ward2.id), str(world.cell_b.id)}
    assert await all_pages(client, leader_2, ASSIGNMENTS) == []
    # filters cannot widen the scope
    by_person = await all_pages(client, leader_2, MEMBERSHIPS, personId=str(world.member_a.id))
    assert by_person == []
    by_name = await all_pages(client, leader_2, PEOPLE, q="Lê Thị Hoa")
    assert by_name == []


async def test_leader_sees_but_cannot_write(client: httpx.AsyncClient) -> None:
    world = await build_world()
    leader_1 = await signed_in(world.leader_1)
    assert ok(await client.get(f"{UNITS}/{world.cell_a.id}", headers=leader_1))
    assert ok(await client.get(f"{PEOPLE}/{world.member_a.id}", headers=leader_1))
    writes = [
        ("PATCH", f"{UNITS}/{world.cell_a.id}", {"name": "X"}),
        ("POST", UNITS, {"parentId": str(world.ward1.id), "name": "X", "level": "area"}),
        ("POST", f"{UNITS}/{world.cell_a.id}/move", {"parentId": str(world.ward1.id)}),
        ("POST", f"{PEOPLE}/{world.member_a.id}/deactivate", None),
        ("PATCH", f"{PEOPLE}/{world.member_a.id}", {"fullName": "X"}),
        (
            "POST",
            PEOPLE,
            {"homeUnitId": str(world.cell_a.id), "fullName": "X", "phone": "0912345678"},
        ),
        ("POST", f"{MEMBERSHIPS}/{world.membership_a.id}/end", {"on": "2026-12-01"}),
        ("PATCH", f"{ASSIGNMENTS}/{world.assignment_1.id}", {"quota": 1}),
        (
            "POST",
            GRANTS,
            {"personId": str(world.member_a.id), "unitId": str(world.cell_a.id), "role": "admin"},
        ),
    ]
    for method, path, body in writes:
        reply = await client.request(method, path, json=body, headers=leader_1)
        problem(reply, 403, "org_manage_forbidden")
    reply = await post_roster(
        client, leader_1, world.cell_a, roster("An,0912345678,full,2020-01-01,,")
    )
    problem(reply, 403, "org_manage_forbidden")
    assert ok(await client.get(AUDIT, headers=await signed_in(world.admin)))["items"] == []


# -- audit --------------------------------------------------------------------------------------


async def test_audit_is_scoped(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    ok(await client.patch(f"{UNITS}/{world.cell_a.id}", json={"name": "A mới"}, headers=admin))
    ok(await client.patch(f"{UNITS}/{world.cell_b.id}", json={"name": "B mới"}, headers=admin))

    async def seen_by(person: Person) -> set[str]:
        return {r["objectId"] for r in await all_pages(client, await signed_in(person), AUDIT)}

    assert await seen_by(world.admin) == {str(world.cell_a.id), str(world.cell_b.id)}
    assert await seen_by(world.leader_1) == {str(world.cell_a.id)}
    assert await seen_by(world.leader_2) == {str(world.cell_b.id)}
    assert await seen_by(world.secretary_a) == set()
    assert await seen_by(world.inspector) == set()
