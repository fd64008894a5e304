"""The task and petition endpoints and the calls their tests share: a new task, a recorded
petition, a refused transition, a snapshot that shows nothing changed."""

from __future__ import annotations

from typing import Any

import httpx

from domain.org.model import Person
from tests.api.helpers import Headers, problem
from tests.factories import World

TASKS = "/api/v1/tasks"
PETITIONS = "/api/v1/petitions"
DAYS = "/api/v1/calendar-days"
EVIDENCE = {"note": "Đã sửa xong", "noEvidenceReason": "Việc làm tại chỗ, không chụp được"}
PETITIONER = "Bà Nguyễn Thị Cử Tri"
CONTACT = "0912 345 678"
REPLY = {"text": "Đã xử lý xong", "headName": "Phạm Văn Bình", "headTitle": "Bí thư chi bộ"}


async def new_task(
    client: httpx.AsyncClient,
    headers: Headers,
    unit: Any,
    assignee: Person,
    due_on: str = "2026-12-20",
    **extra: Any,
) -> dict[str, Any]:
    reply = await client.post(
        TASKS,
        json={
            "title": extra.pop("title", "Sửa đèn đường ngõ 3"),
            "unitId": str(unit.id),
            "assigneeId": str(assignee.id),
            "dueOn": due_on,
            **extra,
        },
        headers=headers,
    )
    assert reply.status_code == 201, reply.text
    body: dict[str, Any] = reply.json()
    return body


async def snapshot(client: httpx.AsyncClient, headers: Headers, task_id: str) -> tuple[Any, ...]:
    reply = await client.get(f"{TASKS}/{task_id}", headers=headers)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    return body["version"], body["status"], len(body["history"]), reply.headers["etag"]


async def refused(
    client: httpx.AsyncClient,
    url: str,
    headers: Headers,
    status: int,
    code: str,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    reply = await client.post(url, json=body if body is not None else {}, headers=headers)
    return problem(reply, status, code)


async def record_petition(
    client: httpx.AsyncClient,
    headers: Headers,
    world: World,
    received_at: str = "2026-11-27T02:00:00Z",
) -> dict[str, Any]:
    reply = await client.post(
        PETITIONS,
        json={
            "unitId": str(world.cell_a.id),
            "assigneeId": str(world.member_a.id),
            "petitionerName": PETITIONER,
            "petitionerContact": CONTACT,
            "channel": "reception_day",
            "category": "Trật tự đô thị",
            "content": "Lấn chiếm vỉa hè ở đầu ngõ 12",
            "receivedAt": received_at,
        },
        headers=headers,
    )
    assert reply.status_code == 201, reply.text
    body: dict[str, Any] = reply.json()
    return body


def ids(reply: httpx.Response) -> set[str]:
    assert reply.status_code == 200, reply.text
    return {item["id"] for item in reply.json()["items"]}
