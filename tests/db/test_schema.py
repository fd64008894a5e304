"""The migrations build what db/tables.py declares, on both engines: every table and column with
its nullability and nothing else, the indexes Piccolo declares, and the hand-written ones by name;
and a database migrated by migrations no longer in the folder is refused, not half-migrated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from piccolo.apps.migrations.tables import Migration
from piccolo.querystring import QueryString

from db.engine import Database
from db.migrate import migrate
from db.tables import ALL_TABLES
from tests.conftest import ENGINES
from tests.scratch_databases import fresh_database

_SQLITE_COLUMNS = """
SELECT m.name AS tbl, c.name AS col, c."notnull" = 0 AS nullable
FROM sqlite_master m, pragma_table_info(m.name) c
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
"""
_POSTGRES_COLUMNS = """
SELECT table_name AS tbl, column_name AS col, is_nullable = 'YES' AS nullable
FROM information_schema.columns WHERE table_schema = 'public'
"""
_SQLITE_INDEXES = """
SELECT m.name AS tbl, il.name AS idx, il."unique" = 1 AS uniq, il.partial = 1 AS partial,
       ii.name AS col, ii.seqno AS pos
FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii
WHERE m.type = 'table'
"""
_POSTGRES_INDEXES = """
SELECT t.relname AS tbl, i.relname AS idx, x.indisunique AS uniq,
       x.indpred IS NOT NULL AS partial, a.attname AS col, k.pos AS pos
FROM pg_index x
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, pos)
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
"""

# name: (table, columns, unique, partial) of every index the migrations write by hand
HAND_WRITTEN_INDEXES = {
    "membership_live": ("membership", ("person", "cell"), True, True),
    "role_grant_live": ("role_grant", ("person", "unit", "role"), True, True),
    "leader_assignment_live": ("leader_assignment", ("leader", "cell"), True, True),
    "idempotency_key_person_key": ("idempotency_key", ("person", "key"), True, False),
    "meeting_regular_month": ("meeting", ("cell", "occurrence"), True, True),
    "attendance_meeting_person_unique": ("attendance", ("meeting", "person"), True, False),
    "attendance_tally": ("attendance", ("meeting", "status", "person"), False, False),
    "leader_visit_meeting_leader_unique": ("leader_visit", ("meeting", "leader"), True, False),
    "checklist_template_family_version": ("checklist_template", ("family", "version"), True, False),
    "inspection_member_unique": ("inspection_member", ("inspection", "person"), True, False),
    "task_step_position": ("task_step", ("task", "position"), True, False),
    "reminder_key": ("reminder", ("kind", "subject", "occurrence"), True, False),
    "compliance_flag_key": ("compliance_flag", ("kind", "unit", "subject", "period"), True, False),
    "delivery_pending_due": ("delivery", ("next_attempt_at",), False, True),
    "delivery_by_status": ("delivery", ("status", "created_at"), False, False),
    "reminder_by_status": ("reminder", ("status",), False, False),
    "notification_inbox": ("notification", ("person", "created_at", "id"), False, False),
    "notification_unread": ("notification", ("person",), False, True),
    "reminder_pending": ("reminder", ("id",), False, True),
    "task_live_due": ("task", ("due_on",), False, True),
    "petition_unanswered_due": ("petition", ("reply_due_on",), False, True),
    "person_home_unit_listed": ("person", ("home_unit", "created_at", "id"), False, False),
    "meeting_cell_listed": ("meeting", ("cell", "planned_start", "id"), False, False),
    "task_unit_listed": ("task", ("unit", "created_at", "id"), False, False),
    "quality_criteria_set_unit_version": ("quality_criteria_set", ("unit", "version"), True, False),
    "document_counter_key": ("document_counter", ("cell", "kind", "term"), True, False),
    "document_number_unique": ("document_number", ("cell", "kind", "term", "number"), True, False),
    "document_number_meeting_kind": ("document_number", ("meeting", "kind"), True, False),
    "document_number_report_issue": ("document_number", ("report_issue",), True, False),
}

Index = tuple[str, tuple[str, ...], bool, bool]


async def _rows(db: Database, sqlite: str, postgres: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await db.engine.run_querystring(
        QueryString(sqlite if db.kind == "sqlite" else postgres)
    )
    return rows


async def _indexes(db: Database) -> dict[str, Index]:
    columns: dict[str, list[tuple[int, str]]] = {}
    kinds: dict[str, tuple[str, bool, bool]] = {}
    for row in await _rows(db, _SQLITE_INDEXES, _POSTGRES_INDEXES):
        columns.setdefault(row["idx"], []).append((row["pos"], row["col"]))
        kinds[row["idx"]] = (row["tbl"], bool(row["uniq"]), bool(row["partial"]))
    return {
        name: (table, tuple(col for _, col in sorted(columns[name])), unique, partial)
        for name, (table, unique, partial) in kinds.items()
    }


async def test_every_table_and_column_of_the_tables_module_with_its_nullability(
    db: Database,
) -> None:
    declared = {
        (table._meta.tablename, column._meta.db_column_name, column._meta.null)
        for table in ALL_TABLES
        for column in table._meta.columns
    }
    built = {
        (row["tbl"], row["col"], bool(row["nullable"]))
        for row in await _rows(db, _SQLITE_COLUMNS, _POSTGRES_COLUMNS)
        if row["tbl"] != Migration._meta.tablename
    }
    assert built == declared


async def test_the_indexes_piccolo_declares(db: Database) -> None:
    indexes = await _indexes(db)
    unique_columns = {(table, cols) for table, cols, unique, partial in indexes.values() if unique}
    for table in ALL_TABLES:
        name = table._meta.tablename
        for column in table._meta.columns:
            if column._meta.index:
                index = f"{name}_{column._meta.db_column_name}"
                assert indexes.get(index, ())[:2] == (name, (column._meta.db_column_name,)), index
            if column._meta.unique:
                assert (name, (column._meta.db_column_name,)) in unique_columns, column


async def test_the_hand_written_indexes_by_name(db: Database) -> None:
    indexes = await _indexes(db)
    assert {name: indexes.get(name) for name in HAND_WRITTEN_INDEXES} == HAND_WRITTEN_INDEXES


async def test_unit_paths_in_byte_order_on_postgresql_only(db: Database) -> None:
    """SQLite's index on ``path`` already compares bytes; PostgreSQL's follows the collation."""
    indexes = await _indexes(db)
    if db.kind == "sqlite":
        assert "unit_path_pattern" not in indexes
        return
    assert indexes["unit_path_pattern"] == ("unit", ("path",), False, False)
    rows = await db.engine.run_querystring(
        QueryString(
            "SELECT o.opcname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " JOIN pg_opclass o ON o.oid = x.indclass[0] WHERE i.relname = 'unit_path_pattern'"
        )
    )
    assert [row["opcname"] for row in rows] == ["text_pattern_ops"]


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_database_migrated_by_forgotten_migrations_is_refused(
    engine: str, tmp_path: Path
) -> None:
    async with fresh_database(engine, tmp_path) as db:
        assert "No migrations need to be run" in await migrate(db)
        await Migration.insert(Migration(name="2026-11-27T21:30:00:000000", app_name="chibo")).run()
        with pytest.raises(RuntimeError, match=r"2026-11-27T21:30:00:000000.*recreate"):
            await migrate(db)
