"""``attendance_meeting`` (meeting) is redundant beside the unique (meeting, person) index and
``attendance_tally`` (meeting, status, person): both begin with the meeting and serve every lookup
of a sheet and the foreign key's checks. Dropped so a re-marked sheet keeps the index count it had
before the tally index (issue 16 §4: ~0.1–0.25 ms a re-marked sheet, bench/README.md)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import ddl

ID = "2026-12-07T19:30:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "drop attendance_meeting"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_raw(ddl("DROP INDEX attendance_meeting"))
    manager.add_raw_backwards(ddl("CREATE INDEX attendance_meeting ON attendance (meeting)"))
    return manager
