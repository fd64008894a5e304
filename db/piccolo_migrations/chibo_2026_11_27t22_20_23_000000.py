"""One row per template version; one team row per inspector and inspection."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import add_unique_indexes

ID = "2026-11-27T22:20:23:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes of checklist template versions and inspection teams"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        {
            "checklist_template_family_version": "checklist_template (family, version)",
            "inspection_member_unique": "inspection_member (inspection, person)",
        },
    )
    return manager
