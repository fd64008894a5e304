"""GET /api/v1/compliance/flags: scoped to the cells the caller oversees, filtered, paged."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import httpx

from db.engine import Database
from db.repositories.compliance import PiccoloComplianceStore
from domain.clock import local_at
from domain.compliance.model import ComplianceFlag, FlagKind
from domain.org.model import Unit
from tests.factories import World, build_world, login
from tests.fakes import FakeClock

URL = "/api/v1/compliance/flags"
RAISED = local_at(date(2026, 12, 20), 8)


def flag(cell: Unit, kind: FlagKind, subject: UUID, period: str, n: int = 0) -> ComplianceFlag:
    return ComplianceFlag(
        uuid4(), kind, cell.id, cell.path, subject, period, {"n": n}, RAISED + timedelta(seconds=n)
    )


async def raise_some(db: Database, world: World) -> None:
    await PiccoloComplianceStore(db).insert(
        [
            flag(world.cell_a, FlagKind.NO_REGULAR_MEETING, world.cell_a.id, "2026-12", 1),
            flag(world.cell_a, FlagKind.UNEXCUSED_ABSENCE, world.member_a.id, "2026", 2),
            flag(world.cell_a, FlagKind.LEADER_BEHIND_QUOTA, world.leader_1.id, "2026-11", 3),
            flag(world.cell_b, FlagKind.NO_REGULAR_MEETING, world.cell_b.id, "2026-12", 4),
        ]
    )


async def listed(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[str]:
    reply = await client.get(URL, headers=headers, params=params)
    assert reply.status_code == 200, reply.text
    return [f"{f['unitName']}:{f['kind']}:{f['period']}" for f in reply.json()["items"]]


async def test_each_caller_sees_the_flags_of_the_cells_they_oversee(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    del clock
    world = await build_world()
    await raise_some(db, world)
    a, b = world.cell_a.name, world.cell_b.name
    cell_a = [f"{a}:no_regular_meeting:2026-12", f"{a}:unexcused_absence:2026",
              f"{a}:leader_behind_quota:2026-11"]  # fmt: skip
    secretary_b = await login(client, world.secretary_b)
    assert await listed(client, secretary_b) == [f"{b}:no_regular_meeting:2026-12"]
    assert await listed(client, await login(client, world.secretary_a)) == cell_a
    assert await listed(client, await login(client, world.leader_1)) == cell_a
    assert await listed(client, await login(client, world.inspector)) == cell_a
    assert await listed(client, await login(client, world.member_a)) == []  # no oversight
    admin = await login(client, world.admin)
    assert len(await listed(client, admin)) == 4
    # cell A is outside secretary B's scope: it reads as missing
    reply = await client.get(URL, headers=secretary_b, params={"unitId": str(world.cell_a.id)})
    assert (reply.status_code, reply.json()["code"]) == (404, "unit_not_found")


async def test_filters_and_pages(client: httpx.AsyncClient, db: Database, clock: FakeClock) -> None:
    del clock
    world = await build_world()
    await raise_some(db, world)
    admin = await login(client, world.admin)
    a = world.cell_a.name
    assert await listed(client, admin, unitId=str(world.ward2.id)) == [
        f"{world.cell_b.name}:no_regular_meeting:2026-12"
    ]
    assert await listed(client, admin, kind="unexcused_absence") == [f"{a}:unexcused_absence:2026"]
    assert len(await listed(client, admin, period="2026-12")) == 2
    reply = await client.get(URL, headers=admin, params={"limit": "3"})
    body = reply.json()
    first = body["items"][0]
    assert first["subjectId"] == str(world.cell_a.id)
    assert first["detail"] == {"n": 1}
    assert first["raisedAt"].startswith("2026-12-20T01:00:01")
    rest = await client.get(URL, headers=admin, params={"cursor": body["nextCursor"]})
    assert [f["unitName"] for f in rest.json()["items"]] == [world.cell_b.name]
    assert rest.json()["nextCursor"] is None
    for bad in ({"period": "2026-13"}, {"kind": "late"}, {"limit": "101"}, {"cursor": "x"}):
        reply = await client.get(URL, headers=admin, params=bad)
        assert reply.status_code == 422, bad
        assert reply.json()["code"] in {"validation_failed", "invalid_cursor"}, bad
