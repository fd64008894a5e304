"""The order of a task's steps is unique."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import add_unique_indexes

ID = "2026-11-27T22:28:29:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique step positions per task"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    add_unique_indexes(manager, {"task_step_position": "task_step (task, position)"})
    return manager
