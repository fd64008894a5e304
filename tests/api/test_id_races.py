"""The same client id sent at once by many requests (no Idempotency-Key): one is created, every
other one gets 409 — never a 500 from the constraint that decided the race. Each request runs
in its own committed transaction, as in production, so the test owns a database of its own."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from chibo.bootstrap import build_app
from chibo.settings import Settings
from db.engine import Database
from db.tables import TaskTable
from tests.conftest import ENGINES, TEST_SECRET
from tests.factories import build_world, login
from tests.fakes import FakeClock
from tests.scratch_databases import bound_to, scratch_database

RACERS = 20
# the service's own check answers first when it sees the row; only the constraint sees a row
# that a concurrent transaction has not committed yet
ID_TAKEN = {"id_conflict", "task_exists"}


@pytest.fixture(params=ENGINES)
async def committed(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        async with bound_to(f"sqlite:///{tmp_path}/races.sqlite3", migrated=True) as db:
            yield db
        return
    async with scratch_database("chibo_races") as url, bound_to(url, migrated=True) as db:
        yield db


async def test_one_client_id_sent_at_once_creates_one_task(committed: Database) -> None:
    world = await build_world()
    settings = Settings(database_url="sqlite:///unused", secret_key=TEST_SECRET)
    app = build_app(settings, clock=FakeClock(), database=committed)
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as client:
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
