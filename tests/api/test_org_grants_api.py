"""Grants and leader assignments over HTTP, on both engines: the last admin stays, a grant takes
effect at once, a leader is assigned only to a cell below their unit."""

from __future__ import annotations

import httpx

from domain.org.model import Person
from tests.api.helpers import problem
from tests.api.org_calls import (
    ASSIGNMENTS,
    GRANTS,
    PEOPLE,
    UNITS,
    all_pages,
    audit_of,
    new_unit,
    ok,
    signed_in,
)
from tests.factories import build_world


async def admin_grant_of(client: httpx.AsyncClient, headers: dict[str, str], person: Person) -> str:
    grants = await all_pages(client, headers, GRANTS, personId=str(person.id), role="admin")
    live = [g["id"] for g in grants if g["revokedAt"] is None]
    assert len(live) == 1
    grant_id: str = live[0]
    return grant_id


async def test_the_last_admin_cannot_revoke_their_own_grant(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    own = await admin_grant_of(client, admin, world.admin)
    en = {**admin, "Accept-Language": "en"}
    refused = problem(await client.post(f"{GRANTS}/{own}/revoke", headers=en), 409, "last_admin")
    assert refused["title"].startswith("Cannot remove the unit's last administrator")
    assert ok(await client.get(f"{GRANTS}/{own}", headers=admin))["revokedAt"] is None


async def test_with_two_admins_one_may_step_down_but_not_the_second(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    body = {"personId": str(world.leader_1.id), "unitId": str(world.city.id), "role": "admin"}
    second = ok(await client.post(GRANTS, json=body, headers=admin), 201)
    own = await admin_grant_of(client, admin, world.admin)
    assert ok(await client.post(f"{GRANTS}/{own}/revoke", headers=admin))["revokedAt"]
    leader = await signed_in(world.leader_1)
    problem(await client.post(f"{GRANTS}/{second['id']}/revoke", headers=leader), 409, "last_admin")


async def test_a_deactivated_admin_does_not_count(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    body = {"personId": str(world.leader_1.id), "unitId": str(world.city.id), "role": "admin"}
    ok(await client.post(GRANTS, json=body, headers=admin), 201)
    ok(await client.post(f"{PEOPLE}/{world.leader_1.id}/deactivate", headers=admin))
    own = await admin_grant_of(client, admin, world.admin)
    problem(await client.post(f"{GRANTS}/{own}/revoke", headers=admin), 409, "last_admin")


async def test_an_admin_below_cannot_deactivate_the_last_admin_above(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    # the city's only admin lives in ward1, whose own admin manages the people there
    body = {"personId": str(world.inspector.id), "unitId": str(world.city.id), "role": "admin"}
    ok(await client.post(GRANTS, json=body, headers=admin), 201)
    ok(
        await client.post(
            f"{PEOPLE}/{world.admin.id}/deactivate", headers=await signed_in(world.inspector)
        )
    )
    body = {"personId": str(world.leader_1.id), "unitId": str(world.ward1.id), "role": "admin"}
    ward_admin = await signed_in(world.inspector)
    ward_grant = ok(await client.post(GRANTS, json=body, headers=ward_admin), 201)
    leader = await signed_in(world.leader_1)
    problem(
        await client.post(f"{PEOPLE}/{world.inspector.id}/deactivate", headers=leader),
        409,
        "last_admin",
    )
    # a ward admin may step down while an admin of the city still administers the ward
    assert ok(await client.post(f"{GRANTS}/{ward_grant['id']}/revoke", headers=leader))["revokedAt"]


async def test_grants_are_created_revoked_and_take_effect(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    inspector = await signed_in(world.inspector)
    problem(
        await client.get(f"{UNITS}/{world.cell_b.id}", headers=inspector), 404, "unit_not_found"
    )
    body = {"personId": str(world.inspector.id), "unitId": str(world.ward2.id), "role": "inspector"}
    grant = ok(await client.post(GRANTS, json=body, headers=admin), 201)
    assert (grant["role"], grant["revokedAt"]) == ("inspector", None)
    problem(await client.post(GRANTS, json=body, headers=admin), 409, "grant_exists")
    assert ok(await client.get(f"{UNITS}/{world.cell_b.id}", headers=inspector))

    revoked = ok(await client.post(f"{GRANTS}/{grant['id']}/revoke", headers=admin))
    assert revoked["revokedAt"] is not None
    problem(
        await client.post(f"{GRANTS}/{grant['id']}/revoke", headers=admin),
        409,
        "grant_already_revoked",
    )
    problem(
        await client.get(f"{UNITS}/{world.cell_b.id}", headers=inspector), 404, "unit_not_found"
    )
    live = await all_pages(client, admin, GRANTS, personId=str(world.inspector.id), live="true")
    assert [g["unitId"] for g in live] == [str(world.ward1.id)]
    everything = await all_pages(client, admin, GRANTS, personId=str(world.inspector.id))
    assert len(everything) == 2
    again = ok(await client.post(GRANTS, json=body, headers=admin), 201)
    assert again["id"] != grant["id"]
    trail = await audit_of(client, admin, grant["id"])
    assert sorted(r["action"] for r in trail) == ["grant.create", "grant.revoke"]
    bad_role = await client.post(GRANTS, json={**body, "role": "president"}, headers=admin)
    problem(bad_role, 422, "validation_failed")


async def test_leader_assignments_need_a_leader_above_the_cell(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    cell = await new_unit(client, admin, world.ward1, name="Chi bộ số 2", level="cell", isCell=True)
    body = {"cellId": cell["id"], "quota": 6, "period": "year", "startedOn": "2026-01-01"}
    for not_leader in (world.inspector, world.secretary_a, world.leader_2):
        reply = await client.post(
            ASSIGNMENTS, json={**body, "leaderId": str(not_leader.id)}, headers=admin
        )
        problem(reply, 422, "leader_grant_required")
    not_cell = await client.post(
        ASSIGNMENTS,
        json={**body, "cellId": str(world.ward1.id), "leaderId": str(world.leader_1.id)},
        headers=admin,
    )
    problem(not_cell, 422, "unit_not_cell")
    created = ok(
        await client.post(
            ASSIGNMENTS, json={**body, "leaderId": str(world.leader_1.id)}, headers=admin
        ),
        201,
    )
    assert (created["quota"], created["period"], created["endedOn"]) == (6, "year", None)
    duplicate = await client.post(
        ASSIGNMENTS, json={**body, "leaderId": str(world.leader_1.id)}, headers=admin
    )
    problem(duplicate, 409, "assignment_exists")
    updated = ok(
        await client.patch(
            f"{ASSIGNMENTS}/{created['id']}",
            json={"quota": 2, "period": "quarter", "endedOn": "2026-06-30"},
            headers=admin,
        )
    )
    assert (updated["quota"], updated["period"], updated["endedOn"]) == (2, "quarter", "2026-06-30")
    problem(
        await client.patch(
            f"{ASSIGNMENTS}/{created['id']}", json={"endedOn": "2026-07-01"}, headers=admin
        ),
        409,
        "assignment_already_ended",
    )
    trail = await audit_of(client, admin, created["id"])
    assert sorted(r["action"] for r in trail) == ["assignment.create", "assignment.update"]
    leader_1 = await signed_in(world.leader_1)
    mine = await all_pages(client, leader_1, ASSIGNMENTS, leaderId=str(world.leader_1.id))
    assert {a["id"] for a in mine} == {str(world.assignment_1.id), created["id"]}
