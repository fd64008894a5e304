"""The change log offline sync reads, kept by database triggers (migration ..._04_..._sync.py,
decision 0016), and the set of objects each phone's view holds.

SQLite: positions are handed out by one counter inside the single writer's transaction, so what a
reader sees is always a prefix. PostgreSQL: a row carries the id of the transaction that wrote it,
and a pull reads only below the horizon, the oldest transaction still running, so a transaction
that commits late is read by a later pull instead of being skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from piccolo.querystring import QueryString

from db.engine import Database
from db.piccolo_migrations.chibo_2026_12_07t00_00_04_000000_sync import TRACKED as UNIT_ROWS
from db.piccolo_migrations.chibo_2026_12_07t16_00_00_000000_sync_people import (
    ADDRESSED as PERSON_ROWS,
)
from domain.sync.model import START, Change, Position

# pg_stat_activity shows 32-bit xids; the log holds 64-bit ones (xid8), whose low half they are.
# The application's connections must all use one role (another role's backend_xid is hidden).
_POSTGRES_HORIZON = """
SELECT COALESCE(
  (SELECT min(x::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
    WHERE x::text::bigint % 4294967296 IN (
      SELECT backend_xid::text::bigint FROM pg_stat_activity
      WHERE datname = current_database() AND backend_xid IS NOT NULL)),
  pg_snapshot_xmax(pg_current_snapshot())::text::bigint) AS h
"""
_IN_SCOPE = "EXISTS (SELECT 1 FROM unit u WHERE u.id = {unit} AND ({paths}))"


def _in_scope(unit_column: str, scopes: tuple[str, ...]) -> tuple[str, list[Any]]:
    paths = " OR ".join(["u.path LIKE {}"] * len(scopes)) or "FALSE"
    return _IN_SCOPE.format(unit=unit_column, paths=paths), [f"{s}%" for s in scopes]


# PostgreSQL: below the horizon, or written by this very transaction (which sees its own writes:
# a test's wrapping transaction)
_SETTLED = "(tx < {} OR tx = COALESCE(pg_current_xact_id_if_assigned()::text::bigint, -1))"


def changes_query(
    kind: str,
    scopes: tuple[str, ...],
    person_id: UUID,
    after: Position,
    horizon: int | None,
    limit: int,
) -> tuple[Any, ...]:
    """The statement of ``SyncLog.changes`` and its arguments. One index seek per audience (a
    unit of the scope, or the person) on ``sync_change_unit (unit_id, tx, pos)``: a pull reads
    the change rows it hands out and no others, so an empty one reads none, whatever changed
    elsewhere (tests/db/test_sync_log.py checks the plan)."""
    paths = " OR ".join(["u.path LIKE {}"] * len(scopes)) or "FALSE"
    audience = (
        "WITH audience(id) AS ("  # noqa: S608 - the scope's clause; every value is a bound parameter
        f"SELECT u.id FROM unit u WHERE {paths}"
        " UNION ALL SELECT p.id FROM person p WHERE p.id = {})"
    )
    args: list[Any] = [*(f"{s}%" for s in scopes), person_id, after.tx, after.pos]
    if kind == "sqlite":
        # CROSS JOIN keeps SQLite's loop order (audience outside); ``tx`` is always 0 and the
        # range must be on ``pos`` to be a seek
        sql = (
            audience + " SELECT c.entity, c.entity_id, c.tx, c.pos"  # noqa: S608 - as above
            " FROM audience a CROSS JOIN sync_change c"
            " WHERE c.unit_id = a.id AND c.tx = {} AND c.pos > {}"
        )
        return (sql + " ORDER BY c.tx, c.pos LIMIT {}", *args, limit)
    # LATERAL: at most ``limit`` rows per audience, by its own index range; without it the
    # planner may walk the whole (tx, pos) order past the cursor to skip the sort
    sql = (
        audience + " SELECT c.entity, c.entity_id, c.tx, c.pos FROM audience a CROSS JOIN LATERAL"  # noqa: S608 - as above
        " (SELECT c.entity, c.entity_id, c.tx, c.pos FROM sync_change c"
        f" WHERE c.unit_id = a.id AND (c.tx, c.pos) > ({{}}, {{}}) AND {_SETTLED}"
        " ORDER BY c.tx, c.pos LIMIT {}) c"
    )
    return (sql + " ORDER BY c.tx, c.pos LIMIT {}", *args, horizon, limit, limit)


class SyncLog:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def _rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:  # noqa: ANN401
        rows: list[dict[str, Any]] = await self.database.engine.run_querystring(
            QueryString(sql, *args)
        )
        return rows

    async def state(self) -> tuple[int, Position]:
        """The unit tree's epoch, and the compaction floor: a cursor below it may have missed
        a removal whose row is gone, so it starts over."""
        rows = await self._rows("SELECT epoch, floor_tx, floor_pos FROM sync_state WHERE id = 1")
        row = rows[0]
        return int(row["epoch"]), Position(int(row["floor_tx"]), int(row["floor_pos"]))

    async def compact(self, older_than: datetime, now: datetime) -> int:
        """Delete the rows of objects that left an audience (moved, deleted, reassigned) at or
        below the mark recorded at the last compaction, if that is older than ``older_than``;
        that mark becomes the floor, and the log's last settled position the next mark. Rows of
        objects still in their audience stay whatever their age: a first sync reads them. Safe
        to run twice. Returns the number of rows deleted."""
        async with self.database.atomic():
            rows = await self._rows(
                "SELECT mark_tx, mark_pos, mark_at FROM sync_state WHERE id = 1"
            )
            mark_at, deleted = rows[0]["mark_at"], 0
            if mark_at is not None and _aware(mark_at) <= older_than:
                mark = Position(int(rows[0]["mark_tx"]), int(rows[0]["mark_pos"]))
                gone = await self._rows(_COMPACT, mark.tx, mark.pos)
                deleted = len(gone)
                await self._rows(
                    "UPDATE sync_state SET floor_tx = {}, floor_pos = {} WHERE id = 1",
                    mark.tx,
                    mark.pos,
                )
            if mark_at is None or _aware(mark_at) <= older_than:
                await self._mark(now)
        return deleted

    async def _mark(self, now: datetime) -> None:
        mark = await self.settled_end(await self.horizon()) or START
        await self._rows(
            "UPDATE sync_state SET mark_tx = {}, mark_pos = {}, mark_at = {} WHERE id = 1",
            mark.tx,
            mark.pos,
            now,
        )

    async def settled_end(self, horizon: int | None) -> Position | None:
        """The last position of the whole log below ``horizon`` (one entry of the
        ``(tx, pos)`` index, read backwards): a pull that has read everything of its own up to
        the horizon may move its cursor there, past what others changed."""
        sql = "SELECT tx, pos FROM sync_change"
        if horizon is not None:
            sql += f" WHERE {_SETTLED}"
        rows = await self._rows(
            sql + " ORDER BY tx DESC, pos DESC LIMIT 1", *([] if horizon is None else [horizon])
        )
        return Position(int(rows[0]["tx"]), int(rows[0]["pos"])) if rows else None

    async def horizon(self) -> int | None:
        """PostgreSQL: the oldest transaction of this database still running (else the next
        transaction id): every change below it is committed or never will be. Transactions of
        other databases on the cluster are left out, so they cannot hold sync back. SQLite: None
        (one writer at a time, so whatever a reader sees is settled)."""
        if self.database.kind != "postgres":
            return None
        rows = await self._rows(_POSTGRES_HORIZON)
        return int(rows[0]["h"])

    async def changes(
        self,
        scopes: tuple[str, ...],
        person_id: UUID,
        after: Position,
        horizon: int | None,
        limit: int,
    ) -> list[Change]:
        """Changes to objects in units under ``scopes`` or addressed to the person (their
        own record, notifications, tasks, inspection teams), past ``after``, in log order."""
        query = changes_query(self.database.kind, scopes, person_id, after, horizon, limit)
        rows = await self._rows(*query)
        return [
            Change(r["entity"], _uuid(r["entity_id"]), Position(int(r["tx"]), int(r["pos"])))
            for r in rows
        ]

    async def revealed(self, scopes: tuple[str, ...], since: datetime, now: datetime) -> list[UUID]:
        """Surprise inspections under ``scopes`` whose window opened in (since, now]: they may
        have become visible with no write at that moment."""
        where, args = _in_scope("i.target", scopes)
        rows = await self._rows(
            "SELECT i.id FROM inspection i WHERE "  # noqa: S608 - as above
            + where
            + " AND i.kind = 'surprise' AND i.window_start > {} AND i.window_start <= {}"
            " ORDER BY i.id",
            *args,
            since,
            now,
        )
        return [_uuid(r["id"]) for r in rows]

    async def holds(self, view: UUID, entity: str, entity_id: UUID) -> bool:
        rows = await self._rows(
            "SELECT 1 AS held FROM sync_delivered WHERE key = {}", _key(view, entity, entity_id)
        )
        return bool(rows)

    async def hand(self, view: UUID, entity: str, entity_id: UUID) -> None:
        await self._rows(
            "INSERT INTO sync_delivered (key, view_id) VALUES ({}, {})"
            " ON CONFLICT (key) DO NOTHING",
            _key(view, entity, entity_id),
            view,
        )

    async def take_back(self, view: UUID, entity: str, entity_id: UUID) -> None:
        await self._rows("DELETE FROM sync_delivered WHERE key = {}", _key(view, entity, entity_id))

    async def forget_view(self, view: UUID) -> None:
        await self._rows("DELETE FROM sync_delivered WHERE view_id = {}", view)


def _live(specs: dict[str, tuple[str, str, str]]) -> dict[str, list[str]]:
    """entity -> the conditions under which a change row ``c`` still names an object in its
    audience, from the triggers' own table specs (R: the table's row)."""
    live: dict[str, list[str]] = {}
    for table, (entity, object_id, audience) in specs.items():
        live.setdefault(entity, []).append(
            f"EXISTS (SELECT 1 FROM {table} R"  # noqa: S608 - the migrations' constants
            f" WHERE {object_id} = c.entity_id AND {audience} = c.unit_id)"
        )
    return live


def _compact_statement() -> str:
    # the rows a trigger writes: a unit's (migration 04) and a person's (migration 16_00_00);
    # an inspection's team rows are the team members' (inspection_member)
    live = _live(UNIT_ROWS)
    for entity, conditions in _live(PERSON_ROWS).items():
        live.setdefault(entity, []).extend(conditions)
    kept = " OR ".join(
        f"(c.entity = '{entity}' AND ({' OR '.join(conditions)}))"
        for entity, conditions in live.items()
    )
    return (
        "DELETE FROM sync_change AS c WHERE (c.tx, c.pos) <= ({}, {})"  # noqa: S608 - built from the migrations' constants
        f" AND NOT ({kept}) RETURNING pos"
    )


_COMPACT = _compact_statement()


def _aware(moment: datetime | str) -> datetime:
    """SQLite hands a timestamp back as text."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _key(view: UUID, entity: str, entity_id: UUID) -> str:
    return f"{view}:{entity}:{entity_id}"


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)
