"""The document register numbers filed period reports (báo cáo) too: a number row names either a
meeting (its minutes or resolution, as before) or a filed report version, ``report_issue``, unique
so that a version has one number. ``document_number.meeting`` was nullable from the start (a
Piccolo foreign key), so no table is rebuilt; meeting documents keep their keys and indexes
(``document_number_meeting_kind`` treats the report rows' NULL meetings as distinct on both
engines). The counter's key (issuing unit, kind, term) is unchanged: a report's counter is the
cell's, or the ward committee's, for kind ``report``. The unique index is in the next migration:
Piccolo runs a migration's raw steps before its columns."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import UUID, ForeignKey
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-07T19:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "register numbers for filed reports"


class ReportIssueTable(Table, tablename="report_issue", schema=None):
    id = UUID(
        default=UUID4(),
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name=None,
        secret=False,
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_column(
        table_class_name="DocumentNumberTable",
        tablename="document_number",
        column_name="report_issue",
        db_column_name="report_issue",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": ReportIssueTable,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
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
    return manager
