"""The authorization matrix (authorization_matrix.csv) against the live app.

Every operation of the served OpenAPI document must have rows; every row is replayed for each
caller with a real request. One test per engine logs every caller in once, then runs each request
inside a savepoint that is rolled back, so rows never see each other's writes (a logout, a changed
password, a deactivated person) and each caller's token stays good throughout. The scene and the
request recipes live in authorization_scene.py; ids inside bodies and queries are checked in
test_authorization_references.py.
"""

from __future__ import annotations

import dataclasses
import json
from uuid import uuid4

import httpx

from chibo.settings import Settings
from db.engine import Database
from tests.api.authorization_scene import (
    RECIPES,
    Ask,
    add_notifications,
    answer,
    build_scene,
    live_operations,
    log_in_everyone,
    new_inspection,
    read_matrix,
    rolled_back,
    uploads_in_tmp_path,  # noqa: F401  (the settings fixture of these tests)
)
from tests.factories import login


async def test_matrix_has_exactly_one_row_set_per_live_operation(
    client: httpx.AsyncClient,
) -> None:
    live = set(await live_operations(client))
    rows = read_matrix()
    listed = {row.operation for row in rows}
    missing, gone = sorted(live - listed), sorted(listed - live)
    assert not missing, f"operations without rows in authorization_matrix.csv: {missing}"
    assert not gone, f"rows for operations the app no longer has: {gone}"
    keys = [(row.operation, row.target) for row in rows]
    assert len(keys) == len(set(keys)), "duplicate rows"
    for operation in listed:
        targets = {row.target for row in rows if row.operation == operation}
        assert targets in ({"-"}, {"in", "out"}), f"{operation}: rows for in and out, or for -"


async def test_every_caller_gets_the_status_the_matrix_lists(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    live = await live_operations(client)
    scene = await build_scene(settings)
    await add_notifications(scene)
    await log_in_everyone(client, scene)
    mismatches: list[str] = []
    n = 0
    for row in read_matrix():
        if row.operation not in live or row.operation not in RECIPES:
            mismatches.append(f"{row.operation}: not served, or no request recipe in this test")
            continue
        method, template = live[row.operation]
        for caller, expected in row.expected.items():
            n += 1
            call = RECIPES[row.operation](Ask(scene, row.target, caller, n))
            path = call.url(template)
            headers = {} if caller == "anonymous" else dict(scene.logins[caller].headers)
            headers |= call.headers
            if call.content_type is not None:
                headers["Content-Type"] = call.content_type
            async with rolled_back(db):
                reply = await client.request(
                    method,
                    path,
                    params=call.params,
                    json=call.json,
                    content=call.content,
                    headers=headers,
                )
            if reply.status_code != expected:
                mismatches.append(
                    f"{row.operation},{row.target},{caller}: expected {expected}, "
                    f"got {reply.status_code} {reply.text[:200]}"
                )
    assert not mismatches, "\n".join(mismatches)


async def test_a_caller_refused_planning_learns_nothing_of_a_sealed_inspection(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """CreateInspection checks who may plan before existing ids and bookings: otherwise the
    secretary of the inspected cell would meet a sealed inspection as a 409."""
    scene = await build_scene(settings)
    sealed = scene.side["in"].sealed
    secretary = await login(client, scene.world.secretary_a)
    free = new_inspection(Ask(scene, "in", "secretary_a", 0))
    probes = {
        "free": free,
        "booked": free | {
            "windowStart": sealed.window_start.isoformat(),
            "windowEnd": sealed.window_end.isoformat(),
        },
        "taken id": free | {"id": str(sealed.id)},
    }  # fmt: skip
    answers = {}
    for name, body in probes.items():
        reply = await client.post("/api/v1/inspections", json=body, headers=secretary)
        answers[name] = (reply.status_code, reply.json()["code"])
    assert set(answers.values()) == {(403, "inspection_plan_forbidden")}, answers


async def test_every_not_found_reads_the_same_for_a_foreign_and_a_random_id(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    """Every matrix row where an object of the other ward answers 404: the reply for that
    object's id and for a random one are byte-identical but for the request id."""
    live = await live_operations(client)
    scene = await build_scene(settings)
    await add_notifications(scene)
    await log_in_everyone(client, scene)
    codes, differences = set(), []
    for n, row in enumerate(read_matrix()):
        for caller, expected in row.expected.items():
            if row.target != "out" or expected != 404 or caller == "anonymous":
                continue
            method, template = live[row.operation]
            call = RECIPES[row.operation](Ask(scene, "out", caller, n))
            if call.object_id is None:  # no id in the path: the reference dimension's part
                continue
            call = dataclasses.replace(
                call, headers={**scene.logins[caller].headers, **call.headers}
            )
            foreign, other = str(call.object_id), uuid4()
            seen = await answer(client, db, method, call.url(template), call, foreign)
            random_call = dataclasses.replace(call, object_id=other)
            missing = await answer(
                client, db, method, random_call.url(template), random_call, str(other)
            )
            codes.add(json.loads(seen[1])["code"])
            if seen != missing:
                differences.append(f"{row.operation} as {caller}: {seen} != {missing}")
    assert not differences, "\n".join(differences)
    assert all(code.endswith("_not_found") for code in codes), str(sorted(codes))
    assert {"petition_not_found", "task_not_found", "inspection_not_found"} <= codes
