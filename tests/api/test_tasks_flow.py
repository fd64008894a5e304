from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.api.helpers import if_match
from tests.api.inspection_calls import TEMPLATE
from tests.api.meeting_calls import AGENDA
from tests.factories import World, build_world, login
from tests.fakes import FakeClock


async def _recommended_task(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> dict[str, Any]:
    """An inspection concluded with one recommendation: its follow-up task."""
    leader = await login(client, world.leader_1)
    template = (
        await client.post("/api/v1/checklist-templates", json=TEMPLATE, headers=leader)
    ).json()
    inspection = (
        await client.post(
            "/api/v1/inspections",
            json={
                "targetId": str(world.cell_a.id),
                "kind": "periodic",
                "windowStart": "2026-11-28T01:00:00Z",
                "windowEnd": "2026-11-28T10:00:00Z",
                "topic": "Sinh hoạt chi bộ",
                "leadId": str(world.inspector.id),
                "templateId": template["id"],
            },
            headers=leader,
        )
    ).json()
    url = f"/api/v1/inspections/{inspection['id']}"
    lead = await login(client, world.inspector)
    clock.advance(timedelta(days=1))
    await client.post(f"{url}/check-in", json={}, headers=if_match(lead, 1))
    await client.put(f"{url}/answers/met_monthly", json={"value": True}, headers=if_match(lead, 2))
    await client.put(f"{url}/answers/minutes", json={"value": 3}, headers=if_match(lead, 3))
    concluded = await client.post(
        f"{url}/conclusion",
        json={
            "text": "Cần khắc phục",
            "recommendations": [{"text": "Bổ sung sổ biên bản", "dueOn": "2026-12-10"}],
        },
        headers=if_match(lead, 4),
    )
    assert concluded.status_code == 200, concluded.text
    task_id = concluded.json()["recommendations"][0]["taskId"]
    task = await client.get(f"/api/v1/tasks/{task_id}", headers=lead)
    assert task.status_code == 200
    body: dict[str, Any] = task.json()
    return body


async def test_recommendation_to_closed_task_and_reopen(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    task = await _recommended_task(client, world, clock)
    assert task["assigneeId"] == str(world.secretary_a.id)  # no person named: the secretary
    url = f"/api/v1/tasks/{task['id']}"
    secretary = await login(client, world.secretary_a)
    inspector = await login(client, world.inspector)

    bare = await client.post(
        f"{url}/submit", json={"note": "Đã bổ sung"}, headers=if_match(secretary, 1)
    )
    assert bare.status_code == 422
    assert bare.json()["code"] == "evidence_required"
    evidence = {"note": "Đã bổ sung", "noEvidenceReason": "Sổ lưu tại văn phòng"}
    submitted = await client.post(f"{url}/submit", json=evidence, headers=if_match(secretary, 1))
    assert submitted.json()["status"] == "submitted"
    own = await client.post(
        f"{url}/close", json={"resolution": "resolved"}, headers=if_match(secretary, 2)
    )
    assert own.status_code == 403
    returned = await client.post(
        f"{url}/return", json={"reason": "Thiếu ảnh"}, headers=if_match(inspector, 2)
    )
    assert returned.json()["status"] == "in_progress"
    await client.post(f"{url}/submit", json=evidence, headers=if_match(secretary, 3))
    closed = await client.post(
        f"{url}/close", json={"resolution": "resolved"}, headers=if_match(inspector, 4)
    )
    assert closed.json()["status"] == "closed"
    inspection = await client.get(f"/api/v1/inspections/{task['sourceId']}", headers=inspector)
    assert inspection.json()["status"] == "closed"  # its only follow-up is done
    reopened = await client.post(
        f"{url}/reopen", json={"reason": "Chưa đạt"}, headers=if_match(inspector, 5)
    )
    body = reopened.json()
    assert body["status"] == "in_progress"
    inbox = (await client.get("/api/v1/me/notifications", headers=secretary)).json()["items"]
    assert sorted(n["title"] for n in inbox if n["category"] == "task") == [
        "Việc bị trả lại",
        "Việc mới được giao",
        "Việc đã được đóng",
        "Việc được mở lại",
    ]
    # the inspected cell learnt of the (periodic, unsealed) inspection when it was scheduled
    assert [n["title"] for n in inbox if n["category"] == "inspection"] == ["Lịch kiểm tra"]
    assert [s["kind"] for s in body["history"]] == [
        "created",
        "submitted",
        "returned",
        "submitted",
        "closed",
        "reopened",
    ]


async def test_petition_needs_a_reply_before_its_task_closes(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    petition = (
        await client.post(
            "/api/v1/petitions",
            json={
                "unitId": str(world.cell_a.id),
                "assigneeId": str(world.member_a.id),
                "petitionerName": "Ông Nguyễn Văn Dân",
                "petitionerContact": "0987 654 321",
                "channel": "cell_meeting",
                "category": "Vệ sinh môi trường",
                "content": "Rác thải tồn đọng ở ngõ 5",
                "receivedAt": "2026-11-27T02:00:00Z",
            },
            headers=secretary,
        )
    ).json()
    assert petition["replyDueOn"] == "2026-12-11"  # 10 working days after Friday 27 November
    assert petition["petitionerName"] == "Ông Nguyễn Văn Dân"
    other = await client.get(
        f"/api/v1/petitions/{petition['id']}", headers=await login(client, world.secretary_b)
    )
    assert other.status_code == 404
    member = await client.get(
        f"/api/v1/petitions/{petition['id']}", headers=await login(client, world.member_a)
    )
    assert member.json()["petitionerName"] is None  # the assignee sees the case, not the person

    task_url = f"/api/v1/tasks/{petition['taskId']}"
    member_headers = await login(client, world.member_a)
    await client.post(
        f"{task_url}/submit",
        json={"note": "Đã dọn", "noEvidenceReason": "Không chụp được"},
        headers=if_match(member_headers, 1),
    )
    leader = await login(client, world.leader_1)
    early = await client.post(
        f"{task_url}/close", json={"resolution": "resolved"}, headers=if_match(leader, 2)
    )
    assert early.status_code == 422
    assert early.json()["code"] == "petition_reply_required"
    reply = {"text": "Đã xử lý", "headName": "Phạm Văn Bình", "headTitle": "Bí thư chi bộ"}
    assert (
        await client.post(
            f"/api/v1/petitions/{petition['id']}/reply", json=reply, headers=secretary
        )
    ).status_code == 200
    closed = await client.post(
        f"{task_url}/close", json={"resolution": "resolved"}, headers=if_match(leader, 3)
    )
    assert closed.json()["status"] == "closed", closed.text
    unhappy = await client.post(
        f"/api/v1/petitions/{petition['id']}/satisfaction",
        json={"satisfaction": "not_satisfied"},
        headers=secretary,
    )
    assert unhappy.status_code == 200
    assert (await client.get(task_url, headers=leader)).json()["status"] == "in_progress"


async def test_open_tasks_are_carried_forward_to_the_next_notice(client: httpx.AsyncClient) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    task = await client.post(
        "/api/v1/tasks",
        json={
            "title": "Sửa loa truyền thanh",
            "unitId": str(world.cell_a.id),
            "assigneeId": str(world.member_a.id),
            "dueOn": "2026-12-20",
        },
        headers=leader,
    )
    assert task.status_code == 201, task.text
    secretary = await login(client, world.secretary_a)
    meeting = await client.post(
        "/api/v1/meetings",
        json={
            "cellId": str(world.cell_a.id),
            "kind": "regular",
            "plannedStart": "2026-12-04T12:30:00Z",
            "plannedEnd": "2026-12-04T14:30:00Z",
        },
        headers=secretary,
    )
    noticed = await client.put(
        f"/api/v1/meetings/{meeting.json()['id']}/notice",
        json=AGENDA,
        headers=if_match(secretary, 1),
    )
    items = noticed.json()["agenda"]
    assert [(i["kind"], i["taskId"]) for i in items] == [
        ("report", None),
        ("review", task.json()["id"]),
    ]
    assert items[1]["title"] == "Kiểm điểm việc: Sửa loa truyền thanh"


async def test_a_petition_received_in_the_future_is_refused(client: httpx.AsyncClient) -> None:
    world = await build_world()
    reply = await client.post(
        "/api/v1/petitions",
        json={
            "unitId": str(world.cell_a.id),
            "assigneeId": str(world.member_a.id),
            "petitionerName": "Bà Trần Thị Dân",
            "channel": "reception_day",
            "category": "Trật tự",
            "content": "Tiếng ồn ban đêm",
            "receivedAt": "2026-11-28T02:00:00Z",  # tomorrow
        },
        headers=await login(client, world.secretary_a),
    )
    assert reply.status_code == 422
    assert reply.json()["code"] == "petition_received_in_future"
