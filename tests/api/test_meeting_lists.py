"""Oversight lists over HTTP on both engines: a ward's meetings carry their attendance tallies and
the leaders' visits, read in a fixed number of queries whatever the page's length."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from db.repositories.meetings import PiccoloMeetingRepository
from db.tables import MeetingTable
from domain.meetings.model import LeaderVisit
from tests.api.helpers import if_match
from tests.api.meeting_calls import DEC_4, MEETINGS, create, meeting_body, record_body
from tests.factories import World, build_world, login
from tests.fakes import START, FakeClock


async def logged(
    client: httpx.AsyncClient, world: World, secretary: dict[str, str], days: int
) -> dict[str, Any]:
    start = DEC_4 + timedelta(days=days)
    meeting = await create(client, secretary, meeting_body(world, start))
    body = record_body(world, start, resolutions=[])
    body["attendance"][1] = {
        "personId": str(world.member_a.id),
        "status": "excused",
        "reason": "Ốm",
    }
    reply = await client.put(
        f"{MEETINGS}/{meeting['id']}/record", json=body, headers=if_match(secretary, 1)
    )
    assert reply.status_code == 200, reply.text
    return meeting


async def ward_page(
    client: httpx.AsyncClient, world: World, leader: dict[str, str]
) -> tuple[list[Any], int]:
    """The ward's meetings, and how many statements reading them took."""
    engine = MeetingTable._meta.db
    before = engine.query_id
    reply = await client.get(MEETINGS, params={"unitId": str(world.ward1.id)}, headers=leader)
    assert reply.status_code == 200, reply.text
    return reply.json()["items"], engine.query_id - before


async def test_the_ward_list_shows_each_meetings_tally_and_visits_in_fixed_queries(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    secretary, leader = await login(client, world.secretary_a), await login(client, world.leader_1)
    clock.advance(timedelta(days=20))
    held = await logged(client, world, secretary, 0)
    planned = await create(client, secretary, meeting_body(world, START + timedelta(days=30)))
    at = START + timedelta(days=8)
    await PiccoloMeetingRepository().save_visit(
        LeaderVisit(held["id"], world.leader_1.id, at, at + timedelta(hours=1), "Tốt")
    )

    items, two = await ward_page(client, world, leader)
    by_id = {m["id"]: m for m in items}
    assert by_id[held["id"]]["tally"] == {
        "present": 1,
        "excused": 1,
        "unexcused": 0,
        "elsewhere": 0,
        "exempt": 0,
        "unmarked": 0,
    }
    [visit] = by_id[held["id"]]["visits"]
    assert (visit["leaderId"], visit["counted"], visit["remarks"]) == (
        str(world.leader_1.id),
        True,
        "Tốt",
    )
    assert by_id[planned["id"]]["tally"]["present"] == 0
    assert by_id[planned["id"]]["visits"] == []

    for days in (1, 2, 3, 4):
        await logged(client, world, secretary, days)
    items, six = await ward_page(client, world, leader)
    assert len(items) == 6
    assert all(m["tally"]["present"] == 1 for m in items if m["status"] == "held")
    assert six == two <= 2  # the caller, then the page with its tallies and visits: one query
    other_ward = await login(client, world.leader_2)
    assert (await client.get(MEETINGS, headers=other_ward)).json()["items"] == []
