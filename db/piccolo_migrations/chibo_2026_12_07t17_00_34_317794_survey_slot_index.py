"""What the previous migration's tables need beyond Piccolo's columns: a dialogue's survey places
unique per dialogue (two surveys made at once for its last place: one loses)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import ddl

ID = "2026-12-07T17:00:34:317794"
VERSION = "1.38.0"
DESCRIPTION = "survey slot unique index"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_raw(ddl("CREATE UNIQUE INDEX survey_subject_slot ON survey (subject, slot)"))
    manager.add_raw_backwards(ddl("DROP INDEX survey_subject_slot"))
    return manager
