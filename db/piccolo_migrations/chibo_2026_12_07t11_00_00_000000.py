"""Checklist templates get an owner: the unit that made them (older ones go to the root)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import ddl

ID = "2026-12-07T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "checklist template owner"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_raw(
        ddl(
            'ALTER TABLE "checklist_template" ADD COLUMN "owner" UUID NULL'
            ' REFERENCES "unit" ("id") ON DELETE RESTRICT'
        )
    )
    manager.add_raw(
        ddl('CREATE INDEX IF NOT EXISTS checklist_template_owner ON "checklist_template" ("owner")')
    )
    manager.add_raw(
        ddl(
            'UPDATE "checklist_template" SET "owner" = (SELECT "id" FROM "unit"'
            ' WHERE "parent" IS NULL ORDER BY "created_at" LIMIT 1) WHERE "owner" IS NULL'
        )
    )
    manager.add_raw_backwards(ddl("DROP INDEX IF EXISTS checklist_template_owner"))
    manager.add_raw_backwards(ddl('ALTER TABLE "checklist_template" DROP COLUMN "owner"'))
    return manager
