"""Campaign plans over HTTP on both engines: visits on working days only, a commit that can be
repeated, no two overlapping inspections of one unit; the checklist templates a phone can pick."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx

from db.repositories.org import PiccoloOrgRepository
from db.tables import InspectionTable
from db.working_days import PiccoloWorkingDays
from domain.actors import Role
from domain.clock import LOCAL_TZ
from tests.api.helpers import Headers
from tests.api.inspection_calls import (
    INSPECTIONS,
    PLANS,
    TEMPLATE,
    TEMPLATES,
    Scene,
    add_person,
    inspection_body,
    scene,
)
from tests.factories import login, make_unit
from tests.fakes import FakeClock


def local_day(at: str) -> date:
    return datetime.fromisoformat(at).astimezone(LOCAL_TZ).date()


async def add_cells(s: Scene, count: int) -> None:
    repo = PiccoloOrgRepository()
    for n in range(count):
        await repo.add_unit(make_unit(s.world.ward1, f"Chi bộ số {n + 2}", "cell", is_cell=True))


def plan_body(s: Scene, first: str, last: str, **extra: Any) -> dict[str, Any]:
    return {
        "unitId": str(s.world.ward1.id),
        "firstDay": first,
        "lastDay": last,
        "topic": "Kiểm tra chế độ sinh hoạt",
        "kind": "periodic",
        "templateId": s.template["id"],
        "inspectorIds": [str(s.world.inspector.id)],
        **extra,
    }


async def test_visits_fall_on_working_days_not_on_new_year_weekends_or_tet(
    client: httpx.AsyncClient,
) -> None:
    s = await scene(client)
    await add_cells(s, 29)
    reply = await client.post(
        f"{PLANS}/preview", json=plan_body(s, "2027-01-01", "2027-02-28"), headers=s.leader
    )
    assert reply.status_code == 200, reply.text
    days = [local_day(v["windowStart"]) for v in reply.json()]
    assert len(days) == 30
    assert days[0] == date(2027, 1, 4)  # 1 January is a holiday, then a weekend
    calendar = await PiccoloWorkingDays().calendar(range(2027, 2028))
    assert all(calendar.is_working_day(d) for d in days)
    tet = date(2027, 2, 8)  # Tết Đinh Mùi: the Monday after lunar new year
    assert not calendar.is_working_day(tet)
    assert tet not in days


async def test_a_period_without_working_days_is_refused(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    reply = await client.post(
        f"{PLANS}/preview", json=plan_body(s, "2027-01-01", "2027-01-03"), headers=s.leader
    )
    assert reply.status_code == 422, reply.text
    assert reply.json()["code"] == "plan_without_working_days"


async def test_committing_the_same_plan_twice_makes_its_inspections_once(
    client: httpx.AsyncClient,
) -> None:
    s = await scene(client)
    await add_cells(s, 2)
    plan = plan_body(s, "2027-01-04", "2027-01-29")
    first = await client.post(PLANS, json=plan, headers=s.leader)
    assert first.status_code == 201, first.text
    again = await client.post(PLANS, json=plan, headers=s.leader)
    assert again.status_code == 201, again.text
    assert sorted(i["id"] for i in again.json()) == sorted(i["id"] for i in first.json())
    assert await InspectionTable.count() == 3


async def test_a_unit_gets_no_two_overlapping_inspections(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    first = await client.post(
        PLANS, json=plan_body(s, "2027-01-04", "2027-01-04"), headers=s.leader
    )
    assert first.status_code == 201, first.text
    other = await add_person(s.world, Role.INSPECTOR, "Ngô Minh Khoa")  # free that day
    other_topic = plan_body(
        s, "2027-01-04", "2027-01-04", topic="Tài chính đảng", inspectorIds=[str(other.id)]
    )
    refused = await client.post(PLANS, json=other_topic, headers=s.leader)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "inspection_overlaps"
    [planned] = first.json()
    single = inspection_body(
        s,
        windowStart=planned["windowStart"],
        windowEnd=planned["windowEnd"],
        kind="surprise",
        leadId=str(other.id),
    )
    reply = await client.post(
        INSPECTIONS, json=single, headers={**s.leader, "Accept-Language": "en"}
    )
    assert reply.status_code == 409, reply.text
    assert reply.json()["title"] == "The unit already has an inspection in an overlapping window"
    assert await InspectionTable.count() == 1
    next_day = await client.post(
        PLANS, json=plan_body(s, "2027-01-05", "2027-01-05", topic="Tài chính"), headers=s.leader
    )
    assert next_day.status_code == 201, next_day.text  # windows that only touch do not overlap


async def make_template(client: httpx.AsyncClient, headers: Headers, name: str) -> Any:
    reply = await client.post(TEMPLATES, json={**TEMPLATE, "name": name}, headers=headers)
    assert reply.status_code == 201, reply.text
    return reply.json()


async def template_names(client: httpx.AsyncClient, headers: Headers) -> list[tuple[str, int]]:
    reply = await client.get(TEMPLATES, headers=headers)
    assert reply.status_code == 200, reply.text
    return [(t["name"], t["version"]) for t in reply.json()["items"]]


async def test_templates_are_listed_with_versions_in_the_callers_scope(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await scene(client)  # leader_1 made "Kiểm tra sinh hoạt chi bộ" for ward 1
    world = s.world
    admin, other_ward = await login(client, world.admin), await login(client, world.leader_2)
    clock.advance(timedelta(minutes=1))
    await make_template(client, admin, "Mẫu của Thành ủy")
    clock.advance(timedelta(minutes=1))
    await make_template(client, other_ward, "Mẫu phường Hoàn Kiếm")
    clock.advance(timedelta(minutes=1))
    revised = await client.put(
        f"{TEMPLATES}/{s.template['id']}", json={**TEMPLATE, "name": "Bản sửa"}, headers=s.leader
    )
    assert revised.json()["familyId"] == s.template["id"] == s.template["familyId"]
    assert revised.json()["unitId"] == str(world.ward1.id)

    ward1 = [("Kiểm tra sinh hoạt chi bộ", 1), ("Mẫu của Thành ủy", 1), ("Bản sửa", 2)]
    assert await template_names(client, s.leader) == ward1
    assert await template_names(client, s.lead) == ward1  # an inspector of ward 1
    assert await template_names(client, other_ward) == [
        ("Mẫu của Thành ủy", 1),
        ("Mẫu phường Hoàn Kiếm", 1),
    ]
    assert len(await template_names(client, admin)) == 4  # the city sees inside its scope
    secretary = await login(client, world.secretary_a)
    assert await template_names(client, secretary) == []

    first = await client.get(TEMPLATES, params={"limit": "2"}, headers=s.leader)
    assert first.json()["nextCursor"] is not None
    rest = await client.get(
        TEMPLATES, params={"limit": "2", "cursor": first.json()["nextCursor"]}, headers=s.leader
    )
    assert [t["name"] for t in rest.json()["items"]] == ["Bản sửa"]
    assert rest.json()["nextCursor"] is None
