"""A plain member, with a membership and no grant: her cell's meetings, her check-in, her tasks;
nothing of another cell, and nothing once she has left."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from db.repositories.org import PiccoloOrgRepository
from domain.org.model import Membership, Person
from tests.api.meeting_calls import create, iso, meeting_body
from tests.api.task_calls import new_task
from tests.factories import World, add_membership, build_world, login, make_person, password_hash
from tests.fakes import START, FakeClock

MEETINGS = "/api/v1/meetings"


async def plain_member(world: World) -> tuple[Person, Membership]:
    repo = PiccoloOrgRepository()
    person = make_person(world.cell_a, "Đỗ Thị Mai")
    await repo.add_person(person, password_hash())
    membership = await add_membership(world.cell_a, person, date(2019, 5, 19))
    return person, membership


async def test_a_member_without_any_grant_opens_her_cells_meeting_and_checks_in(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    person, _ = await plain_member(world)
    secretary = await login(client, world.secretary_a)
    soon = START + timedelta(minutes=15)  # check-in is open
    meeting = await create(client, secretary, meeting_body(world, soon))
    other = await create(
        client,
        await login(client, world.secretary_b),
        {**meeting_body(world, soon), "cellId": str(world.cell_b.id)},
    )
    member = await login(client, person)

    listed = await client.get(MEETINGS, params={"cellId": str(world.cell_a.id)}, headers=member)
    assert listed.status_code == 200, listed.text
    assert [m["id"] for m in listed.json()["items"]] == [meeting["id"]]
    assert (await client.get(f"{MEETINGS}/{meeting['id']}", headers=member)).status_code == 200
    foreign = await client.get(f"{MEETINGS}/{other['id']}", headers=member)
    assert (foreign.status_code, foreign.json()["code"]) == (404, "meeting_not_found")

    code = await client.get(f"{MEETINGS}/{meeting['id']}/checkin-code", headers=secretary)
    assert code.status_code == 200, code.text
    checked = await client.post(
        f"{MEETINGS}/{meeting['id']}/check-in", json={"code": code.json()["code"]}, headers=member
    )
    assert checked.status_code == 200, checked.text
    sheet = (await client.get(f"{MEETINGS}/{meeting['id']}", headers=secretary)).json()
    mine = [row for row in sheet["attendance"] if row["personId"] == str(person.id)]
    assert [row["status"] for row in mine] == ["present"]


async def test_a_member_sees_the_task_given_to_her_and_loses_the_cell_when_she_leaves(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    person, membership = await plain_member(world)
    leader = await login(client, world.leader_1)
    task = await new_task(client, leader, world.cell_a, person)
    meeting = await create(client, await login(client, world.secretary_a), meeting_body(world))
    member = await login(client, person)
    mine = await client.get("/api/v1/tasks/mine", headers=member)
    assert [t["id"] for t in mine.json()["items"]] == [task["id"]]

    ended = await client.post(
        f"/api/v1/memberships/{membership.id}/end",
        json={"on": iso(START)[:10]},
        headers={**await login(client, world.admin), "If-Match": '"1"'},
    )
    assert ended.status_code == 200, ended.text
    clock.advance(timedelta(minutes=1))
    gone = await client.get(f"{MEETINGS}/{meeting['id']}", headers=member)
    assert (gone.status_code, gone.json()["code"]) == (404, "meeting_not_found")
    # her own task stays hers to finish
    assert (await client.get(f"/api/v1/tasks/{task['id']}", headers=member)).status_code == 200
