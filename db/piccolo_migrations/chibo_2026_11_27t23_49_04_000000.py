"""The compliance flag key: a flag is raised once per (kind, unit, subject, period)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import add_unique_indexes

ID = "2026-11-27T23:49:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "compliance flag key"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    add_unique_indexes(
        manager, {"compliance_flag_key": "compliance_flag (kind, unit, subject, period)"}
    )
    return manager
