"""`chibo move`: an embedded database copied into PostgreSQL reads back the same through the app's
tables — units that reference each other, JSON, times with zones, booleans, dates, the reminder
ids and their sequence — and a move that fails leaves the target empty for the next try."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from piccolo.table import Table

from db.engine import sqlite_path
from db.move import REBUILT, MoveError, in_dependency_order, move
from db.repositories.notifications import PiccoloNotificationStore
from db.tables import ALL_TABLES, ReminderTable, UnitTable
from domain.notifications.model import Device, Platform
from tests.factories import build_world
from tests.outbox_trials import seed as seed_deliveries
from tests.reminder_subjects import add_inspection, add_meeting, add_petition
from tests.scratch_databases import bound_to, fresh_database, scratch_database

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


async def fill() -> uuid.UUID:
    """Some of everything: the org tree, meetings, an inspection with its JSON, a petition with
    its task, a phone, reminder rows. Returns the person with the phone."""
    world = await build_world()
    await add_meeting(world, NOW + timedelta(days=3))
    await add_inspection(world, NOW + timedelta(days=5))
    await add_petition(world, date(2026, 12, 20))
    store = PiccoloNotificationStore()
    await store.save_device(
        Device(uuid.uuid4(), world.member_a.id, "token-1", Platform.ANDROID, "1.0.0", "vi",
               None, NOW, NOW)
    )  # fmt: skip
    for n in range(5):
        await ReminderTable.insert(
            ReminderTable(
                kind="task_due", subject=uuid.uuid4(), occurrence=f"2026-12-0{n + 1}",
                status="sent", created_at=NOW, handled_at=NOW + timedelta(minutes=n),
            )
        )  # fmt: skip
    return world.member_a.id


def comparable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):  # asyncpg's own UUID type on PostgreSQL
        return str(value)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


async def contents() -> dict[str, list[dict[str, Any]]]:
    """Every table as the app reads it, through Piccolo, on whichever engine is bound."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in ALL_TABLES:
        if table in REBUILT:
            continue
        key = table._meta.primary_key._meta.db_column_name
        rows = [{k: comparable(v) for k, v in row.items()} for row in await table.select()]
        tables[table._meta.tablename] = sorted(rows, key=lambda row: str(row[key]))
    return tables


async def test_a_moved_database_reads_back_the_same_on_postgresql(tmp_path: Path) -> None:
    async with fresh_database("sqlite", tmp_path) as source:
        await seed_deliveries(source, 3, person=await fill())
        before = await contents()
        path = sqlite_path(source.url)
    assert all(before[name] for name in ("unit", "reminder", "delivery", "petition"))

    async with scratch_database("chibo_move") as url, bound_to(url, migrated=True):
        said: list[str] = []
        moved = await move(path, url, batch=2, say=said.append)
        assert {m.table: m.rows for m in moved} == {t: len(r) for t, r in before.items()}
        assert said[-1].startswith(f"moved {sum(len(r) for r in before.values())} rows")
        after = await contents()
        # every phone starts its offline sync over on the new database
        assert [row["epoch"] for row in after.pop("sync_state")] == [
            row["epoch"] + 1 for row in before.pop("sync_state")
        ]
        assert after == before
        # the next reminder id follows the copied ones, as if they had been inserted here
        row = await ReminderTable.insert(
            ReminderTable(kind="task_due", subject=uuid.uuid4(), occurrence="x",
                          status="due", created_at=NOW)
        )  # fmt: skip
        assert row[0]["id"] == max(r["id"] for r in before["reminder"]) + 1

        with pytest.raises(MoveError, match="not empty"):
            await move(path, url)


async def test_a_failed_move_leaves_the_target_empty_and_can_be_run_again(tmp_path: Path) -> None:
    async with fresh_database("sqlite", tmp_path) as source:
        await fill()
        path = sqlite_path(source.url)
        units = await UnitTable.count()
    with closing(sqlite3.connect(path)) as connection:  # SQLite takes it, PostgreSQL will not
        connection.execute("UPDATE person SET full_name = 'Lê Thị' || char(0) || 'Hoa'")
        connection.commit()

    async with scratch_database("chibo_move") as url, bound_to(url, migrated=True):
        with pytest.raises(MoveError, match=r"person: PostgreSQL refused a row .*0x00"):
            await move(path, url, say=lambda _: None)
        assert await UnitTable.count() == 0  # the units copied before it were rolled back

        with closing(sqlite3.connect(path)) as connection:
            connection.execute("UPDATE person SET full_name = 'Lê Thị Hoa'")
            connection.commit()
        await move(path, url, say=lambda _: None)
        assert await UnitTable.count() == units


async def test_a_move_refuses_a_target_that_is_not_migrated_like_the_source(
    tmp_path: Path,
) -> None:
    async with fresh_database("sqlite", tmp_path) as source:
        path = sqlite_path(source.url)
    async with scratch_database("chibo_move") as url:
        with pytest.raises(MoveError, match="not migrated"):
            await move(path, url)
        async with bound_to(url, migrated=True) as target:
            await target.engine.run_ddl(
                "DELETE FROM migration WHERE id = (SELECT max(id) FROM migration)"
            )
            with pytest.raises(MoveError, match="not at the same migrations"):
                await move(path, url)


def test_tables_come_after_the_tables_they_reference() -> None:
    order = [table._meta.tablename for table in in_dependency_order(ALL_TABLES)]
    assert sorted(order) == sorted(table._meta.tablename for table in ALL_TABLES)
    for table in ALL_TABLES:
        for column in table._meta.foreign_key_columns:
            referenced: type[Table] = column._foreign_key_meta.resolved_references
            assert order.index(referenced._meta.tablename) <= order.index(table._meta.tablename)
