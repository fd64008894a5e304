"""Sync push on both engines: one result per mutation, in order, each through its REST
operation; a poison mutation holds back nothing; a replay (sequential or concurrent) has one
effect and answers the same results."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import httpx

from chibo.bootstrap import build_app
from chibo.settings import Settings
from db.engine import Database
from db.tables import TaskCommentTable
from tests.api import meeting_calls as meet
from tests.api.helpers import Headers
from tests.api.sync_calls import PUSH
from tests.api.task_calls import new_task
from tests.conftest import TEST_SECRET
from tests.factories import World, build_world, login
from tests.fakes import FakeClock

REPLAYS = 4


async def push(
    client: httpx.AsyncClient, headers: Headers, mutations: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    reply = await client.post(PUSH, json={"mutations": mutations}, headers=headers)
    assert reply.status_code == 200, reply.text
    results: list[dict[str, Any]] = reply.json()["results"]
    return results


def comment(task_id: str, text: str = "Đã liên hệ tổ dân phố") -> dict[str, Any]:
    return {
        "mutationId": str(uuid4()),
        "operation": "CommentOnTask",
        "params": {"task_id": task_id},
        "body": {"text": text},
    }


def attendance(meeting_id: str, world: World, version: int, status: str) -> dict[str, Any]:
    body = {"status": status} | ({"reason": "Ốm"} if status == "excused" else {})
    return {
        "mutationId": str(uuid4()),
        "operation": "MarkAttendance",
        # path parameters as the OpenAPI document names them (the route's snake_case works too)
        "params": {"meetingId": meeting_id, "personId": str(world.member_a.id)},
        "baseVersion": version,
        "body": body,
    }


async def comments_on(task_id: str) -> int:
    count: int = await TaskCommentTable.count().where(TaskCommentTable.task == task_id)
    return count


async def test_each_mutation_gets_its_own_result_and_a_poison_one_holds_back_nothing(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    meeting = await meet.create(client, secretary, meet.meeting_body(world))
    task = await new_task(client, secretary, world.cell_a, world.member_a)
    results = await push(
        client,
        secretary,
        [
            comment(str(uuid4())),  # a task nobody has: rejected like the REST operation
            attendance(meeting["id"], world, 1, "excused"),
            {**comment(task["id"]), "body": {"text": ""}},  # invalid body
            comment(task["id"]),
        ],
    )
    assert [r["status"] for r in results] == ["rejected", "applied", "rejected", "applied"]
    assert results[0]["problem"]["code"] == "task_not_found"
    assert results[1]["version"] == 2
    assert results[1]["data"]["id"] == meeting["id"]
    assert results[2]["problem"]["code"] == "validation_failed"
    assert await comments_on(task["id"]) == 1


async def test_a_stale_base_version_answers_the_current_one(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    meeting = await meet.create(client, secretary, meet.meeting_body(world))
    first, stale = await push(
        client,
        secretary,
        [
            attendance(meeting["id"], world, 1, "excused"),
            attendance(meeting["id"], world, 1, "present"),
        ],
    )
    assert first["status"] == "applied"
    assert stale["status"] == "conflict"
    assert stale["current"]["version"] == 2
    got = await client.get(f"/api/v1/meetings/{meeting['id']}", headers=secretary)
    assert stale["current"]["data"] == got.json()
    # a caller who may not read the meeting learns nothing of it
    other = await login(client, world.secretary_b)
    (hidden,) = await push(client, other, [attendance(meeting["id"], world, 1, "present")])
    (random,) = await push(client, other, [attendance(str(uuid4()), world, 1, "present")])
    assert hidden["status"] == random["status"] == "rejected"
    assert hidden["problem"]["code"] == random["problem"]["code"]


async def test_a_replayed_batch_has_one_effect_and_the_same_results(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    task = await new_task(client, secretary, world.cell_a, world.member_a)
    batch = [comment(str(uuid4())), comment(task["id"])]
    answers = [await push(client, secretary, batch) for _ in range(REPLAYS)]
    assert all(a == answers[0] for a in answers)
    assert await comments_on(task["id"]) == 1
    reused = {**batch[1], "body": {"text": "Nội dung khác"}}
    (again,) = await push(client, secretary, [reused])
    assert (again["status"], again["problem"]["code"]) == ("rejected", "idempotency_key_reused")


@asynccontextmanager
async def client_on(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(database_url="sqlite:///unused", secret_key=TEST_SECRET)
    app = build_app(settings, clock=FakeClock(), database=database)
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as client:
        yield client


async def test_a_batch_replayed_concurrently_has_one_effect_and_the_same_results(
    committed: Database,
) -> None:
    world = await build_world()
    async with client_on(committed) as client:
        secretary = await login(client, world.secretary_a)
        task = await new_task(client, secretary, world.cell_a, world.member_a)
        batch = [comment(task["id"]), comment(str(uuid4())), comment(task["id"], "Lần hai")]
        answers = await asyncio.gather(*(push(client, secretary, batch) for _ in range(REPLAYS)))
    assert all(a == answers[0] for a in answers), answers
    assert [r["status"] for r in answers[0]] == ["applied", "rejected", "applied"]
    assert await comments_on(task["id"]) == 2
