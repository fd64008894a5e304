"""One attendance row per member and meeting, one visit per leader and meeting: for real.

The indexes of 2026-11-27T22:01:51 were named ``attendance_person`` and ``leader_visit_leader``,
the names Piccolo already gives the single-column indexes of those foreign keys, so
``CREATE UNIQUE INDEX IF NOT EXISTS`` did nothing and ``ON CONFLICT (meeting, leader)`` failed.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import add_unique_indexes

ID = "2026-11-27T22:06:35:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique attendance and leader visit per meeting, under names of their own"

UNIQUE_INDEXES = {
    "attendance_meeting_person_unique": "attendance (meeting, person)",
    "leader_visit_meeting_leader_unique": "leader_visit (meeting, leader)",
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    add_unique_indexes(manager, UNIQUE_INDEXES)
    return manager
