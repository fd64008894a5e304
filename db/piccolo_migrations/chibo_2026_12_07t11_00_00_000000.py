"""Checklist templates older than ownership go to the root unit (the column comes with the
migration before this one)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import ddl

ID = "2026-12-07T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "checklist template owner for older templates"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_raw(
        ddl(
            'UPDATE "checklist_template" SET "owner" = (SELECT "id" FROM "unit"'
            ' WHERE "parent" IS NULL ORDER BY "created_at" LIMIT 1) WHERE "owner" IS NULL'
        )
    )
    return manager
