"""A transaction that commits after a later one must not be skipped by a pull (the trap of a
cursor made of timestamps or of positions handed out before commit). Each write commits on its
own, as in production, so the test owns a database of its own."""

from __future__ import annotations

import asyncio

from db.engine import Database
from db.tables import UnitTable
from tests.api.helpers import client_on
from tests.api.sync_calls import Store, pull
from tests.factories import build_world, login


async def rename(unit_id: object, name: str) -> None:
    await UnitTable.update({UnitTable.name: name, UnitTable.version: UnitTable.version + 1}).where(
        UnitTable.id == unit_id
    )


def name_of(store: Store, unit_id: object) -> str:
    name: str = store.objects["units"][str(unit_id)][1]["name"]
    return name


async def test_a_transaction_that_commits_late_is_delivered_by_the_next_pull(
    committed: Database,
) -> None:
    world = await build_world()
    async with client_on(committed) as client:
        leader = await login(client, world.leader_1)
        store = Store()
        await store.sync(client, leader)
        written, release = asyncio.Event(), asyncio.Event()

        async def late() -> None:  # A: writes first, commits last
            async with committed.atomic():
                await rename(world.cell_a.id, "A late")
                written.set()
                await release.wait()

        a = asyncio.create_task(late())
        await written.wait()
        if committed.kind == "postgres":
            async with committed.atomic():  # B: writes after A, commits at once
                await rename(world.ward1.id, "B on time")
            first = await pull(client, leader, store.cursor)
            store.apply(first)
            assert name_of(store, world.cell_a.id) != "A late"
            release.set()
            await a
        else:
            # SQLite has one writer: the pull waits for A to commit and cannot pass it
            pulling = asyncio.create_task(pull(client, leader, store.cursor))
            await asyncio.sleep(0)
            release.set()
            await a
            store.apply(await pulling)
        await store.sync(client, leader)
        assert name_of(store, world.cell_a.id) == "A late"
        if committed.kind == "postgres":
            assert name_of(store, world.ward1.id) == "B on time"
