"""At most one regular meeting per cell and local month, whoever plans it and however many
processes do at once.

``occurrence`` now holds the local month of every regular meeting (planned from the rule or by
hand, and follows a move); a cancelled meeting no longer holds its month, so the secretary can
plan the month's meeting again. Regular meetings made by hand before this migration keep a null
``occurrence``: the service still finds them by their start.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import ddl

ID = "2026-12-07T10:53:32:000000"
VERSION = "1.38.0"
DESCRIPTION = "one live regular meeting per cell and month"

OLD = "CREATE UNIQUE INDEX IF NOT EXISTS meeting_occurrence ON meeting (cell, occurrence) WHERE occurrence IS NOT NULL"  # noqa: E501
NEW = (
    "CREATE UNIQUE INDEX IF NOT EXISTS meeting_regular_month ON meeting (cell, occurrence)"
    " WHERE occurrence IS NOT NULL AND status <> 'cancelled'"
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_raw(ddl("DROP INDEX IF EXISTS meeting_occurrence"))
    manager.add_raw(ddl(NEW))
    manager.add_raw_backwards(ddl("DROP INDEX IF EXISTS meeting_regular_month"))
    manager.add_raw_backwards(ddl(OLD))
    return manager
