"""Partial unique indexes: one live row per pair.

SQLite cannot add table constraints after the fact, and ``CREATE UNIQUE INDEX ... WHERE`` works on
both engines, forwards and backwards.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import add_unique_indexes

ID = "2026-11-27T21:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "partial unique indexes for live memberships, grants and leader assignments"

PARTIAL_UNIQUE_INDEXES = {
    "membership_live": "membership (person, cell) WHERE left_on IS NULL",
    "role_grant_live": "role_grant (person, unit, role) WHERE revoked_at IS NULL",
    "leader_assignment_live": "leader_assignment (leader, cell) WHERE ended_on IS NULL",
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    add_unique_indexes(manager, PARTIAL_UNIQUE_INDEXES)
    return manager
