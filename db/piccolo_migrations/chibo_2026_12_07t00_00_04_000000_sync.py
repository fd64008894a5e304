"""The change log offline sync reads (docs/decisions/0016): database triggers keep one row per
(entity, object, unit it lies in) with the position of its last change, so no write path of the
program has to remember sync.

Positions: on SQLite one counter bumped inside the writing transaction (one writer at a time, so
positions follow commit order). On PostgreSQL a sequence plus the writing transaction's id
(``tx``): a pull reads only ``tx`` below the oldest transaction still running
(``pg_snapshot_xmin(pg_current_snapshot())``), so a late commit is delivered by a later pull and
never skipped. Moving a unit bumps ``sync_epoch``: every phone's scope is rebuilt.
"""

from collections.abc import Awaitable, Callable

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T00:00:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync change log and its triggers"

# table -> (entity, object id, unit id), with R standing for the NEW or OLD row
TRACKED = {
    "unit": ("unit", "R.id", "R.id"),
    "person": ("person", "R.id", "R.home_unit"),
    "membership": ("membership", "R.id", "R.cell"),
    "leader_assignment": ("leader_assignment", "R.id", "R.cell"),
    "meeting": ("meeting", "R.id", "R.cell"),
    "attendance": ("meeting", "R.meeting", "(SELECT cell FROM meeting WHERE id = R.meeting)"),
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
    "CREATE TABLE sync_epoch (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)",
    "INSERT INTO sync_epoch (id, n) VALUES (1, 0)",
    "CREATE INDEX sync_change_order ON sync_change (tx, pos)",
    "CREATE INDEX sync_change_unit ON sync_change (unit_id, tx, pos)",
]

POSTGRES = [
    "CREATE TABLE sync_change (entity VARCHAR(30) NOT NULL, entity_id UUID NOT NULL,"
    " unit_id UUID NOT NULL, tx BIGINT NOT NULL, pos BIGINT NOT NULL,"
    " PRIMARY KEY (entity, entity_id, unit_id))",
    "CREATE TABLE sync_delivered (view_id UUID NOT NULL, entity VARCHAR(30) NOT NULL,"
    " entity_id UUID NOT NULL, PRIMARY KEY (view_id, entity, entity_id))",
    "CREATE SEQUENCE sync_pos",
    """CREATE FUNCTION sync_touch(p_entity text, p_id uuid, p_unit uuid) RETURNS void AS $$
  INSERT INTO sync_change (entity, entity_id, unit_id, tx, pos)
  VALUES (p_entity, p_id, p_unit, pg_current_xact_id()::text::bigint, nextval('sync_pos'))
  ON CONFLICT (entity, entity_id, unit_id)
  DO UPDATE SET tx = EXCLUDED.tx, pos = EXCLUDED.pos
$$ LANGUAGE sql""",
    """CREATE FUNCTION sync_epoch_bump() RETURNS trigger AS $$
BEGIN
  UPDATE sync_epoch SET n = n + 1 WHERE id = 1;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER sync_epoch_bump AFTER UPDATE OF path ON unit FOR EACH STATEMENT"
    " EXECUTE FUNCTION sync_epoch_bump()",
]

SQLITE = [
    "CREATE TABLE sync_change (entity VARCHAR(30) NOT NULL, entity_id TEXT NOT NULL,"
    " unit_id TEXT NOT NULL, tx BIGINT NOT NULL, pos BIGINT NOT NULL,"
    " PRIMARY KEY (entity, entity_id, unit_id))",
    "CREATE TABLE sync_delivered (view_id TEXT NOT NULL, entity VARCHAR(30) NOT NULL,"
    " entity_id TEXT NOT NULL, PRIMARY KEY (view_id, entity, entity_id))",
    "CREATE TABLE sync_clock (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)",
    "INSERT INTO sync_clock (id, n) VALUES (1, 0)",
    """CREATE TRIGGER sync_epoch_bump AFTER UPDATE OF path ON unit
WHEN OLD.path <> NEW.path BEGIN
  UPDATE sync_epoch SET n = n + 1 WHERE id = 1;
END""",
]


def _postgres_trigger(table: str, entity: str, object_id: str, unit: str) -> list[str]:
    new_id, new_unit = object_id.replace("R.", "NEW."), unit.replace("R.", "NEW.")
    old_id, old_unit = object_id.replace("R.", "OLD."), unit.replace("R.", "OLD.")
    return [
        f"""CREATE FUNCTION sync_{table}() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND {old_unit} IS DISTINCT FROM {new_unit}) THEN
    PERFORM sync_touch('{entity}', {old_id}, {old_unit});
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM sync_touch('{entity}', {new_id}, {new_unit});
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
        f"CREATE TRIGGER sync_{table} AFTER INSERT OR UPDATE OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION sync_{table}()",
    ]


def _sqlite_touch(entity: str, object_id: str, unit: str) -> str:
    return f"""UPDATE sync_clock SET n = n + 1 WHERE id = 1;
  INSERT INTO sync_change (entity, entity_id, unit_id, tx, pos)
  VALUES ('{entity}', {object_id}, {unit}, 0, (SELECT n FROM sync_clock WHERE id = 1))
  ON CONFLICT (entity, entity_id, unit_id) DO UPDATE SET pos = excluded.pos;"""


def _sqlite_triggers(table: str, entity: str, object_id: str, unit: str) -> list[str]:
    def on(row: str) -> tuple[str, str]:
        return object_id.replace("R.", f"{row}."), unit.replace("R.", f"{row}.")

    new_id, new_unit = on("NEW")
    old_id, old_unit = on("OLD")
    return [
        f"CREATE TRIGGER sync_{table}_insert AFTER INSERT ON {table} BEGIN\n"
        f"  {_sqlite_touch(entity, new_id, new_unit)}\nEND",
        f"CREATE TRIGGER sync_{table}_update AFTER UPDATE ON {table} BEGIN\n"
        f"  {_sqlite_touch(entity, new_id, new_unit)}\nEND",
        f"CREATE TRIGGER sync_{table}_moved AFTER UPDATE ON {table}"
        f" WHEN {old_unit} IS NOT {new_unit} BEGIN\n"
        f"  {_sqlite_touch(entity, old_id, old_unit)}\nEND",
        f"CREATE TRIGGER sync_{table}_delete AFTER DELETE ON {table} BEGIN\n"
        f"  {_sqlite_touch(entity, old_id, old_unit)}\nEND",
    ]


def statements(kind: str) -> list[str]:
    if kind == "postgres":
        triggers = [s for t, spec in TRACKED.items() for s in _postgres_trigger(t, *spec)]
        return [*POSTGRES, *COMMON, *triggers]
    triggers = [s for t, spec in TRACKED.items() for s in _sqlite_triggers(t, *spec)]
    return [*SQLITE, *COMMON, *triggers]


def _run(drop: bool) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        engine = engine_finder()
        if engine is None:
            msg = "no Piccolo engine configured"
            raise RuntimeError(msg)
        kind = "postgres" if engine.engine_type == "postgres" else "sqlite"
        if drop:
            for table in ("sync_change", "sync_delivered", "sync_epoch", "sync_clock"):
                await engine.run_ddl(f"DROP TABLE IF EXISTS {table}")
            if kind == "postgres":
                await engine.run_ddl("DROP SEQUENCE IF EXISTS sync_pos")
                await engine.run_ddl("DROP FUNCTION IF EXISTS sync_touch CASCADE")
                await engine.run_ddl("DROP FUNCTION IF EXISTS sync_epoch_bump CASCADE")
                for table in TRACKED:
                    await engine.run_ddl(f"DROP FUNCTION IF EXISTS sync_{table} CASCADE")
            else:
                for table in TRACKED:
                    for suffix in ("insert", "update", "moved", "delete"):
                        await engine.run_ddl(f"DROP TRIGGER IF EXISTS sync_{table}_{suffix}")
                await engine.run_ddl("DROP TRIGGER IF EXISTS sync_epoch_bump")
            return
        for statement in statements(kind):
            await engine.run_ddl(statement)

    return run


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    manager.add_raw(_run(drop=False))
    manager.add_raw_backwards(_run(drop=True))
    return manager
