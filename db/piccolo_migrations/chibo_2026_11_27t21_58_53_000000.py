"""One Idempotency-Key per person."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import add_unique_indexes

ID = "2026-11-27T21:58:53:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique idempotency key per person"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    add_unique_indexes(manager, {"idempotency_key_person_key": "idempotency_key (person, key)"})
    return manager
