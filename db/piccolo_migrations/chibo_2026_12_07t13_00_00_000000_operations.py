"""What the metrics read (db/repositories/operations.py): the outbox and the reminders counted
by status from an index, and each job's last good run."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

from db.migration_sql import ddl

ID = "2026-12-07T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes and the column the operations metrics read"

INDEXES = {
    # deliveries by status, and the oldest pending one first
    "delivery_by_status": "delivery (status, created_at)",
    "reminder_by_status": "reminder (status)",
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_column(
        table_class_name="JobRunTable",
        tablename="job_run",
        column_name="last_success_at",
        db_column_name="last_success_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    for name, target in INDEXES.items():
        manager.add_raw(ddl(f"CREATE INDEX {name} ON {target}"))
        manager.add_raw_backwards(ddl(f"DROP INDEX {name}"))
    return manager
