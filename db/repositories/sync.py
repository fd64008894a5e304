"""The change log offline sync reads, kept by database triggers (migration ..._04_..._sync.py,
decision 0016), and the set of objects each phone's view holds.

SQLite: positions are handed out by one counter inside the single writer's transaction, so what a
reader sees is always a prefix. PostgreSQL: a row carries the id of the transaction that wrote it,
and a pull reads only below the horizon, the oldest transaction still running, so a transaction
that commits late is read by a later pull instead of being skipped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from piccolo.querystring import QueryString

from db.engine import Database
from domain.sync.model import Change, Position

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


class SyncLog:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def _rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:  # noqa: ANN401
        rows: list[dict[str, Any]] = await self.database.engine.run_querystring(
            QueryString(sql, *args)
        )
        return rows

    async def epoch(self) -> int:
        rows = await self._rows("SELECT epoch FROM sync_state WHERE id = 1")
        return int(rows[0]["epoch"])

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
        self, scopes: tuple[str, ...], after: Position, horizon: int | None, limit: int
    ) -> list[Change]:
        """Changes to objects in units under ``scopes``, past ``after``, in log order."""
        where, args = _in_scope("c.unit_id", scopes)
        sql = (
            "SELECT c.entity, c.entity_id, c.tx, c.pos FROM sync_change c WHERE "  # noqa: S608 - the scope's clause; every value is a bound parameter
            + where
            + " AND (c.tx > {} OR (c.tx = {} AND c.pos > {}))"
        )
        args += [after.tx, after.tx, after.pos]
        if horizon is not None:
            # a transaction's own writes are visible to it (a test's wrapping transaction)
            sql += (
                " AND (c.tx < {} OR c.tx ="
                " COALESCE(pg_current_xact_id_if_assigned()::text::bigint, -1))"
            )
            args.append(horizon)
        sql += " ORDER BY c.tx, c.pos LIMIT {}"
        rows = await self._rows(sql, *args, limit)
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


def _key(view: UUID, entity: str, entity_id: UUID) -> str:
    return f"{view}:{entity}:{entity_id}"


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)
