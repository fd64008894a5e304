"""Offline sync of what is addressed to a person rather than kept in a unit (decision 0016): the
person's own record (kept by another unit once they move), their notifications, tasks assigned to them and inspections whose team they are on, wherever
these lie. Their change rows name the person where the others name a unit (``unit_id`` is "the
audience": a unit, or a person; ids never collide), and a pull reads the caller's own rows beside
those of its units. Built by the same trigger builders as the unit rows.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from db.migration_sql import ddl
from db.piccolo_migrations.chibo_2026_12_07t00_00_04_000000_sync import (
    _postgres_trigger,
    _sqlite_triggers,
)

ID = "2026-12-07T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync change rows addressed to a person"

# table -> (entity, object id, person id); R is the NEW or OLD row
ADDRESSED = {
    "person": ("person", "R.id", "R.id"),  # one's own record, whichever unit keeps it
    "notification": ("notification", "R.id", "R.person"),
    "task": ("task", "R.id", "R.assignee"),
    "task_step": ("task", "R.task", "(SELECT assignee FROM task WHERE id = R.task)"),
    "task_comment": (
        "task_comments",
        "R.task",
        "(SELECT assignee FROM task WHERE id = R.task)",
    ),
    "inspection_member": ("inspection", "R.inspection", "R.person"),
}
# an inspection that changes tells every member of its team
POSTGRES_TEAM = [
    """CREATE FUNCTION sync_inspection_team() RETURNS trigger AS $$
BEGIN
  PERFORM sync_touch('inspection', NEW.id, m.person)
    FROM inspection_member m WHERE m.inspection = NEW.id;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER sync_inspection_team AFTER UPDATE ON inspection"
    " FOR EACH ROW EXECUTE FUNCTION sync_inspection_team()",
]
SQLITE_TEAM = [
    """CREATE TRIGGER sync_inspection_team AFTER UPDATE ON inspection BEGIN
  INSERT INTO sync_change (entity, entity_id, unit_id, tx, pos)
  SELECT 'inspection', NEW.id, m.person, 0,
         (SELECT COALESCE(MAX(pos), 0) FROM sync_change) + ROW_NUMBER() OVER (ORDER BY m.id)
  FROM inspection_member m WHERE m.inspection = NEW.id AND 1
  ON CONFLICT (entity, entity_id, unit_id) DO UPDATE SET pos = excluded.pos;
END""",
]


def _name(table: str) -> str:
    return f"{table}_person"


def statements(kind: str) -> list[str]:
    if kind == "postgres":
        made = [s for t, spec in ADDRESSED.items() for s in _postgres_trigger(t, *spec, _name(t))]
        return [*made, *POSTGRES_TEAM]
    made = [s for t, spec in ADDRESSED.items() for s in _sqlite_triggers(t, *spec, _name(t))]
    return [*made, *SQLITE_TEAM]


def drops(kind: str) -> list[str]:
    if kind == "postgres":
        names = [*(_name(t) for t in ADDRESSED), "inspection_team"]
        return [f"DROP FUNCTION IF EXISTS sync_{n} CASCADE" for n in names]
    suffixes = ("insert", "update", "moved", "delete")
    dropped = [f"DROP TRIGGER IF EXISTS sync_{_name(t)}_{s}" for t in ADDRESSED for s in suffixes]
    return [*dropped, "DROP TRIGGER IF EXISTS sync_inspection_team"]


def _kind() -> str:
    engine = engine_finder()
    return "postgres" if engine is not None and engine.engine_type == "postgres" else "sqlite"


async def _run(which: str) -> None:
    kind = _kind()
    for statement in statements(kind) if which == "create" else drops(kind):
        await ddl(statement)()


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)

    async def create() -> None:
        await _run("create")

    async def drop() -> None:
        await _run("drop")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
