"""The change log's compaction floor (db/repositories/sync.py ``SyncLog.compact``): rows of objects
that left an audience are deleted once they are older than the retention; ``floor`` is the
position below which such rows may be gone (a cursor under it is answered ``reset``), ``mark``
the position recorded at the last compaction, with its time: the next floor."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T16:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync change log compaction floor"

COLUMNS = {
    "floor_tx": (BigInt, 0, False),
    "floor_pos": (BigInt, 0, False),
    "mark_tx": (BigInt, 0, False),
    "mark_pos": (BigInt, 0, False),
    "mark_at": (Timestamptz, None, True),
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    for name, (column_class, default, null) in COLUMNS.items():
        manager.add_column(
            table_class_name="SyncStateTable",
            tablename="sync_state",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params={
                "default": default,
                "null": null,
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
    return manager
