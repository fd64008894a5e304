"""The change log offline sync reads (docs/decisions/0016): database triggers keep one row per
(entity, object, unit it lies in) with the position of its last change, so no write path of the
program has to remember sync.

Positions: on SQLite the largest position plus one, inside the writing transaction (one writer
at a time, so positions follow commit order). On PostgreSQL a sequence plus the writing transaction's id
(``tx``): a pull reads only ``tx`` below the oldest transaction still running
(``pg_snapshot_xmin(pg_current_snapshot())``), so a late commit is delivered by a later pull and
never skipped. Moving a unit bumps ``sync_state.epoch``: every phone resets.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import UUID
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-12-07T00:00:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync change log and its triggers"

# table -> (entity, object id, unit id), with R standing for the NEW or OLD row. Attendance is not
# here: a sheet is only ever written together with its meeting's row (the version moves), whose
# trigger covers it; a trigger per attendance row would cost the meeting record 60 more upserts.
TRACKED = {
    "unit": ("unit", "R.id", "R.id"),
    "person": ("person", "R.id", "R.home_unit"),
    "membership": ("membership", "R.id", "R.cell"),
    "leader_assignment": ("leader_assignment", "R.id", "R.cell"),
    "meeting": ("meeting", "R.id", "R.cell"),
    "minutes_amendment": (
        "meeting",
        "R.meeting",
        "(SELECT cell FROM meeting WHERE id = R.meeting)",
    ),
    "leader_visit": (
        "leader_visits",
        "R.meeting",
        "(SELECT cell FROM meeting WHERE id = R.meeting)",
    ),
    "task": ("task", "R.id", "R.unit"),
    "task_step": ("task", "R.task", "(SELECT unit FROM task WHERE id = R.task)"),
    "task_comment": ("task_comments", "R.task", "(SELECT unit FROM task WHERE id = R.task)"),
    "inspection": ("inspection", "R.id", "R.target"),
    "inspection_member": (
        "inspection",
        "R.inspection",
        "(SELECT target FROM inspection WHERE id = R.inspection)",
    ),
    "petition": ("petition", "R.id", "R.unit"),
    "attachment": ("attachment", "R.id", "R.unit"),
}

COMMON = [
    "INSERT INTO sync_state (id, epoch, clock) VALUES (1, 0, 0)",
    "CREATE UNIQUE INDEX sync_change_object ON sync_change (entity, entity_id, unit_id)",
    "CREATE INDEX sync_change_order ON sync_change (tx, pos)",
    "CREATE INDEX sync_change_unit ON sync_change (unit_id, tx, pos)",
    "CREATE INDEX sync_delivered_view ON sync_delivered (view_id)",
]

POSTGRES = [
    "CREATE SEQUENCE sync_pos",
    """CREATE FUNCTION sync_touch(p_entity text, p_id uuid, p_unit uuid) RETURNS void AS $$
BEGIN
  INSERT INTO sync_change (entity, entity_id, unit_id, tx, pos)
  VALUES (p_entity, p_id, p_unit, pg_current_xact_id()::text::bigint, nextval('sync_pos'))
  ON CONFLICT (entity, entity_id, unit_id)
  DO UPDATE SET tx = EXCLUDED.tx, pos = EXCLUDED.pos;
END $$ LANGUAGE plpgsql""",
    """CREATE FUNCTION sync_epoch_bump() RETURNS trigger AS $$
BEGIN
  UPDATE sync_state SET epoch = epoch + 1 WHERE id = 1;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER sync_epoch_bump AFTER UPDATE OF path ON unit FOR EACH STATEMENT"
    " EXECUTE FUNCTION sync_epoch_bump()",
]

SQLITE = [
    """CREATE TRIGGER sync_epoch_bump AFTER UPDATE OF path ON unit
WHEN OLD.path <> NEW.path BEGIN
  UPDATE sync_state SET epoch = epoch + 1 WHERE id = 1;
END""",
]

def _postgres_trigger(
    table: str, entity: str, object_id: str, unit: str, name: str | None = None
) -> list[str]:
    name = name or table
    new_id, new_unit = object_id.replace("R.", "NEW."), unit.replace("R.", "NEW.")
    old_id, old_unit = object_id.replace("R.", "OLD."), unit.replace("R.", "OLD.")
    return [
        f"""CREATE FUNCTION sync_{name}() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND {old_unit} IS DISTINCT FROM {new_unit}) THEN
    PERFORM sync_touch('{entity}', {old_id}, {old_unit});
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM sync_touch('{entity}', {new_id}, {new_unit});
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
        f"CREATE TRIGGER sync_{name} AFTER INSERT OR UPDATE OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION sync_{name}()",
    ]


def _sqlite_touch(entity: str, object_id: str, unit: str) -> str:
    # one writer at a time: the next position is the largest so far plus one (``pos`` is the
    # primary key, so that is one index probe)
    return f"""INSERT INTO sync_change (entity, entity_id, unit_id, tx, pos)
  VALUES ('{entity}', {object_id}, {unit}, 0,
          (SELECT COALESCE(MAX(pos), 0) + 1 FROM sync_change))
  ON CONFLICT (entity, entity_id, unit_id) DO UPDATE SET pos = excluded.pos;"""


def _sqlite_triggers(
    table: str, entity: str, object_id: str, unit: str, name: str | None = None
) -> list[str]:
    name = name or table

    def on(row: str) -> tuple[str, str]:
        return object_id.replace("R.", f"{row}."), unit.replace("R.", f"{row}.")

    new_id, new_unit = on("NEW")
    old_id, old_unit = on("OLD")
    return [
        f"CREATE TRIGGER sync_{name}_insert AFTER INSERT ON {table} BEGIN\n"
        f"  {_sqlite_touch(entity, new_id, new_unit)}\nEND",
        f"CREATE TRIGGER sync_{name}_update AFTER UPDATE ON {table} BEGIN\n"
        f"  {_sqlite_touch(entity, new_id, new_unit)}\nEND",
        f"CREATE TRIGGER sync_{name}_moved AFTER UPDATE ON {table}"
        f" WHEN {old_unit} IS NOT {new_unit} BEGIN\n"
        f"  {_sqlite_touch(entity, old_id, old_unit)}\nEND",
        f"CREATE TRIGGER sync_{name}_delete AFTER DELETE ON {table} BEGIN\n"
        f"  {_sqlite_touch(entity, old_id, old_unit)}\nEND",
    ]


def statements(kind: str) -> list[str]:
    if kind == "postgres":
        triggers = [s for t, spec in TRACKED.items() for s in _postgres_trigger(t, *spec)]
        return [*POSTGRES, *COMMON, *triggers]
    triggers = [s for t, spec in TRACKED.items() for s in _sqlite_triggers(t, *spec)]
    return [*SQLITE, *COMMON, *triggers]


def _kind() -> str:
    engine = engine_finder()
    if engine is None:
        msg = "no Piccolo engine configured"
        raise RuntimeError(msg)
    return "postgres" if engine.engine_type == "postgres" else "sqlite"


async def _ddl(statement: str) -> None:
    engine = engine_finder()
    assert engine is not None  # noqa: S101 - _kind() checked it
    await engine.run_ddl(statement)


async def _create() -> None:
    for statement in statements(_kind()):
        await _ddl(statement)


async def _drop() -> None:
    """Before the tables go: the triggers and functions that write them."""
    if _kind() == "postgres":
        for name in ("sync_touch", "sync_epoch_bump", *(f"sync_{t}" for t in TRACKED)):
            await _ddl(f"DROP FUNCTION IF EXISTS {name} CASCADE")
        await _ddl("DROP SEQUENCE IF EXISTS sync_pos")
        return
    await _ddl("DROP TRIGGER IF EXISTS sync_epoch_bump")
    for table in TRACKED:
        for suffix in ("insert", "update", "moved", "delete"):
            await _ddl(f"DROP TRIGGER IF EXISTS sync_{table}_{suffix}")


class _TablesThenTriggers(MigrationManager):
    """Piccolo runs raw steps before it creates tables; the triggers need the tables first."""

    async def run(self, backwards: bool = False) -> None:  # noqa: FBT001, FBT002 - Piccolo's signature
        if backwards:
            await _drop()
            await super().run(backwards=True)
            return
        await super().run()
        await _create()


async def forwards() -> MigrationManager:
    manager = _TablesThenTriggers(migration_id=ID, app_name="chibo", description=DESCRIPTION)

    manager.add_table(
        class_name="SyncChangeTable",
        tablename="sync_change",
        schema=None,
        columns=None,
    )

    manager.add_table(
        class_name="SyncStateTable",
        tablename="sync_state",
        schema=None,
        columns=None,
    )

    manager.add_table(
        class_name="SyncDeliveredTable",
        tablename="sync_delivered",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="SyncChangeTable",
        tablename="sync_change",
        column_name="pos",
        db_column_name="pos",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": True,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SyncChangeTable",
        tablename="sync_change",
        column_name="tx",
        db_column_name="tx",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
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

    manager.add_column(
        table_class_name="SyncChangeTable",
        tablename="sync_change",
        column_name="entity",
        db_column_name="entity",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 30,
            "default": "",
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

    manager.add_column(
        table_class_name="SyncChangeTable",
        tablename="sync_change",
        column_name="entity_id",
        db_column_name="entity_id",
        column_class_name="UUID",
        column_class=UUID,
        params={
            "default": UUID4(),
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

    manager.add_column(
        table_class_name="SyncChangeTable",
        tablename="sync_change",
        column_name="unit_id",
        db_column_name="unit_id",
        column_class_name="UUID",
        column_class=UUID,
        params={
            "default": UUID4(),
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

    manager.add_column(
        table_class_name="SyncStateTable",
        tablename="sync_state",
        column_name="id",
        db_column_name="id",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": True,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SyncStateTable",
        tablename="sync_state",
        column_name="epoch",
        db_column_name="epoch",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
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

    manager.add_column(
        table_class_name="SyncStateTable",
        tablename="sync_state",
        column_name="clock",
        db_column_name="clock",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
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

    manager.add_column(
        table_class_name="SyncDeliveredTable",
        tablename="sync_delivered",
        column_name="key",
        db_column_name="key",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 120,
            "default": "",
            "null": False,
            "primary_key": True,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SyncDeliveredTable",
        tablename="sync_delivered",
        column_name="view_id",
        db_column_name="view_id",
        column_class_name="UUID",
        column_class=UUID,
        params={
            "default": UUID4(),
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
