"""One rule-planned meeting per cell and month; one attendance row per member and meeting; one
visit per leader and meeting."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import add_unique_indexes

ID = "2026-11-27T22:01:51:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes of meetings, attendance and leader visits"

UNIQUE_INDEXES = {
    "meeting_occurrence": "meeting (cell, occurrence) WHERE occurrence IS NOT NULL",
    "attendance_person": "attendance (meeting, person)",
    "leader_visit_leader": "leader_visit (meeting, leader)",
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    add_unique_indexes(manager, UNIQUE_INDEXES)
    return manager
