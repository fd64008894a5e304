"""Idempotency keys on both engines, with transactions that commit (a duplicate comes from
another connection): the key is claimed inside the request's transaction, so a duplicate never
runs the request a second time, and a transaction that dies leaves the key free."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import uuid4

import pytest

from db.engine import Database
from db.migrate import bind
from db.repositories.idempotency import ClaimOutcome, IdempotencyStore, StoredReply
from db.tables import IdempotencyKeyTable
from tests.conftest import ENGINES
from tests.fakes import START

KEY = "offline-create-0001"
REPLY = StoredReply(201, "application/json", '{"id": 1}')


class ProcessDiedError(Exception):
    """Stands for a crash inside the transaction (tests/e2e kills a real server there)."""


@pytest.fixture(params=ENGINES)
async def committing(
    request: pytest.FixtureRequest, databases: dict[str, Database]
) -> AsyncIterator[Database]:
    """The engine without the per-test rollback; this test's keys are deleted afterwards."""
    database = databases[request.param]
    bind(database)
    yield database
    async with database.atomic():
        await IdempotencyKeyTable.delete().where(IdempotencyKeyTable.key == KEY)


async def test_a_duplicate_of_a_running_request_does_not_run_it_again(
    committing: Database,
) -> None:
    store = IdempotencyStore(committing, lifetime=timedelta(days=7))
    person = uuid4()
    claimed, may_finish = asyncio.Event(), asyncio.Event()

    async def first() -> ClaimOutcome:
        async with committing.atomic():
            claim = await store.claim(person, KEY, "hash", START)
            claimed.set()
            await may_finish.wait()
            await store.keep(person, KEY, "hash", REPLY, START, START)
        return claim.outcome

    async def duplicate() -> ClaimOutcome:
        await claimed.wait()
        async with committing.atomic():
            return (await store.claim(person, KEY, "hash", START)).outcome

    running, second = asyncio.create_task(first()), asyncio.create_task(duplicate())
    await claimed.wait()
    if committing.kind == "postgres":
        assert await second == ClaimOutcome.IN_FLIGHT  # told at once, while the first runs
        may_finish.set()
    else:  # one writer at a time: the duplicate waits for the first, then finds its reply
        may_finish.set()
        assert await second == ClaimOutcome.REPLAY
    assert await running == ClaimOutcome.CLAIMED
    async with committing.atomic():
        replay = await store.claim(person, KEY, "hash", START)
    assert (replay.outcome, replay.reply) == (ClaimOutcome.REPLAY, REPLY)


async def test_a_request_that_died_leaves_its_key_free(committing: Database) -> None:
    store = IdempotencyStore(committing, lifetime=timedelta(days=7))
    person = uuid4()

    async def dies_after_its_effects() -> None:
        async with committing.atomic():
            assert (await store.claim(person, KEY, "hash", START)).outcome is ClaimOutcome.CLAIMED
            await store.keep(person, KEY, "hash", REPLY, START, START)
            raise ProcessDiedError

    with pytest.raises(ProcessDiedError):
        await dies_after_its_effects()
    async with committing.atomic():
        again = await store.claim(person, KEY, "hash", START)
    assert again.outcome is ClaimOutcome.CLAIMED
    assert await IdempotencyKeyTable.count().where(IdempotencyKeyTable.person == person) == 0
