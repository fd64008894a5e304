"""One Idempotency-Key per person."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import ddl

ID = "2026-11-27T21:58:53:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique idempotency key per person"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_raw(
        ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS idempotency_key_person_key"
            " ON idempotency_key (person, key)"
        )
    )
    manager.add_raw_backwards(ddl("DROP INDEX IF EXISTS idempotency_key_person_key"))
    return manager
