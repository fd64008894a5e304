"""Apply Piccolo migrations to the running engine (``chibo migrate``, tests, start-up)."""

from __future__ import annotations

import contextlib
import io
import os

os.environ.setdefault("PICCOLO_CONF", "db.piccolo_conf")

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.table import Table

from db import piccolo_conf
from db.engine import Database
from db.piccolo_app import APP_CONFIG
from db.tables import ALL_TABLES


def bind(database: Database) -> None:
    """Point every table, and Piccolo's configuration, at this process's engine."""
    piccolo_conf.DB = database.engine
    for table in (*ALL_TABLES, *_migration_tables()):
        table._meta.db = database.engine  # noqa: SLF001 - Piccolo's documented way to swap engines


def _migration_tables() -> tuple[type[Table], ...]:
    return (Migration,)


async def migrate(database: Database) -> str:
    """Run every pending migration; returns what Piccolo printed."""
    bind(database)
    await _refuse_forgotten_migrations()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = await run_forwards(app_name="chibo", migration_id="all", fake=False)
    if not result.success:
        msg = f"migration failed: {result.message}\n{out.getvalue()}"
        raise RuntimeError(msg)
    return out.getvalue()


async def _refuse_forgotten_migrations() -> None:
    """A database migrated by migrations no longer in the folder (the ones squashed into the
    initial migration) would otherwise fail half-way through creating tables it already has."""
    if not await Migration.table_exists().run():
        return
    manager = BaseMigrationManager()
    known = manager.get_migration_modules(APP_CONFIG.resolved_migrations_folder_path)
    ran = await Migration.get_migrations_which_ran(app_name=APP_CONFIG.app_name)
    forgotten = sorted(set(ran) - set(known))
    if forgotten:
        msg = (
            "the database was migrated by migrations that no longer exist"
            f" ({', '.join(forgotten)}); they were squashed into the initial migration:"
            " recreate the database"
        )
        raise RuntimeError(msg)
