"""Partial unique indexes: one live row per pair.

SQLite cannot add table constraints after the fact, and ``CREATE UNIQUE INDEX ... WHERE`` works on
both engines, forwards and backwards.
"""

from collections.abc import Awaitable, Callable

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T21:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "partial unique indexes for live memberships, grants and leader assignments"

PARTIAL_UNIQUE_INDEXES = {
    "membership_live": "membership (person, cell) WHERE left_on IS NULL",
    "role_grant_live": "role_grant (person, unit, role) WHERE revoked_at IS NULL",
    "leader_assignment_live": "leader_assignment (leader, cell) WHERE ended_on IS NULL",
}


def _ddl(statement: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        engine = engine_finder()
        assert engine is not None  # noqa: S101
        await engine.run_ddl(statement)

    return run


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    for name, target in PARTIAL_UNIQUE_INDEXES.items():
        manager.add_raw(_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {target}"))
        manager.add_raw_backwards(_ddl(f"DROP INDEX IF EXISTS {name}"))
    return manager
