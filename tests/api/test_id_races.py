"""Writes that race: the same client id sent at once by many requests (no Idempotency-Key), and
planners booking one cell at once. One is made, every other one gets 409 — never a 500, never two.
Each request runs in its own committed transaction, as in production, so the test owns a
database of its own."""

from __future__ import annotations

import asyncio
from collections import Counter
from uuid import uuid4

from db.engine import Database
from db.repositories.org import PiccoloOrgRepository
from db.tables import InspectionTable, TaskTable
from domain.actors import Role
from domain.org.model import RoleGrant
from tests.api.helpers import client_on
from tests.factories import build_world, login, make_person, password_hash
from tests.fakes import START

RACERS = 20
# the service's own check answers first when it sees the row; only the constraint sees a row
# that a concurrent transaction has not committed yet
ID_TAKEN = {"id_conflict"}


async def test_one_client_id_sent_at_once_creates_one_task(committed: Database) -> None:
    world = await build_world()
    async with client_on(committed) as client:
        headers = await login(client, world.secretary_a)
        body = {
            "id": str(uuid4()),
            "title": "Sửa đèn đường",
            "unitId": str(world.cell_a.id),
            "assigneeId": str(world.member_a.id),
            "dueOn": "2026-12-20",
        }
        replies = await asyncio.gather(
            *(client.post("/api/v1/tasks", json=body, headers=headers) for _ in range(RACERS))
        )
    assert Counter(r.status_code for r in replies) == {201: 1, 409: RACERS - 1}
    assert {r.json()["code"] for r in replies if r.status_code == 409} <= ID_TAKEN
    assert await TaskTable.count().where(TaskTable.id == body["id"]) == 1


async def test_planners_booking_one_cell_at_once_make_one_inspection(committed: Database) -> None:
    """Five leads, one cell, one window, all at once: the unit's check-and-insert is one step
    (the unit is locked while its overlaps are read), so one inspection is made."""
    world = await build_world()
    repo = PiccoloOrgRepository()
    leads = [make_person(world.ward1, f"Thanh tra viên {n}") for n in range(5)]
    for person in leads:
        await repo.add_person(person, password_hash())
        await repo.add_grant(
            RoleGrant(uuid4(), person.id, world.ward1.id, world.ward1.path, Role.INSPECTOR,
                      None, START, START)
        )  # fmt: skip
    async with client_on(committed) as client:
        leader = await login(client, world.leader_1)
        template = await client.post(
            "/api/v1/checklist-templates",
            json={
                "name": "Kiểm tra việc thực hiện Điều lệ",
                "items": [
                    {"key": "nq", "question": "Có nghị quyết tháng?", "answerKind": "yes_no"}
                ],
            },
            headers=leader,
        )
        assert template.status_code == 201, template.text
        replies = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/inspections",
                    json={
                        "targetId": str(world.cell_a.id),
                        "kind": "thematic",
                        "windowStart": "2027-02-01T01:00:00+00:00",
                        "windowEnd": "2027-02-03T10:00:00+00:00",
                        "topic": "Công tác phát triển đảng viên",
                        "leadId": str(lead.id),
                        "templateId": template.json()["id"],
                    },
                    headers=leader,
                )
                for lead in leads
            )
        )
    assert Counter(r.status_code for r in replies) == {201: 1, 409: 4}, [r.text for r in replies]
    assert {r.json()["code"] for r in replies if r.status_code == 409} == {"inspection_overlaps"}
    assert await InspectionTable.count().where(InspectionTable.target == world.cell_a.id) == 1
