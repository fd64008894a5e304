"""One version number per unit's report of a kind and period: two issued at once, one loses."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import ddl

ID = "2026-12-07T00:00:05:000001"
VERSION = "1.38.0"
DESCRIPTION = "the unique version of an issued report"
INDEX = "report_issue_version"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_raw(
        ddl(f"CREATE UNIQUE INDEX {INDEX} ON report_issue (unit, kind, period, version)")
    )
    manager.add_raw_backwards(ddl(f"DROP INDEX {INDEX}"))
    return manager
