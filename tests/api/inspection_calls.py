"""The inspection endpoints and the calls the inspection tests share: a scene with a leader, an
inspection lead and a template, inspection bodies, a started inspection, the calendar it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx

from db.repositories.org import PiccoloOrgRepository
from domain.actors import Role
from domain.org.model import Person, RoleGrant, Unit
from tests.api.helpers import Headers, if_match
from tests.factories import World, build_world, login, make_person, password_hash
from tests.fakes import START

TEMPLATES = "/api/v1/checklist-templates"
INSPECTIONS = "/api/v1/inspections"
PLANS = "/api/v1/inspection-plans"
TEMPLATE: dict[str, Any] = {
    "name": "Kiểm tra sinh hoạt chi bộ",
    "items": [
        {"key": "met_monthly", "question": "Sinh hoạt đủ hằng tháng?", "answerKind": "yes_no"},
        {"key": "minutes", "question": "Chất lượng biên bản", "answerKind": "score", "maxScore": 5},
        {"key": "notes", "question": "Ghi chú", "answerKind": "text", "required": False},
    ],
}
DAY = START + timedelta(days=10)


@dataclass
class Scene:
    world: World
    leader: Headers
    lead: Headers
    template: dict[str, Any]


async def scene(client: httpx.AsyncClient) -> Scene:
    world = await build_world()
    leader = await login(client, world.leader_1)
    template = await client.post(TEMPLATES, json=TEMPLATE, headers=leader)
    assert template.status_code == 201, template.text
    return Scene(world, leader, await login(client, world.inspector), template.json())


def inspection_body(s: Scene, **overrides: Any) -> dict[str, Any]:
    return {
        "targetId": str(s.world.cell_a.id),
        "kind": "periodic",
        "windowStart": DAY.isoformat(),
        "windowEnd": (DAY + timedelta(hours=8)).isoformat(),
        "topic": "Chế độ sinh hoạt chi bộ",
        "leadId": str(s.world.inspector.id),
        "templateId": s.template["id"],
        **overrides,
    }


async def create(client: httpx.AsyncClient, s: Scene, **overrides: Any) -> dict[str, Any]:
    reply = await client.post(INSPECTIONS, json=inspection_body(s, **overrides), headers=s.leader)
    assert reply.status_code == 201, reply.text
    assert reply.headers["etag"] == '"1"'
    return reply.json()  # type: ignore[no-any-return]


async def listed(client: httpx.AsyncClient, headers: Headers, **params: str) -> list[str]:
    reply = await client.get(INSPECTIONS, params=params, headers=headers)
    assert reply.status_code == 200, reply.text
    return [i["id"] for i in reply.json()["items"]]


async def add_person(world: World, role: Role, name: str, on: Unit | None = None) -> Person:
    """Someone kept in ward 1 with ``role`` on ``on`` (ward 1 unless told)."""
    person = make_person(world.ward1, name)
    unit = on or world.ward1
    repo = PiccoloOrgRepository()
    await repo.add_person(person, password_hash())
    await repo.add_grant(
        RoleGrant(uuid4(), person.id, unit.id, unit.path, role, None, START, START)
    )
    return person


async def started(client: httpx.AsyncClient, s: Scene, **overrides: Any) -> tuple[str, str]:
    """An inspection whose lead has checked in: (url, etag)."""
    inspection = await create(client, s, **overrides)
    url = f"{INSPECTIONS}/{inspection['id']}"
    reply = await client.post(f"{url}/check-in", json={}, headers=if_match(s.lead, 1))
    assert reply.status_code == 200, reply.text
    return url, reply.headers["etag"]


async def assert_calendar(client: httpx.AsyncClient, s: Scene, inspection_id: str) -> None:
    """The inspector's agenda and the leader's calendar by month, unit and status."""
    cell = str(s.world.cell_a.id)
    assert await listed(client, s.lead, inspectorId=str(s.world.inspector.id)) == [inspection_id]
    assert await listed(client, s.lead, inspectorId=str(s.world.leader_1.id)) == []
    assert await listed(client, s.leader, month="2027-01") == [inspection_id]
    assert await listed(client, s.leader, month="2027-02") == []
    assert await listed(client, s.leader, unitId=cell) == [inspection_id]
    assert await listed(client, s.leader, unitId=str(s.world.ward1.id)) == [inspection_id]
    assert await listed(client, s.leader, unitId=cell, status="concluded") == []
    assert await listed(client, s.leader, kind="periodic") == [inspection_id]
    assert await listed(client, s.leader, kind="surprise") == []
