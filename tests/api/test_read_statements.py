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
from tests.factories import World, build_world, login, make_person, make_unit


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


async def test_a_list_within_a_unit_is_grouped_by_unit_and_pages_stay_put(
    client: httpx.AsyncClient,
) -> None:
    """People (and tasks, by the same ListSql) in the order of their unit's path, then creation:
    a page reads its units' rows by index in that order instead of sorting the whole subtree.
    A person added to a unit the pages already passed does not shift the pages after it."""
    world = await build_world()
    repo = PiccoloOrgRepository()
    cell_c = make_unit(world.ward1, "Chi bộ khu dân cư số 3", "cell", is_cell=True)
    await repo.add_unit(cell_c)
    late = [
        dataclasses.replace(make_person(unit, name), created_at=world.ward1.created_at + shift)
        for unit, name, shift in (
            (cell_c, "Người C2", timedelta(minutes=2)),
            (world.ward1, "Người P", timedelta(minutes=3)),
            (cell_c, "Người C1", timedelta(minutes=1)),
        )
    ]
    for person in late:
        await repo.add_person(person, None)
    leader = await login(client, world.leader_1)
    ward = str(world.ward1.id)
    whole = (await client.get(PEOPLE, params={"unitId": ward}, headers=leader)).json()["items"]
    path_of = {str(u.id): u.path for u in (world.ward1, world.cell_a, cell_c)}
    keys = [(path_of[p["homeUnitId"]], p["createdAt"], p["id"]) for p in whole]
    assert keys == sorted(keys)
    assert len(whole) == 3 + 2 + 2  # ward1: leader, inspector, P; cell_a, cell_c: two each

    first = (await client.get(PEOPLE, params={"unitId": ward, "limit": "4"}, headers=leader)).json()
    assert [p["id"] for p in first["items"]] == [p["id"] for p in whole[:4]]
    await repo.add_person(make_person(world.ward1, "Người mới"), None)  # before the cursor
    rest = await client.get(
        PEOPLE, params={"unitId": ward, "cursor": first["nextCursor"]}, headers=leader
    )
    assert [p["id"] for p in rest.json()["items"]] == [p["id"] for p in whole[4:]]
