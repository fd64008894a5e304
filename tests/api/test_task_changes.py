"""What a ward and a cell do with tasks in their first week: hand a task to someone else, give it
more time, find the petitions answered late, and get one push per event from the sweeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from db.engine import Database
from domain.clock import local_at
from tests.api.helpers import Headers, if_match
from tests.api.task_calls import (
    EVIDENCE,
    PETITIONS,
    REPLY,
    TASKS,
    ids,
    new_task,
    record_petition,
    refused,
)
from tests.factories import build_world, login
from tests.fakes import FakeClock
from tests.reminder_subjects import escalation_service, reminder_service

INBOX = "/api/v1/me/notifications"


async def titles(client: httpx.AsyncClient, headers: Headers) -> list[str]:
    reply = await client.get(INBOX, headers=headers)
    assert reply.status_code == 200, reply.text
    return sorted(n["title"] for n in reply.json()["items"])


async def test_the_head_reassigns_a_task_with_a_reason_and_both_people_are_told(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    task = await new_task(client, leader, world.cell_a, world.member_a)
    url = f"{TASKS}/{task['id']}/reassign"
    move = {"assigneeId": str(world.secretary_a.id), "reason": "Đồng chí Hoa đi vắng"}

    member = await login(client, world.member_a)
    await refused(client, url, if_match(member, 1), 403, "task_plan_forbidden", move)
    same = {**move, "assigneeId": str(world.member_a.id)}
    await refused(client, url, if_match(leader, 1), 422, "assignee_unchanged", same)
    await refused(
        client, url, if_match(leader, 1), 422, "change_reason_required", {**move, "reason": " "}
    )

    moved = await client.post(url, json=move, headers=if_match(leader, 1))
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["assigneeId"], body["version"]) == (str(world.secretary_a.id), 2)
    step = body["history"][-1]
    assert (step["kind"], step["by"], step["personId"], step["note"]) == (
        "reassigned",
        str(world.leader_1.id),
        str(world.secretary_a.id),
        "Đồng chí Hoa đi vắng",
    )
    assert await titles(client, member) == ["Việc mới được giao", "Việc đã chuyển người khác"]
    secretary = await login(client, world.secretary_a)
    assert await titles(client, secretary) == ["Việc mới được giao"]
    # the new assignee cannot hand it on herself
    back = {**move, "assigneeId": str(world.member_a.id)}
    await refused(client, url, if_match(secretary, 2), 403, "task_plan_forbidden", back)


async def test_a_closed_task_is_neither_reassigned_nor_extended(client: httpx.AsyncClient) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    member = await login(client, world.member_a)
    task = await new_task(client, leader, world.cell_a, world.member_a)
    url = f"{TASKS}/{task['id']}"
    await client.post(f"{url}/submit", json=EVIDENCE, headers=if_match(member, 1))
    closed = await client.post(
        f"{url}/close", json={"resolution": "resolved"}, headers=if_match(leader, 2)
    )
    assert closed.status_code == 200, closed.text
    move = {"assigneeId": str(world.secretary_a.id), "reason": "Chuyển"}
    await refused(client, f"{url}/reassign", if_match(leader, 3), 409, "task_status_invalid", move)
    later = {"dueOn": "2027-01-31", "reason": "Chờ vật tư"}
    await refused(client, f"{url}/extend", if_match(leader, 3), 409, "task_status_invalid", later)


async def test_an_extension_moves_the_due_date_later_and_restarts_the_escalation(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    member = await login(client, world.member_a)
    task = await new_task(client, leader, world.cell_a, world.member_a, "2026-11-30")
    url = f"{TASKS}/{task['id']}/extend"
    clock.reset(datetime(2026, 12, 4, 2, 0, tzinfo=UTC))  # 4 working days late
    assert await escalation_service(db, clock).escalate_overdue() == 1

    await refused(
        client,
        url,
        if_match(member, 2),
        403,
        "task_plan_forbidden",
        {"dueOn": "2026-12-20", "reason": "x"},
    )
    earlier = {"dueOn": "2026-11-30", "reason": "Chờ vật tư"}
    await refused(client, url, if_match(leader, 2), 422, "due_date_not_later", earlier)
    extended = await client.post(
        url, json={"dueOn": "2026-12-20", "reason": "Chờ vật tư"}, headers=if_match(leader, 2)
    )
    assert extended.status_code == 200, extended.text
    body = extended.json()
    assert (body["dueOn"], body["escalationLevel"], body["version"]) == ("2026-12-20", 0, 3)
    step = body["history"][-1]
    assert (step["kind"], step["dueOn"], step["note"]) == ("extended", "2026-12-20", "Chờ vật tư")
    assert "Việc được gia hạn" in await titles(client, member)
    overdue = await client.get(f"{TASKS}/mine", params={"overdue": "true"}, headers=member)
    assert ids(overdue) == set()


async def test_escalation_names_the_tasks_own_unit_and_skips_the_assignee_who_heads_it(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    """The cell's secretary is the assignee: the first rung (her cell) goes to the ward's
    leader instead, and the text names the cell, not the ward."""
    world = await build_world()
    leader = await login(client, world.leader_1)
    await new_task(client, leader, world.cell_a, world.secretary_a, "2026-11-30")
    clock.reset(datetime(2026, 12, 4, 2, 0, tzinfo=UTC))
    assert await escalation_service(db, clock).escalate_overdue() == 1

    secretary = await login(client, world.secretary_a)
    assert "Đôn đốc việc quá hạn" not in await titles(client, secretary)
    inbox = (await client.get(INBOX, headers=leader)).json()["items"]
    escalated = [n for n in inbox if n["title"] == "Đôn đốc việc quá hạn"]
    assert len(escalated) == 1
    assert world.cell_a.name in escalated[0]["body"]
    assert world.ward1.name not in escalated[0]["body"]


async def test_an_overdue_unanswered_petition_makes_one_push_a_day_not_two(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    petition = await record_petition(client, secretary, world)  # reply due 11 December
    reminders = reminder_service(db, clock)
    clock.reset(local_at(date.fromisoformat(petition["replyDueOn"]) + timedelta(days=1), 9))
    await reminders.run()
    member = await login(client, world.member_a)
    assert await titles(client, member) == ["Quá hạn trả lời phản ánh", "Việc mới được giao"]


async def test_petition_titles_tell_two_petitions_of_one_category_apart(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    first = await record_petition(client, secretary, world, "2026-11-26T02:00:00Z")
    second = await record_petition(client, secretary, world, "2026-11-26T03:30:00Z")
    tasks = [
        (await client.get(f"{TASKS}/{p['taskId']}", headers=secretary)).json()["title"]
        for p in (first, second)
    ]
    assert tasks == [
        "Trả lời phản ánh: Trật tự đô thị (nhận 09:00 26/11/2026)",
        "Trả lời phản ánh: Trật tự đô thị (nhận 10:30 26/11/2026)",
    ]


async def test_petitions_filter_by_reply_state_and_a_late_reply_is_marked(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    on_time = await record_petition(client, secretary, world, "2026-11-27T02:00:00Z")
    edge = await record_petition(client, secretary, world, "2026-11-27T02:00:00Z")
    late = await record_petition(client, secretary, world, "2026-11-26T02:00:00Z")
    overdue = await record_petition(client, secretary, world, "2026-11-10T02:00:00Z")
    assert on_time["repliedLate"] is None

    async def reply(petition: dict[str, Any]) -> dict[str, Any]:
        answered = await client.post(
            f"{PETITIONS}/{petition['id']}/reply", json=REPLY, headers=secretary
        )
        assert answered.status_code == 200, answered.text
        body: dict[str, Any] = answered.json()
        return body

    assert (await reply(on_time))["repliedLate"] is False
    clock.reset(local_at(date.fromisoformat(late["replyDueOn"]) + timedelta(days=1), 0, 0))
    assert (await reply(late))["repliedLate"] is True
    clock.reset(local_at(date.fromisoformat(edge["replyDueOn"]), 23, 59))
    assert (await reply(edge))["repliedLate"] is False  # the deadline's last minute is on time

    async def state(value: str) -> set[str]:
        return ids(await client.get(PETITIONS, params={"replyState": value}, headers=secretary))

    assert await state("unanswered") == {overdue["id"]}
    assert await state("overdue") == {overdue["id"]}
    assert await state("answered_on_time") == {on_time["id"], edge["id"]}
    assert await state("answered_late") == {late["id"]}
    bad = await client.get(PETITIONS, params={"replyState": "soon"}, headers=secretary)
    assert bad.status_code in {400, 422}, bad.text
