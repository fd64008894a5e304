"""Login throttle by attempts and a growing wait: login_throttle (failures in a window) gives way
to login_attempt (failures in a row and when the next attempt may start). Counters are disposable:
the old rows are dropped, not carried over (nobody is locked out by a migration)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T10:50:16:840317"
VERSION = "1.38.0"
DESCRIPTION = "login attempts"

COLUMN = {
    "null": False,
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}
COLUMNS = (
    ("id", UUID, {**COLUMN, "default": UUID4(), "primary_key": True}),
    ("key", Varchar, {**COLUMN, "length": 200, "default": "", "unique": True}),
    ("failures", Integer, {**COLUMN, "default": 0}),
    ("last_attempt_at", Timestamptz, {**COLUMN, "default": TimestamptzNow()}),
    ("next_attempt_at", Timestamptz, {**COLUMN, "default": TimestamptzNow()}),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.drop_table(class_name="LoginThrottleTable", tablename="login_throttle", schema=None)
    manager.add_table(
        class_name="LoginAttemptTable", tablename="login_attempt", schema=None, columns=None
    )
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="LoginAttemptTable",
            tablename="login_attempt",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
