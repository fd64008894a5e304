"""run_bounded: the short reads of every request (the caller's session, a page of a list). On
SQLite they run on the event loop's thread on a read-only connection of their own (decision
0021); they must read what any statement would read, on both engines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from piccolo.engine.base import Engine
from piccolo.querystring import QueryString

from db.engine import Database, PersistentSQLiteEngine, compiled_text, run_bounded
from db.tables import UnitTable
from tests.factories import build_world
from tests.scratch_databases import fresh_database

NAME_OF = 'SELECT "name" FROM "unit" WHERE "id" = {}'


async def names(engine: Engine[Any], unit_id: UUID) -> list[str]:
    rows = await run_bounded(engine, NAME_OF, (unit_id,))
    return [row["name"] for row in rows]


@pytest.fixture(name="sqlite")
async def sqlite_fixture(tmp_path: Path) -> AsyncIterator[PersistentSQLiteEngine]:
    async with fresh_database("sqlite", tmp_path) as database:
        assert isinstance(database.engine, PersistentSQLiteEngine)
        yield database.engine


async def test_a_bounded_read_sees_what_is_committed(committed: Database) -> None:
    cell = (await build_world()).cell_a
    engine = committed.engine
    assert await names(engine, cell.id) == [cell.name]
    await UnitTable.update({UnitTable.name: "Chi bộ 9"}).where(UnitTable.id == cell.id)
    assert await names(engine, cell.id) == ["Chi bộ 9"]
    assert await names(engine, uuid4()) == []


async def test_inside_a_transaction_it_reads_the_transaction(committed: Database) -> None:
    cell = (await build_world()).cell_a
    engine = committed.engine
    async with engine.transaction() as transaction:
        await UnitTable.update({UnitTable.name: "Chưa lưu"}).where(UnitTable.id == cell.id)
        assert await names(engine, cell.id) == ["Chưa lưu"]
        await transaction.rollback()
    assert await names(engine, cell.id) == [cell.name]


async def test_sqlite_answers_on_the_loop_with_every_reader_busy(
    sqlite: PersistentSQLiteEngine,
) -> None:
    """The readers' connections all taken (long reads at work): a bounded read still answers,
    as it needs none of them."""
    cell = (await build_world()).cell_a
    readers = sqlite._readers
    taken = [readers.get_nowait() for _ in range(readers.qsize())]
    try:
        async with asyncio.timeout(5):
            assert await names(sqlite, cell.id) == [cell.name]
    finally:
        for connection in taken:
            readers.put_nowait(connection)


async def test_sqlite_reads_through_a_reader_when_the_loop_cannot(
    sqlite: PersistentSQLiteEngine,
) -> None:
    """A read the loop's connection cannot make (here: that connection is closed; in life:
    another process holding a lock past a few milliseconds) is made by a reader instead."""
    cell = (await build_world()).cell_a
    sqlite._inline.close()  # type: ignore[union-attr]
    assert await names(sqlite, cell.id) == [cell.name]


@pytest.mark.parametrize("engine_type", ["sqlite", "postgres"])
def test_the_sql_text_made_once_per_template_is_piccolos(engine_type: str) -> None:
    template = 'SELECT {} AS "a", {} AS "b" WHERE "x" = {}'
    for values in ((1, "hai", None), (7, "ba", 3)):  # made, then reused
        made = compiled_text(template, engine_type, len(values))
        assert made == QueryString(template, *values).compile_string(engine_type)[0]
