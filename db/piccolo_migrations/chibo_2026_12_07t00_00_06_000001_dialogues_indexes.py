"""What the previous migration's tables need beyond Piccolo's columns: one reception day per ward
and day (two records of the same day, even sent at once: one loses)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import ddl

ID = "2026-12-07T00:00:06:000001"
VERSION = "1.38.0"
DESCRIPTION = "reception day unique index"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_raw(ddl("CREATE UNIQUE INDEX reception_day_ward_day ON reception_day (ward, day)"))
    manager.add_raw_backwards(ddl("DROP INDEX reception_day_ward_day"))
    return manager
