"""Tasks over HTTP, beyond the happy loop of test_tasks_flow.py: forbidden transitions change
nothing, who may verify, creating, and reading filters, overdue and escalated tasks, comments."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import httpx

from db.engine import Database
from db.repositories.org import PiccoloOrgRepository
from db.tables import TaskTable
from tests.api.helpers import if_match
from tests.api.task_calls import (
    EVIDENCE,
    TASKS,
    ids,
    new_task,
    record_petition,
    refused,
    snapshot,
)
from tests.factories import build_world, login, make_person, password_hash
from tests.fakes import FakeClock
from tests.reminder_subjects import escalation_service

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
