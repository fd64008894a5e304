"""The meeting rule over HTTP on both engines: one regular meeting per cell and month (also for
writes that race), future meetings re-planned when the rule changes, late notice only once due."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from db.repositories.meetings import PiccoloMeetingRepository
from domain.errors import ConflictError
from domain.meetings.model import MeetingStatus
from tests.api.helpers import if_match, problem
from tests.api.meeting_calls import AGENDA, DEC_4, MEETINGS, create, iso, meeting_body, planned
from tests.factories import build_world, login
from tests.fakes import FakeClock


async def test_one_regular_meeting_per_cell_and_month(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    first = await create(client, secretary, meeting_body(world, kind="regular"))
    assert first["occurrence"] == "2026-12"
    second = meeting_body(world, DEC_4 + timedelta(days=10), kind="regular")
    refused = problem(
        await client.post(MEETINGS, json=second, headers=secretary), 409, "regular_meeting_exists"
    )
    assert "tháng này" in refused["title"]
    english = await client.post(
        MEETINGS, json=second, headers={**secretary, "Accept-Language": "en"}
    )
    assert english.json()["title"] == "The cell already has a regular meeting this month"
    await create(
        client, secretary, meeting_body(world, DEC_4 + timedelta(days=10), kind="thematic")
    )
    other_cell = meeting_body(world, kind="regular", cellId=str(world.cell_b.id))
    await create(client, await login(client, world.secretary_b), other_cell)

    january = await create(
        client, secretary, meeting_body(world, DEC_4 + timedelta(days=31), kind="regular")
    )
    move = {
        "plannedStart": iso(DEC_4 + timedelta(days=2)),
        "plannedEnd": iso(DEC_4 + timedelta(days=2, hours=2)),
        "reason": "Trùng lịch",
    }
    moved = await client.post(
        f"{MEETINGS}/{january['id']}/move", json=move, headers=if_match(secretary, 1)
    )
    problem(moved, 409, "regular_meeting_exists")

    cancelled = await client.post(
        f"{MEETINGS}/{first['id']}/cancel",
        json={"reason": "Mưa bão"},
        headers=if_match(secretary, 1),
    )
    assert cancelled.status_code == 200, cancelled.text
    again = await client.post(MEETINGS, json=second, headers=secretary)  # the month is free again
    assert again.status_code == 201, again.text


async def test_the_unique_index_refuses_a_second_regular_meeting_that_raced_the_check(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    first = await create(client, secretary, meeting_body(world, kind="regular"))
    repo = PiccoloMeetingRepository()
    stored = await repo.get(first["id"])
    assert stored is not None
    cancelled = replace(stored, id=uuid4(), status=MeetingStatus.CANCELLED)
    await repo.add(cancelled)  # a cancelled meeting holds no month
    # Last: on PostgreSQL the refused insert ends the (test's) transaction.
    with pytest.raises(ConflictError) as raised:  # as if its check ran before the first commit
        await repo.add(replace(stored, id=uuid4(), planned_start=DEC_4 + timedelta(days=9)))
    assert raised.value.code == "regular_meeting_exists"


async def rule(
    client: httpx.AsyncClient, world: Any, headers: dict[str, str], body: dict[str, Any]
) -> None:
    reply = await client.put(
        f"/api/v1/units/{world.cell_a.id}/meeting-rule", json=body, headers=headers
    )
    assert reply.status_code == 200, reply.text


async def cell_meetings(
    client: httpx.AsyncClient, world: Any, headers: dict[str, str]
) -> list[Any]:
    listed = await client.get(MEETINGS, params={"cellId": str(world.cell_a.id)}, headers=headers)
    return listed.json()["items"]  # type: ignore[no-any-return]


async def test_changing_the_rule_moves_the_planned_meetings_and_tells_who_had_the_notice(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    december = await planned(client, world, secretary)  # the 4th at 19:30: Dec, Jan, Feb
    noticed = await client.put(
        f"{MEETINGS}/{december['id']}/notice", json=AGENDA, headers=if_match(secretary, 1)
    )
    assert noticed.status_code == 200, noticed.text
    thematic = await create(
        client, secretary, meeting_body(world, DEC_4 + timedelta(days=3), kind="thematic")
    )

    clock.advance(timedelta(days=1))
    await rule(
        client, world, secretary, {"kind": "nth_weekday", "weekday": 6, "nth": 1, "at": "08:00"}
    )
    items = await cell_meetings(client, world, secretary)
    regular = [m for m in items if m["kind"] == "regular"]
    assert [m["plannedStart"] for m in regular] == [  # the first Sunday at 08:00 in Hà Nội
        "2026-12-06T01:00:00Z",
        "2027-01-03T01:00:00Z",
        "2027-02-07T01:00:00Z",
    ]
    assert [m["occurrence"] for m in regular] == ["2026-12", "2027-01", "2027-02"]
    assert {m["version"] for m in regular} == {2, 3}
    assert regular[0]["version"] == 3
    assert {m["moveReason"] for m in regular} == {"Đổi theo lịch sinh hoạt mới của chi bộ"}
    assert next(m["plannedEnd"] for m in regular) == "2026-12-06T03:00:00Z"
    assert next(m for m in items if m["id"] == thematic["id"])["version"] == 1  # not regular

    inbox = await client.get(
        "/api/v1/me/notifications", headers=await login(client, world.member_a)
    )
    bodies = [n["body"] for n in inbox.json()["items"]]
    assert len(bodies) == 2  # the first notice and the new time; nobody else had a notice
    assert any("06/12/2026" in b for b in bodies)

    plan = f"/api/v1/units/{world.cell_a.id}/meetings/plan"
    assert (await client.post(plan, headers=secretary)).json() == {"planned": 0}


async def test_a_month_the_new_rule_has_no_day_for_is_cancelled(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    await planned(client, world, secretary)
    # The fifth Monday: not in December 2026, January or February 2027.
    await rule(
        client, world, secretary, {"kind": "nth_weekday", "weekday": 0, "nth": 5, "at": "19:30"}
    )
    items = await cell_meetings(client, world, secretary)
    assert {m["status"] for m in items} == {"cancelled"}
    assert {m["cancelReason"] for m in items} == {"Đổi theo lịch sinh hoạt mới của chi bộ"}
    assert {m["flags"] == [] for m in items} == {True}  # a cancelled meeting is never late


async def test_a_meeting_months_away_without_notice_is_not_late(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    december = await planned(client, world, secretary)
    assert all(m["flags"] == [] for m in await cell_meetings(client, world, secretary))
    clock.advance(timedelta(days=7, hours=4))  # 4 December 13:00: 6½ hours before 19:30
    got = await client.get(f"{MEETINGS}/{december['id']}", headers=secretary)
    assert got.json()["flags"] == ["late_notice"]
