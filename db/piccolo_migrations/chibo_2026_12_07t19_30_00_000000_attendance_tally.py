"""The cell report counts attendance sheets by status (db/repositories/reports.py): an index on
(meeting, status, person) lets both of its attendance statements read only the index for the
period's meetings, never the table (issue 16 §4; measured in bench/README.md, the cell report of
a city). ``attendance_meeting`` and the (meeting, person) unique index cannot serve them: they
lack the status, so every row would be read from the table."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import ddl

ID = "2026-12-07T19:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "attendance tally index"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_raw(ddl("CREATE INDEX attendance_tally ON attendance (meeting, status, person)"))
    manager.add_raw_backwards(ddl("DROP INDEX attendance_tally"))
    return manager
