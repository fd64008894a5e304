"""Tasks, petitions and calendar days over HTTP, beyond the happy loop of test_tasks_flow.py:
forbidden transitions change nothing, reading filters, petitioners' personal data, working days."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx

from db.engine import Database
from db.repositories.org import PiccoloOrgRepository
from db.tables import PetitionTable, TaskTable
from domain.org.model import Person
from tests.api.helpers import Headers, if_match, problem
from tests.factories import World, build_world, login, make_person, password_hash
from tests.fakes import FakeClock
from tests.reminder_subjects import escalation_service

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


# -- the lifecycle refuses what it must and changes nothing ------------------------------------


async def test_forbidden_transitions_answer_their_code_and_change_nothing(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    member = await login(client, world.member_a)
    inspector = await login(client, world.inspector)
    task = await new_task(client, secretary, world.cell_a, world.member_a)
    url = f"{TASKS}/{task['id']}"

    before = await snapshot(client, member, task["id"])
    assert before[:3] == (1, "open", 1)
    await refused(
        client, f"{url}/submit", if_match(secretary, 1), 403, "task_assignee_only", EVIDENCE
    )
    await refused(client, f"{url}/start", if_match(inspector, 1), 403, "task_assignee_only")
    await refused(
        client,
        f"{url}/close",
        if_match(inspector, 1),
        409,
        "task_status_invalid",
        {"resolution": "resolved"},
    )
    await refused(
        client,
        f"{url}/reopen",
        if_match(inspector, 1),
        409,
        "task_status_invalid",
        {"reason": "Làm lại"},
    )
    await refused(
        client,
        f"{url}/return",
        if_match(inspector, 1),
        409,
        "task_status_invalid",
        {"reason": "Thiếu ảnh"},
    )
    await refused(client, f"{url}/start", member, 428, "if_match_required")
    assert await snapshot(client, member, task["id"]) == before

    started = await client.post(f"{url}/start", headers=if_match(member, 1))
    assert started.status_code == 200, started.text
    assert started.headers["etag"] == '"2"'
    before = await snapshot(client, member, task["id"])
    assert before[:3] == (2, "in_progress", 2)
    await refused(client, f"{url}/start", if_match(member, 2), 409, "task_status_invalid")
    stale = await refused(
        client, f"{url}/submit", if_match(member, 1), 412, "version_mismatch", EVIDENCE
    )
    assert stale["currentVersion"] == 2
    await refused(client, f"{url}/submit", member, 428, "if_match_required", EVIDENCE)
    await refused(
        client, f"{url}/submit", if_match(member, 2), 422, "evidence_required", {"note": "Xong"}
    )
    await refused(
        client,
        f"{url}/reopen",
        if_match(inspector, 2),
        409,
        "task_status_invalid",
        {"reason": "Làm lại"},
    )
    assert await snapshot(client, member, task["id"]) == before


async def test_a_submitted_task_takes_only_a_proper_verdict_from_a_verifier(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    member = await login(client, world.member_a)
    inspector = await login(client, world.inspector)
    task = await new_task(client, secretary, world.cell_a, world.member_a)
    url = f"{TASKS}/{task['id']}"

    submitted = await client.post(f"{url}/submit", json=EVIDENCE, headers=if_match(member, 1))
    assert submitted.status_code == 200, submitted.text
    before = await snapshot(client, member, task["id"])
    assert before[:3] == (2, "submitted", 2)
    await refused(
        client, f"{url}/submit", if_match(member, 2), 409, "task_status_invalid", EVIDENCE
    )
    await refused(
        client, f"{url}/return", if_match(inspector, 2), 422, "validation_failed", {"reason": ""}
    )
    await refused(client, f"{url}/return", if_match(inspector, 2), 422, "validation_failed")
    await refused(
        client,
        f"{url}/return",
        if_match(inspector, 2),
        422,
        "return_reason_required",
        {"reason": "   "},
    )
    for who in (member, secretary):  # the assignee; a secretary over the unit is no verifier
        await refused(
            client,
            f"{url}/close",
            if_match(who, 2),
            403,
            "task_verify_forbidden",
            {"resolution": "resolved"},
        )
        await refused(
            client,
            f"{url}/return",
            if_match(who, 2),
            403,
            "task_verify_forbidden",
            {"reason": "Chưa đạt"},
        )
    await refused(
        client,
        f"{url}/close",
        if_match(inspector, 2),
        422,
        "explanation_required",
        {"resolution": "cannot_resolve"},
    )
    await refused(
        client,
        f"{url}/close",
        if_match(inspector, 2),
        422,
        "explanation_required",
        {
            "resolution": "cannot_resolve",
            "explanation": "  ",
        },
    )
    await refused(
        client,
        f"{url}/close",
        if_match(inspector, 2),
        422,
        "transferee_required",
        {"resolution": "transferred"},
    )
    await refused(
        client,
        f"{url}/close",
        if_match(inspector, 2),
        422,
        "validation_failed",
        {"resolution": "fixed"},
    )
    stale = await refused(
        client,
        f"{url}/close",
        if_match(inspector, 1),
        412,
        "version_mismatch",
        {"resolution": "resolved"},
    )
    assert stale["currentVersion"] == 2
    await refused(
        client, f"{url}/close", inspector, 428, "if_match_required", {"resolution": "resolved"}
    )
    assert await snapshot(client, member, task["id"]) == before

    closed = await client.post(
        f"{url}/close",
        json={"resolution": "transferred", "transferredTo": "UBND phường Ba Đình"},
        headers=if_match(inspector, 2),
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert (body["status"], body["resolution"], body["transferredTo"]) == (
        "closed",
        "transferred",
        "UBND phường Ba Đình",
    )
    before = await snapshot(client, member, task["id"])
    await refused(
        client,
        f"{url}/close",
        if_match(inspector, 3),
        409,
        "task_status_invalid",
        {"resolution": "resolved"},
    )
    await refused(
        client, f"{url}/submit", if_match(member, 3), 409, "task_status_invalid", EVIDENCE
    )
    await refused(
        client,
        f"{url}/reopen",
        if_match(member, 3),
        403,
        "task_verify_forbidden",
        {"reason": "Tôi muốn làm lại"},
    )
    await refused(
        client, f"{url}/reopen", if_match(inspector, 3), 422, "validation_failed", {"reason": ""}
    )
    assert await snapshot(client, member, task["id"]) == before


async def test_a_leader_assigned_the_task_cannot_verify_it_and_to_verify_lists_others_only(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    inspector = await login(client, world.inspector)
    leader = await login(client, world.leader_1)
    member = await login(client, world.member_a)
    members = await new_task(client, inspector, world.cell_a, world.member_a, title="Của đảng viên")
    leaders = await new_task(client, inspector, world.cell_a, world.leader_1, title="Của lãnh đạo")
    still_open = await new_task(client, inspector, world.cell_a, world.member_a, title="Chưa nộp")
    for task, who in ((members, member), (leaders, leader)):
        reply = await client.post(
            f"{TASKS}/{task['id']}/submit", json=EVIDENCE, headers=if_match(who, 1)
        )
        assert reply.status_code == 200, reply.text

    before = await snapshot(client, leader, leaders["id"])
    url = f"{TASKS}/{leaders['id']}"
    await refused(
        client,
        f"{url}/close",
        if_match(leader, 2),
        403,
        "task_verify_forbidden",
        {"resolution": "resolved"},
    )
    await refused(
        client,
        f"{url}/return",
        if_match(leader, 2),
        403,
        "task_verify_forbidden",
        {"reason": "Tự trả lại"},
    )
    assert await snapshot(client, leader, leaders["id"]) == before

    to_verify = f"{TASKS}/to-verify"
    assert ids(await client.get(to_verify, headers=inspector)) == {members["id"], leaders["id"]}
    assert ids(await client.get(to_verify, headers=leader)) == {members["id"]}
    assert ids(await client.get(to_verify, headers=member)) == set()
    assert still_open["id"] not in ids(await client.get(to_verify, headers=inspector))
    leader_2 = await login(client, world.leader_2)
    assert ids(await client.get(to_verify, headers=leader_2)) == set()

    closed = await client.post(
        f"{url}/close", json={"resolution": "resolved"}, headers=if_match(inspector, 2)
    )
    assert closed.status_code == 200, closed.text
    assert ids(await client.get(to_verify, headers=inspector)) == {members["id"]}


# -- creating -------------------------------------------------------------------------------------


async def test_create_refuses_bad_assignees_and_callers_without_the_right(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    gone = dataclasses.replace(make_person(world.cell_a, "Đỗ Văn Nghỉ"), active=False)
    await PiccoloOrgRepository().add_person(gone, password_hash())
    secretary = await login(client, world.secretary_a)
    body = {"title": "Việc", "unitId": str(world.cell_a.id), "dueOn": "2026-12-20"}

    for assignee in (uuid4(), gone.id):
        reply = await client.post(
            TASKS, json={**body, "assigneeId": str(assignee)}, headers=secretary
        )
        assert reply.status_code == 404, reply.text
        assert reply.json()["code"] == "person_not_found"
    bad = await client.post(TASKS, json={**body, "assigneeId": "not-a-uuid"}, headers=secretary)
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_failed"

    valid = {**body, "assigneeId": str(world.member_a.id)}
    member = await login(client, world.member_a)
    forbidden = await client.post(TASKS, json=valid, headers=member)
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "task_manage_forbidden"
    other_cell = await login(client, world.secretary_b)
    hidden = await client.post(TASKS, json=valid, headers=other_cell)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "unit_not_found"
    nowhere = await client.post(TASKS, json={**valid, "unitId": str(uuid4())}, headers=secretary)
    assert nowhere.status_code == 404
    assert await TaskTable.count() == 0

    task = await new_task(client, secretary, world.cell_a, world.member_a)
    for path in ("", "/comments"):
        reply = await client.get(f"{TASKS}/{task['id']}{path}", headers=other_cell)
        assert reply.status_code == 404, path
        assert reply.json()["code"] == "task_not_found"
    await refused(
        client, f"{TASKS}/{task['id']}/start", if_match(other_cell, 1), 404, "task_not_found"
    )
    assert ids(await client.get(TASKS, headers=other_cell)) == set()


async def test_create_with_the_clients_id_and_an_idempotency_key(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    own_id = str(uuid4())
    body = {
        "id": own_id,
        "title": "Vận động thu gom rác",
        "unitId": str(world.cell_a.id),
        "assigneeId": str(world.secretary_a.id),
        "dueOn": "2026-12-15",
        "priority": "urgent",
        "description": "Trước Tết",
    }
    keyed = {**leader, "Idempotency-Key": "task-offline-0001"}
    first = await client.post(TASKS, json=body, headers=keyed)
    assert first.status_code == 201, first.text
    assert first.json()["id"] == own_id
    assert first.json()["priority"] == "urgent"
    assert first.headers["etag"] == '"1"'
    again = await client.post(TASKS, json=body, headers=keyed)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = await client.post(TASKS, json={**body, "title": "Khác"}, headers=keyed)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"

    duplicate = await client.post(TASKS, json=body, headers=leader)  # same id, no key
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "id_conflict"
    assert await TaskTable.count().where(TaskTable.id == UUID(own_id)) == 1
    assert await TaskTable.count() == 1


# -- reading --------------------------------------------------------------------------------------


async def test_list_tasks_filters_by_status_source_priority_due_range_and_subtree(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    admin = await login(client, world.admin)
    early = await new_task(client, admin, world.cell_a, world.member_a, "2026-12-01")
    urgent = await new_task(
        client, admin, world.cell_a, world.secretary_a, "2026-12-10", priority="urgent"
    )
    in_b = await new_task(client, admin, world.cell_b, world.secretary_b, "2026-12-31")
    on_ward = await new_task(client, admin, world.ward1, world.leader_1, "2027-01-15")
    petition = await record_petition(client, admin, world)  # due 2026-12-11
    started = await client.post(
        f"{TASKS}/{early['id']}/start", headers=if_match(await login(client, world.member_a), 1)
    )
    assert started.status_code == 200, started.text
    everything = {early["id"], urgent["id"], in_b["id"], on_ward["id"], petition["taskId"]}

    async def listed(**query: str) -> set[str]:
        return ids(await client.get(TASKS, params=query, headers=admin))

    assert await listed() == everything
    assert await listed(status="in_progress") == {early["id"]}
    assert await listed(status="open") == everything - {early["id"]}
    assert await listed(status="closed") == set()
    assert await listed(source="petition") == {petition["taskId"]}
    assert await listed(source="leader") == everything - {petition["taskId"]}
    assert await listed(source="inspection_recommendation") == set()
    assert await listed(priority="urgent") == {urgent["id"]}
    assert await listed(priority="normal") == everything - {urgent["id"]}
    assert await listed(dueFrom="2026-12-10", dueUntil="2026-12-31") == {
        urgent["id"],
        in_b["id"],
        petition["taskId"],
    }
    assert await listed(dueUntil="2026-12-01") == {early["id"]}
    assert await listed(dueFrom="2027-01-01") == {on_ward["id"]}
    assert await listed(unitId=str(world.ward1.id)) == everything - {in_b["id"]}
    assert await listed(unitId=str(world.cell_a.id)) == everything - {in_b["id"], on_ward["id"]}
    assert await listed(unitId=str(world.cell_b.id)) == {in_b["id"]}
    assert await listed(unitId=str(world.cell_a.id), priority="urgent") == {urgent["id"]}
    assert await listed(escalated="false") == everything
    assert await listed(overdue="true") == set()  # Friday 27 November: nothing late yet
    bad = await client.get(TASKS, params={"status": "done"}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_failed"

    first = await client.get(TASKS, params={"limit": "2"}, headers=admin)
    page = first.json()
    assert len(page["items"]) == 2
    rest = await client.get(
        TASKS, params={"limit": "100", "cursor": page["nextCursor"]}, headers=admin
    )
    assert ids(first) | ids(rest) == everything
    assert not ids(first) & ids(rest)

    leader = await login(client, world.leader_1)  # ward 1 only
    assert ids(await client.get(TASKS, headers=leader)) == everything - {in_b["id"]}
    hidden = await client.get(TASKS, params={"unitId": str(world.cell_b.id)}, headers=leader)
    assert hidden.status_code == 404


async def test_overdue_and_my_tasks_follow_the_clock(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    monday = await new_task(client, leader, world.cell_a, world.member_a, "2026-11-30")
    thursday = await new_task(client, leader, world.cell_a, world.member_a, "2026-12-03")
    later = await new_task(client, leader, world.cell_a, world.member_a, "2026-12-24")
    someone_else = await new_task(client, leader, world.cell_a, world.secretary_a, "2026-11-30")
    member = await login(client, world.member_a)
    mine = f"{TASKS}/mine"

    assert ids(await client.get(mine, headers=member)) == {
        monday["id"],
        thursday["id"],
        later["id"],
    }
    due_soon = await client.get(mine, params={"dueUntil": "2026-12-04"}, headers=member)
    assert ids(due_soon) == {monday["id"], thursday["id"]}
    assert ids(await client.get(mine, params={"overdue": "true"}, headers=member)) == set()

    clock.reset(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # Tuesday 1 December
    late = await client.get(mine, params={"overdue": "true"}, headers=member)
    assert ids(late) == {monday["id"]}
    assert ids(await client.get(TASKS, params={"overdue": "true"}, headers=leader)) == {
        monday["id"],
        someone_else["id"],
    }
    # closing takes a task off the overdue lists
    await client.post(f"{TASKS}/{monday['id']}/submit", json=EVIDENCE, headers=if_match(member, 1))
    inspector = await login(client, world.inspector)
    closed = await client.post(
        f"{TASKS}/{monday['id']}/close",
        json={"resolution": "resolved"},
        headers=if_match(inspector, 2),
    )
    assert closed.status_code == 200, closed.text
    assert ids(await client.get(mine, params={"overdue": "true"}, headers=member)) == set()
    assert ids(await client.get(mine, params={"status": "closed"}, headers=member)) == {
        monday["id"]
    }
    clock.advance(timedelta(days=10))
    assert ids(await client.get(mine, params={"overdue": "true"}, headers=member)) == {
        thursday["id"]
    }
    assert ids(await client.get(mine, headers=leader)) == set()  # the leader carries none


async def test_escalated_filter_after_the_sweep(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    late = await new_task(client, leader, world.cell_a, world.member_a, "2026-11-30")
    urgent = await new_task(
        client, leader, world.cell_a, world.secretary_a, "2026-12-03", priority="urgent"
    )
    calm = await new_task(client, leader, world.cell_a, world.member_a, "2026-12-31")
    sweep = escalation_service(db, clock)
    assert await sweep.escalate_overdue() == 0
    assert ids(await client.get(TASKS, params={"escalated": "true"}, headers=leader)) == set()

    clock.reset(datetime(2026, 12, 4, 2, 0, tzinfo=UTC))  # Friday: 4 working days after Monday
    assert await sweep.escalate_overdue() == 2
    assert await sweep.escalate_overdue() == 0
    escalated = await client.get(TASKS, params={"escalated": "true"}, headers=leader)
    assert ids(escalated) == {late["id"], urgent["id"]}
    assert ids(await client.get(TASKS, params={"escalated": "false"}, headers=leader)) == {
        calm["id"]
    }
    assert ids(
        await client.get(TASKS, params={"escalated": "true", "priority": "urgent"}, headers=leader)
    ) == {urgent["id"]}
    body = (await client.get(f"{TASKS}/{late['id']}", headers=leader)).json()
    assert body["escalationLevel"] == 1
    assert body["version"] == 2
    step = body["history"][-1]
    assert (step["kind"], step["by"], step["unitId"]) == ("escalated", None, str(world.cell_a.id))
    member = await login(client, world.member_a)
    assert ids(await client.get(f"{TASKS}/mine", params={"overdue": "true"}, headers=member)) == {
        late["id"]
    }


async def test_comments_on_a_task(client: httpx.AsyncClient, clock: FakeClock) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    member = await login(client, world.member_a)
    task = await new_task(client, secretary, world.cell_a, world.member_a)
    url = f"{TASKS}/{task['id']}/comments"
    first = await client.post(url, json={"text": "Đã liên hệ tổ dân phố"}, headers=member)
    assert first.status_code == 201, first.text
    assert first.json()["by"] == str(world.member_a.id)
    clock.advance(timedelta(minutes=5))
    second = await client.post(url, json={"text": "Cần thêm kinh phí"}, headers=secretary)
    assert second.status_code == 201, second.text
    empty = await client.post(url, json={"text": ""}, headers=secretary)
    assert empty.status_code == 422
    assert empty.json()["code"] == "validation_failed"

    listed = await client.get(url, headers=member)
    assert listed.status_code == 200
    assert [(c["text"], c["by"]) for c in listed.json()["items"]] == [
        ("Đã liên hệ tổ dân phố", str(world.member_a.id)),
        ("Cần thêm kinh phí", str(world.secretary_a.id)),
    ]
    other = await login(client, world.secretary_b)
    for reply in (
        await client.get(url, headers=other),
        await client.post(url, json={"text": "Xem trộm"}, headers=other),
        await client.get(f"{TASKS}/{uuid4()}/comments", headers=member),
    ):
        assert reply.status_code == 404
        assert reply.json()["code"] == "task_not_found"
    assert len((await client.get(url, headers=secretary)).json()) == 2
    # a comment is no step of the lifecycle
    assert await snapshot(client, member, task["id"]) == (1, "open", 1, '"1"')


# -- petitions ------------------------------------------------------------------------------------


async def test_petition_reply_and_satisfaction_rules(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    petition = await record_petition(client, secretary, world)
    url = f"{PETITIONS}/{petition['id']}"

    early = await refused(
        client,
        f"{url}/satisfaction",
        secretary,
        422,
        "petition_not_replied",
        {"satisfaction": "satisfied"},
    )
    assert early["status"] == 422
    for body in (
        {**REPLY, "headName": "  "},
        {**REPLY, "headTitle": " "},
    ):
        await refused(client, f"{url}/reply", secretary, 422, "reply_head_required", body)
    for missing in ("headName", "headTitle"):
        body = {k: v for k, v in REPLY.items() if k != missing}
        await refused(client, f"{url}/reply", secretary, 422, "validation_failed", body)
    await refused(
        client,
        f"{url}/reply",
        secretary,
        422,
        "reply_text_required",
        {
            **REPLY,
            "text": "  ",
        },
    )
    unchanged = (await client.get(url, headers=secretary)).json()
    assert unchanged["reply"] is None
    assert unchanged["satisfaction"] is None
    assert unchanged["version"] == petition["version"]

    member = await login(client, world.member_a)  # the assignee may see it, not answer for the unit
    await refused(client, f"{url}/reply", member, 403, "task_manage_forbidden", REPLY)

    replied = await client.post(f"{url}/reply", json=REPLY, headers=secretary)
    assert replied.status_code == 200, replied.text
    answer = replied.json()["reply"]
    assert (answer["headName"], answer["headTitle"], answer["text"]) == (
        REPLY["headName"],
        REPLY["headTitle"],
        REPLY["text"],
    )
    await refused(
        client,
        f"{url}/reply",
        secretary,
        409,
        "petition_already_replied",
        {
            **REPLY,
            "text": "Trả lời lần hai",
        },
    )
    again = (await client.get(url, headers=secretary)).json()
    assert again["reply"]["text"] == REPLY["text"]
    assert again["version"] == replied.json()["version"]
    task = (await client.get(f"{TASKS}/{petition['taskId']}", headers=secretary)).json()
    assert task["waitingForReply"] is False

    happy = await client.post(
        f"{url}/satisfaction", json={"satisfaction": "satisfied"}, headers=secretary
    )
    assert happy.status_code == 200, happy.text
    assert happy.json()["satisfaction"] == "satisfied"
    await refused(
        client,
        f"{url}/satisfaction",
        secretary,
        422,
        "validation_failed",
        {"satisfaction": "so-so"},
    )
    unknown = await client.get(f"{PETITIONS}/{uuid4()}", headers=secretary)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "petition_not_found"


async def test_reply_due_dates_skip_tet_and_the_april_holidays(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    clock.reset(datetime(2027, 2, 3, 2, 0, tzinfo=UTC))
    # 00:30 on Wednesday 3 February 2027 in Hà Nội (still the 2nd in UTC); Tết runs 4-10 February
    tet = await record_petition(client, secretary, world, "2027-02-02T17:30:00Z")
    assert tet["replyDueOn"] == "2027-02-24"
    task = (await client.get(f"{TASKS}/{tet['taskId']}", headers=secretary)).json()
    assert task["dueOn"] == "2027-02-24"
    assert task["source"] == "petition"
    assert task["sourceId"] == tet["id"]
    assert task["waitingForReply"] is True

    clock.reset(datetime(2027, 4, 29, 2, 0, tzinfo=UTC))
    # Thursday 29 April 2027: 30 April, 1 May (Saturday) and 3 May (in lieu) are off
    april = await record_petition(client, secretary, world, "2027-04-29T02:00:00Z")
    assert april["replyDueOn"] == "2027-05-17"
    # Wednesday 29 April 2026: 30 April and 1 May off
    past = await record_petition(client, secretary, world, "2026-04-29T03:00:00+07:00")
    assert past["replyDueOn"] == "2026-05-15"
    # Monday 31 August 2026 (off in lieu of Saturday 22 August); 1 and 2 September off
    national = await record_petition(client, secretary, world, "2026-08-31T10:00:00+07:00")
    assert national["replyDueOn"] == "2026-09-16"
    # Friday 21 August 2026: the next day is the Saturday worked in exchange for 31 August
    swapped = await record_petition(client, secretary, world, "2026-08-21T10:00:00+07:00")
    assert swapped["replyDueOn"] == "2026-09-08"


async def test_petitioner_personal_data_stays_within_people_scope(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    petition = await record_petition(client, secretary, world)
    assert petition["petitionerName"] == PETITIONER
    assert petition["petitionerContact"] == CONTACT
    url = f"{PETITIONS}/{petition['id']}"
    task_url = f"{TASKS}/{petition['taskId']}"

    for person in (world.secretary_a, world.leader_1, world.inspector, world.admin):
        headers = secretary if person is world.secretary_a else await login(client, person)
        body = (await client.get(url, headers=headers)).json()
        assert (body["petitionerName"], body["petitionerContact"]) == (PETITIONER, CONTACT)
        listed = (await client.get(PETITIONS, headers=headers)).json()["items"]
        assert [(p["id"], p["petitionerName"]) for p in listed] == [(petition["id"], PETITIONER)]
        for reply in (
            await client.get(task_url, headers=headers),
            await client.get(TASKS, headers=headers),
            await client.get(f"{TASKS}/to-verify", headers=headers),
        ):
            assert reply.status_code == 200
            assert PETITIONER not in reply.text
            assert CONTACT not in reply.text

    member = await login(client, world.member_a)  # the assignee, a plain member
    body = (await client.get(url, headers=member)).json()
    assert body["content"] == "Lấn chiếm vỉa hè ở đầu ngõ 12"
    assert (body["petitionerName"], body["petitionerContact"]) == (None, None)
    listed = await client.get(PETITIONS, headers=member)
    assert [(p["id"], p["petitionerName"]) for p in listed.json()["items"]] == [
        (petition["id"], None)
    ]
    assert PETITIONER not in listed.text
    for reply in (
        await client.get(task_url, headers=member),
        await client.get(f"{TASKS}/mine", headers=member),
        await client.get(TASKS, headers=member),
    ):
        assert reply.status_code == 200
        assert PETITIONER not in reply.text
        assert CONTACT not in reply.text
    # replying as the secretary does not disclose them to the member either
    replied = await client.post(f"{url}/reply", json=REPLY, headers=secretary)
    assert replied.status_code == 200, replied.text
    assert PETITIONER not in (await client.get(url, headers=member)).text

    for person in (world.secretary_b, world.leader_2):
        outsider = await login(client, person)
        for path in (url, task_url, f"{task_url}/comments"):
            reply = await client.get(path, headers=outsider)
            assert reply.status_code == 404, (person.full_name, path)
            assert PETITIONER not in reply.text
        assert (await client.get(PETITIONS, headers=outsider)).json()["items"] == []
        assert (await client.get(TASKS, headers=outsider)).json()["items"] == []
        hidden = await client.get(
            PETITIONS, params={"unitId": str(world.cell_a.id)}, headers=outsider
        )
        assert hidden.status_code == 404
        await refused(
            client,
            f"{url}/satisfaction",
            outsider,
            404,
            "petition_not_found",
            {"satisfaction": "not_satisfied"},
        )
    assert await PetitionTable.count().where(PetitionTable.satisfaction.is_not_null()) == 0


async def test_recording_a_petition_needs_the_right_over_the_unit(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    member = await login(client, world.member_a)
    other = await login(client, world.secretary_b)
    for headers, status, code in (
        (member, 403, "task_manage_forbidden"),
        (other, 404, "unit_not_found"),
    ):
        reply = await client.post(
            PETITIONS,
            json={
                "unitId": str(world.cell_a.id),
                "assigneeId": str(world.member_a.id),
                "petitionerName": PETITIONER,
                "channel": "dialogue",
                "category": "An ninh",
                "content": "Trộm cắp xe máy",
                "receivedAt": "2026-11-27T02:00:00Z",
            },
            headers=headers,
        )
        assert reply.status_code == status, reply.text
        assert reply.json()["code"] == code
    assert await PetitionTable.count() == 0
    assert await TaskTable.count() == 0


# -- calendar days --------------------------------------------------------------------------------


async def entered_days(
    client: httpx.AsyncClient, headers: dict[str, str], year: str
) -> list[dict[str, Any]]:
    listed = await client.get(DAYS, params={"year": year}, headers=headers)
    assert listed.status_code == 200, listed.text
    return [d for d in listed.json()["items"] if d["source"] == "override"]


async def test_only_the_root_admin_sets_calendar_days_and_they_move_reply_dates(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    admin = await login(client, world.admin)
    leader = await login(client, world.leader_1)
    before = await record_petition(client, admin, world)
    assert before["replyDueOn"] == "2026-12-11"  # 10 working days after Friday 27 November

    day = {"working": True, "note": "Làm bù"}
    refused_day = await client.put(f"{DAYS}/2026-12-05", json=day, headers=leader)
    assert refused_day.status_code == 403
    assert refused_day.json()["code"] == "calendar_manage_forbidden"
    assert await entered_days(client, leader, "2026") == []

    saturday = await client.put(f"{DAYS}/2026-12-05", json=day, headers=admin)
    assert saturday.status_code == 200, saturday.text
    assert saturday.json() == {
        "day": "2026-12-05",
        "working": True,
        "note": "Làm bù",
        "source": "override",
    }
    after = await record_petition(client, admin, world)
    assert after["replyDueOn"] == "2026-12-10"  # the make-up Saturday counts
    unchanged = (await client.get(f"{PETITIONS}/{before['id']}", headers=admin)).json()
    assert unchanged["replyDueOn"] == "2026-12-11"

    off = await client.put(
        f"{DAYS}/2026-12-07", json={"working": False, "note": "Nghỉ bù"}, headers=admin
    )
    assert off.status_code == 200, off.text
    assert (await record_petition(client, admin, world))["replyDueOn"] == "2026-12-11"
    # entered again: the day is updated, not doubled
    again = await client.put(f"{DAYS}/2026-12-07", json={"working": False}, headers=admin)
    assert again.status_code == 200, again.text

    assert await entered_days(client, leader, "2026") == [
        {"day": "2026-12-05", "working": True, "note": "Làm bù", "source": "override"},
        {"day": "2026-12-07", "working": False, "note": None, "source": "override"},
    ]
    assert await entered_days(client, leader, "2027") == []
    no_year = await client.get(DAYS, headers=leader)
    assert no_year.status_code == 422
    assert no_year.json()["code"] == "validation_failed"
    not_a_day = await client.put(f"{DAYS}/2026-13-40", json=day, headers=admin)
    assert not_a_day.status_code == 404
