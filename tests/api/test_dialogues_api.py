"""Dialogues over HTTP: announced to the covered cells' members, questions answered or deferred
to a petition with its working-day deadline, publishing refused while one is neither, the
results notice as .docx without askers' names; who may see and hold them; reception days."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from typing import Any

import httpx
from docx import Document

from db.tables import NotificationTable, PetitionTable, TaskTable
from tests.api.dialogue_calls import ASKER, DIALOGUES, announce, change, changed
from tests.api.document_calls import texts
from tests.api.helpers import problem
from tests.factories import build_world, login
from tests.fakes import START, FakeClock

ANSWER = {"byName": "Vũ Đức Minh", "byTitle": "Bí thư Đảng ủy phường", "text": "Sẽ lắp đèn"}


async def _pushes(subject: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await NotificationTable.select(
        NotificationTable.person, NotificationTable.title, NotificationTable.body
    ).where(NotificationTable.subject == subject)
    return rows


async def test_dialogue_from_notice_to_results(client: httpx.AsyncClient, clock: FakeClock) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    dialogue = await announce(client, leader, world, starts_at=START + timedelta(days=3))
    assert dialogue["shortNotice"] is True
    assert dialogue["resultsDueOn"] == "2026-12-10"  # the 30th in Hà Nội, plus 10 days
    subject = f"dialogue:{dialogue['id']}"
    told = await _pushes(subject)
    assert {r["person"] for r in told} == {world.member_a.id, world.secretary_a.id}
    assert "Đảng ủy phường Ba Đình" in told[0]["body"]

    problem(
        await change(client, leader, dialogue, "questions", {"content": "Đèn?"}),
        422,
        "dialogue_not_started",
    )
    clock.advance(timedelta(days=3, hours=1))
    dialogue = await changed(
        client, leader, dialogue, "questions", {"content": "Ngõ 12 thiếu đèn", "askerName": ASKER}
    )
    dialogue = await changed(client, leader, dialogue, "questions", {"content": "Rác ở chợ"})
    first, second = (q["id"] for q in dialogue["questions"])
    assert dialogue["questions"][0]["askerName"] == ASKER
    assert dialogue["questions"][1]["askerName"] is None
    problem(await change(client, leader, dialogue, "publish"), 422, "dialogue_questions_pending")

    dialogue = await changed(client, leader, dialogue, f"questions/{first}/answer", ANSWER)
    dialogue = await changed(
        client, leader, dialogue, f"questions/{second}/defer", {"ownerId": str(world.member_a.id)}
    )
    deferred = dialogue["questions"][1]
    assert deferred["state"] == "deferred"
    # received on Monday 30/11: ten working days later is Monday 14/12
    assert deferred["deferral"]["replyDueOn"] == "2026-12-14"
    petition = (
        await PetitionTable.select()
        .where(PetitionTable.id == deferred["deferral"]["petitionId"])
        .first()
    )
    assert petition is not None
    assert (petition["channel"], petition["content"]) == ("dialogue", "Rác ở chợ")
    task = await TaskTable.select().where(TaskTable.id == petition["task"]).first()
    assert task is not None
    assert (task["assignee"], task["unit"]) == (world.member_a.id, world.ward1.id)
    problem(
        await change(client, leader, dialogue, f"questions/{second}/answer", ANSWER),
        409,
        "question_already_handled",
    )
    problem(
        await change(client, leader, dialogue, "publish"), 422, "dialogue_participants_required"
    )
    problem(
        await client.get(f"{DIALOGUES}/{dialogue['id']}/results.docx", headers=leader),
        409,
        "dialogue_not_published",
    )
    dialogue = await changed(client, leader, dialogue, "participants", {"participants": 85})
    dialogue = await changed(client, leader, dialogue, "publish")
    assert dialogue["publishedAt"] is not None
    assert len(await _pushes(subject)) == 4  # the notice and the results, to both members
    problem(
        await change(client, leader, dialogue, "questions", {"content": "Muộn"}),
        409,
        "dialogue_published",
    )

    reply = await client.get(f"{DIALOGUES}/{dialogue['id']}/results.docx", headers=leader)
    assert reply.status_code == 200, reply.text
    lines = texts(Document(BytesIO(reply.content)))
    text = "\n".join(lines)
    assert "THÔNG BÁO" in lines
    assert "1. Ngõ 12 thiếu đèn" in lines
    assert "Sẽ lắp đèn" in lines
    assert "2. Rác ở chợ" in lines
    assert f"đồng chí {world.member_a.full_name} chịu trách nhiệm" in text
    assert "Số người tham dự: 85" in text
    assert ASKER not in text
    assert all(ASKER not in r["body"] for r in await _pushes(subject))


async def test_who_sees_and_holds_dialogues(client: httpx.AsyncClient) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    dialogue = await announce(client, leader, world)
    assert dialogue["shortNotice"] is False  # eight days ahead
    url = f"{DIALOGUES}/{dialogue['id']}"
    for person in (world.secretary_a, world.member_a, world.leader_2):
        headers = await login(client, person)
        problem(await client.get(url, headers=headers), 404, "dialogue_not_found")
        listed = await client.get(DIALOGUES, headers=headers)
        assert listed.json()["items"] == []
    inspector = await login(client, world.inspector)
    assert (await client.get(url, headers=inspector)).status_code == 200
    problem(
        await change(client, inspector, dialogue, "participants", {"participants": 1}),
        403,
        "dialogue_manage_forbidden",
    )
    listed = await client.get(DIALOGUES, params={"unitId": str(world.ward1.id)}, headers=leader)
    assert [d["id"] for d in listed.json()["items"]] == [dialogue["id"]]

    body = {
        "wardId": str(world.ward1.id),
        "title": "Đối thoại",
        "kind": "ad_hoc",
        "format": "online",
        "place": "https://meet.example/phuong",
        "startsAt": "2026-12-20T01:00:00Z",
        "cellIds": [str(world.cell_b.id)],  # a cell of another ward
        "coChairs": [{"role": "Bí thư", "name": "Vũ Đức Minh"}],
    }
    problem(await client.post(DIALOGUES, json=body, headers=leader), 404, "unit_not_found")
    cell_as_ward = {**body, "wardId": str(world.cell_a.id), "cellIds": [str(world.cell_a.id)]}
    problem(
        await client.post(DIALOGUES, json=cell_as_ward, headers=leader),
        422,
        "dialogue_unit_not_ward",
    )
    secretary = await login(client, world.secretary_a)
    ward_unseen = {**body, "cellIds": [str(world.cell_a.id)]}
    problem(
        await client.post(DIALOGUES, json=ward_unseen, headers=secretary), 404, "unit_not_found"
    )
    problem(
        await client.post(DIALOGUES, json={**body, "coChairs": []}, headers=leader),
        422,
        "validation_failed",
    )


async def test_reception_days_of_a_month(client: httpx.AsyncClient) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    url = f"/api/v1/units/{world.ward1.id}/reception-days"
    day = {"day": "2026-11-10", "headName": "Vũ Đức Minh", "citizens": 6}
    assert (await client.post(url, json=day, headers=leader)).status_code == 201
    month = (await client.get(url, params={"month": "2026-11"}, headers=leader)).json()
    assert (len(month["days"]), month["required"], month["short"]) == (1, 2, True)
    problem(await client.post(url, json=day, headers=leader), 409, "reception_day_exists")
    later = {**day, "day": "2026-11-25", "citizens": 0}
    assert (await client.post(url, json=later, headers=leader)).status_code == 201
    month = (await client.get(url, params={"month": "2026-11"}, headers=leader)).json()
    assert [d["day"] for d in month["days"]] == ["2026-11-10", "2026-11-25"]
    assert month["short"] is False
    december = (await client.get(url, params={"month": "2026-12"}, headers=leader)).json()
    assert december["short"] is True
    tomorrow = {**day, "day": (date(2026, 11, 28)).isoformat()}
    problem(await client.post(url, json=tomorrow, headers=leader), 422, "reception_day_in_future")
    secretary = await login(client, world.secretary_a)
    problem(await client.post(url, json=later, headers=secretary), 404, "unit_not_found")
    inspector = await login(client, world.inspector)
    problem(
        await client.post(url, json={**day, "day": "2026-11-11"}, headers=inspector),
        403,
        "dialogue_manage_forbidden",
    )
