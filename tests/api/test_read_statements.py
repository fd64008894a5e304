"""The hot reads on both engines (issue 15): GET /me is the caller's actor and one query; a list
asked within a unit is the actor and one query, the unit found inside it, on every page that is
not empty."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from uuid import uuid4

import httpx

from db.repositories.org import PiccoloOrgRepository
from db.tables import PersonTable
from tests.api.helpers import problem
from tests.api.meeting_calls import MEETINGS
from tests.api.org_calls import PEOPLE
from tests.api.task_calls import TASKS
from tests.factories import World, build_world, login, make_person


async def statements(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: str
) -> tuple[httpx.Response, int]:
    engine = PersonTable._meta.db
    before = engine.query_id
    reply = await client.get(path, params=params, headers=headers)
    return reply, engine.query_id - before


async def test_me_is_the_actor_and_one_query_with_each_list_in_creation_order(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    earlier = dataclasses.replace(
        world.assignment_1,
        id=uuid4(),
        cell_id=world.cell_b.id,
        cell_path=world.cell_b.path,
        created_at=world.assignment_1.created_at - timedelta(days=1),
    )
    await PiccoloOrgRepository().add_assignment(earlier)
    leader = await login(client, world.leader_1)

    reply, count = await statements(client, "/api/v1/me", leader)

    assert reply.status_code == 200, reply.text
    me = reply.json()
    assert count == 2
    assert me["person"]["id"] == str(world.leader_1.id)
    assert [(g["unitId"], g["role"], g["unitName"]) for g in me["grants"]] == [
        (str(world.ward1.id), "leader", world.ward1.name)
    ]
    assert [(f["assignmentId"], f["cellName"]) for f in me["followed"]] == [
        (str(earlier.id), world.cell_b.name),
        (str(world.assignment_1.id), world.cell_a.name),
    ]
    assert me["cells"] == []


async def people_of(world: World, count: int) -> None:
    repo = PiccoloOrgRepository()
    for n in range(count):
        await repo.add_person(make_person(world.cell_a, f"Người số {n}"), None)


async def test_a_list_within_a_unit_is_the_actor_and_one_query_on_every_page(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    await people_of(world, 5)  # created at the same moment: pages part them by id
    leader = await login(client, world.leader_1)
    ward = str(world.ward1.id)

    seen: list[str] = []
    cursor: dict[str, str] = {}
    while True:
        reply, count = await statements(client, PEOPLE, leader, unitId=ward, limit="2", **cursor)
        assert reply.status_code == 200, reply.text
        assert count == 2
        page = reply.json()
        seen += [p["id"] for p in page["items"]]
        if page["nextCursor"] is None:
            break
        cursor = {"cursor": page["nextCursor"]}
    whole, _ = await statements(client, PEOPLE, leader, unitId=ward, limit="100")
    assert seen == [p["id"] for p in whole.json()["items"]]
    assert len(seen) == len(set(seen)) >= 5 + 1
    for path in (TASKS, MEETINGS):  # none yet: one query more tells an empty unit from none
        reply, count = await statements(client, path, leader, unitId=ward)
        assert (reply.status_code, reply.json()["items"], count) == (200, [], 3), reply.text


async def test_a_list_within_a_unit_missing_or_out_of_view_reads_as_missing(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    for path in (PEOPLE, TASKS, MEETINGS):
        for unit in (uuid4(), world.ward2.id):
            reply = await client.get(path, params={"unitId": str(unit)}, headers=leader)
            problem(reply, 404, "unit_not_found")
