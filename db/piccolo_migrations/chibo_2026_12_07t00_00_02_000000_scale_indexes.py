"""Indexes for city scale (issue 15): a list scoped to a unit's subtree and sorted by time finds
its units by path, then each unit's rows already in the list's order.

- ``unit_path_pattern`` (PostgreSQL only): ``unit.path`` in byte order (``text_pattern_ops``).
  The unique index on ``path`` follows the database's collation (C.UTF-8 or ICU), which neither
  a ``LIKE 'prefix%'`` nor the byte-wise range of db/pagination.py (``subtree_range``) can use.
  SQLite compares bytes already: its unique index on ``path`` serves the range.
- per unit, in each list's order: people by home unit, meetings by cell (start time), tasks by
  unit (creation), so a cell's page reads its first rows instead of sorting the cell.
"""

from collections.abc import Awaitable, Callable

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from db.migration_sql import ddl

ID = "2026-12-07T00:00:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes for city scale: unit paths in byte order, lists per unit in list order"

INDEXES = {
    "person_home_unit_listed": "person (home_unit, created_at, id)",
    "meeting_cell_listed": "meeting (cell, planned_start, id)",
    "task_unit_listed": "task (unit, created_at, id)",
}
PATTERN_INDEX = "unit_path_pattern"


def _on_postgres(statement: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        engine = engine_finder()
        if engine is not None and engine.engine_type == "postgres":
            await ddl(statement)()

    return run


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    for name, target in INDEXES.items():
        manager.add_raw(ddl(f"CREATE INDEX {name} ON {target}"))
        manager.add_raw_backwards(ddl(f"DROP INDEX {name}"))
    manager.add_raw(_on_postgres(f"CREATE INDEX {PATTERN_INDEX} ON unit (path text_pattern_ops)"))
    manager.add_raw_backwards(_on_postgres(f"DROP INDEX {PATTERN_INDEX}"))
    return manager
