"""Ports every area shares (the transaction and the audit trail); an area's own ports live in
``domain/<area>/ports.py``, only there."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID


class Clock(Protocol):
    def now(self) -> datetime: ...


class UnitOfWork(Protocol):
    def atomic(self) -> AbstractAsyncContextManager[None]:
        """Everything inside commits together or not at all."""

    def batched(self) -> AbstractAsyncContextManager[None]:
        """Like ``atomic``, for a use case that reads, decides, then writes: the reads run at
        once and the writes all together when the block ends (one hop to SQLite's writer), so
        no write may depend on another's result, and a write over a stale version fails the
        whole block."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor_id: UUID | None
    action: str
    object_type: str
    object_id: UUID
    unit_path: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: UUID
    at: datetime
    actor_id: UUID | None
    action: str
    object_type: str
    object_id: UUID
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None


class AuditLog(Protocol):
    async def record(self, entry: AuditEntry) -> None:
        """Append one row in the current transaction; rows are never updated or deleted."""
