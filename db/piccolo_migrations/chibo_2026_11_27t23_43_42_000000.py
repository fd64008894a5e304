"""The reminder key, and the partial indexes the reminder sweeps and claim read by."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import add_unique_indexes, ddl

ID = "2026-11-27T23:43:42:000000"
VERSION = "1.38.0"
DESCRIPTION = "reminder key and sweep indexes"

INDEXES = {
    # the claim: pending rows, oldest first
    "reminder_pending": "reminder (id) WHERE status = 'pending'",
    # task sweeps: live tasks by due date (due in n days, overdue)
    "task_live_due": "task (due_on) WHERE status IN ('open', 'in_progress')",
    # petition sweeps: unanswered petitions by reply date
    "petition_unanswered_due": "petition (reply_due_on) WHERE reply IS NULL",
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    add_unique_indexes(manager, {"reminder_key": "reminder (kind, subject, occurrence)"})
    for name, target in INDEXES.items():
        manager.add_raw(ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}"))
        manager.add_raw_backwards(ddl(f"DROP INDEX IF EXISTS {name}"))
    return manager
