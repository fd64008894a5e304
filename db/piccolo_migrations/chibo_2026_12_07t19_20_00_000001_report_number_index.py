"""What the previous migration's column needs beyond Piccolo's: a filed report version has one
register number (two numbers for one version: the second insert loses). The meetings' rows leave
``report_issue`` NULL, and NULLs are distinct in a unique index on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import ddl

ID = "2026-12-07T19:20:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "register number unique per filed report"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_raw(
        ddl("CREATE UNIQUE INDEX document_number_report_issue ON document_number (report_issue)")
    )
    manager.add_raw_backwards(ddl("DROP INDEX document_number_report_issue"))
    return manager
