"""Indexes the inbox and the outbox dispatcher read by."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import ddl

ID = "2026-11-27T22:41:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "inbox and outbox indexes"

INDEXES = {
    # the dispatcher's claim: due pending deliveries, oldest first
    "delivery_pending_due": "delivery (next_attempt_at) WHERE status = 'pending'",
    # a person's inbox, newest first, and the unread count
    "notification_inbox": "notification (person, created_at, id)",
    "notification_unread": "notification (person) WHERE read_at IS NULL",
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    for name, target in INDEXES.items():
        manager.add_raw(ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}"))
        manager.add_raw_backwards(ddl(f"DROP INDEX IF EXISTS {name}"))
    return manager
