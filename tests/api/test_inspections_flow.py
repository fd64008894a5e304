from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.api.helpers import if_match
from tests.api.inspection_calls import TEMPLATE
from tests.factories import World, build_world, login
from tests.fakes import FakeClock


async def _surprise(
    client: httpx.AsyncClient, world: World, leader: dict[str, str]
) -> dict[str, Any]:
    template = await client.post("/api/v1/checklist-templates", json=TEMPLATE, headers=leader)
    assert template.status_code == 201, template.text
    body = {
        "targetId": str(world.cell_a.id),
        "kind": "surprise",
        "windowStart": "2026-12-01T01:00:00Z",
        "windowEnd": "2026-12-01T10:00:00Z",
        "topic": "Việc thực hiện chế độ sinh hoạt",
        "leadId": str(world.inspector.id),
        "templateId": template.json()["id"],
    }
    created = await client.post("/api/v1/inspections", json=body, headers=leader)
    assert created.status_code == 201, created.text
    inspection: dict[str, Any] = created.json()
    return inspection


async def test_sealed_surprise_inspection_reads_as_missing_until_it_starts(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    inspection = await _surprise(client, world, leader)
    url = f"/api/v1/inspections/{inspection['id']}"
    secretary = await login(client, world.secretary_a)
    sealed = await client.get(url, headers=secretary)
    missing = await client.get(f"/api/v1/inspections/{world.cell_a.id}", headers=secretary)
    assert sealed.status_code == missing.status_code == 404
    assert sealed.json() | {"requestId": None} == missing.json() | {"requestId": None}
    assert (await client.get("/api/v1/inspections", headers=secretary)).json()["items"] == []
    assert (await client.get(url, headers=leader)).status_code == 200
    admin = await login(client, world.admin)
    log = await client.get(f"{url}/sealed-reads", headers=admin)
    assert [r["personId"] for r in log.json()["items"]] == [
        str(world.leader_1.id),
        str(world.admin.id),
    ]

    clock.advance(timedelta(days=4))  # the window has started: the unit sees it now
    assert (await client.get(url, headers=secretary)).status_code == 200


async def test_visit_answers_and_conclusion(client: httpx.AsyncClient, clock: FakeClock) -> None:
    world = await build_world()
    inspection = await _surprise(client, world, await login(client, world.leader_1))
    url = f"/api/v1/inspections/{inspection['id']}"
    lead = await login(client, world.inspector)
    clock.advance(timedelta(days=4))
    started = await client.post(f"{url}/check-in", json={}, headers=if_match(lead, 1))
    assert started.json()["status"] == "in_progress"
    early = await client.post(
        f"{url}/conclusion", json={"text": "Kết luận"}, headers=if_match(lead, 2)
    )
    assert early.status_code == 409
    assert early.json()["missing"] == ["met_monthly", "minutes"]
    version = 2
    for key, value in (("met_monthly", True), ("minutes", 4)):
        answered = await client.put(
            f"{url}/answers/{key}",
            json={"value": value},
            headers=if_match(lead, version),
        )
        assert answered.status_code == 200, answered.text
        version += 1
    concluded = await client.post(
        f"{url}/conclusion",
        json={
            "text": "Chi bộ thực hiện tốt",
            "recommendations": [{"text": "Bổ sung sổ biên bản", "dueOn": "2027-01-15"}],
        },
        headers=if_match(lead, version),
    )
    assert concluded.status_code == 200, concluded.text
    assert concluded.json()["status"] == "concluded"


async def test_the_unit_hears_of_a_surprise_inspection_only_when_the_lead_checks_in(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    inspection = await _surprise(client, world, await login(client, world.leader_1))
    secretary = await login(client, world.secretary_a)
    inbox = "/api/v1/me/notifications"
    assert (await client.get(inbox, headers=secretary)).json()["items"] == []
    clock.advance(timedelta(days=3, hours=22, minutes=30))  # 30 minutes before the window
    lead = await login(client, world.inspector)
    checked_in = await client.post(
        f"/api/v1/inspections/{inspection['id']}/check-in",
        json={},
        headers=if_match(lead, 1),
    )
    assert checked_in.status_code == 200
    [heard] = (await client.get(inbox, headers=secretary)).json()["items"]
    assert heard["title"] == "Kiểm tra đột xuất"
    assert heard["data"]["inspectionId"] == inspection["id"]
