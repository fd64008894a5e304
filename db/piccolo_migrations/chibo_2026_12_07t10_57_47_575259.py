"""person.password_temporary: a password an administrator set, to be changed at the first login.
Existing passwords are not temporary (false)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T10:57:47:575259"
VERSION = "1.38.0"
DESCRIPTION = "temporary passwords"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_column(
        table_class_name="PersonTable",
        tablename="person",
        column_name="password_temporary",
        db_column_name="password_temporary",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
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
