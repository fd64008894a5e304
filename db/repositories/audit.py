"""The append-only audit log: written in the caller's transaction, read within a scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from db.engine import write
from db.json_columns import dumps, loads
from db.pagination import any_prefix, fetch_page
from db.tables import AuditEventTable
from db.writes import Write
from domain.pagination import Page, PageRequest
from domain.ports import AuditEntry, AuditRecord, Clock


@dataclass(frozen=True, slots=True)
class AuditFilter:
    object_id: UUID | None = None
    actor_id: UUID | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    hidden: tuple[UUID, ...] = ()  # objects whose entries the reader must not see


_INSERT = (
    'INSERT INTO audit_event ("id", "at", "actor", "action", "object_type", "object_id",'
    ' "unit_path", "before", "after", "request_id", "created_at")'
    " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)


def _record(row: dict[str, Any]) -> AuditRecord:
    return AuditRecord(
        id=row["id"],
        at=row["at"],
        actor_id=row["actor"],
        action=row["action"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        before=loads(row["before"]),
        after=loads(row["after"]),
        request_id=row["request_id"],
    )


class PiccoloAuditLog:
    def __init__(self, clock: Clock, request_id: str | None) -> None:
        self.clock = clock
        self.request_id = request_id

    async def record(self, entry: AuditEntry) -> None:
        """One statement written once as SQL; inside a batched unit of work it goes with the
        other writes (db/writes.py)."""
        now = self.clock.now()
        values = (
            uuid4(),
            now,
            entry.actor_id,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.unit_path,
            dumps(entry.before),
            dumps(entry.after),
            self.request_id,
            now,
        )
        await write(AuditEventTable._meta.db, Write(_INSERT, values))  # noqa: SLF001


async def list_audit(
    scopes: tuple[str, ...], where: AuditFilter, page: PageRequest
) -> Page[AuditRecord]:
    scope = any_prefix(AuditEventTable.unit_path, scopes)
    if scope is None:
        return Page(items=(), next_cursor=None)
    query = AuditEventTable.select().where(scope)
    if where.object_id:
        query = query.where(AuditEventTable.object_id == where.object_id)
    if where.hidden:
        query = query.where(AuditEventTable.object_id.not_in(list(where.hidden)))
    if where.actor_id:
        query = query.where(AuditEventTable.actor == where.actor_id)
    if where.action:
        query = query.where(AuditEventTable.action == where.action)
    if where.since:
        query = query.where(AuditEventTable.at >= where.since)
    if where.until:
        query = query.where(AuditEventTable.at < where.until)
    return await fetch_page(query, AuditEventTable, page, _record)
