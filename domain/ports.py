"""What the domain needs from the outside world, as Protocols implemented in db/ and chibo/."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID


class UnitOfWork(Protocol):
    def atomic(self) -> AbstractAsyncContextManager[None]:
        """Everything inside commits together or not at all."""


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


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...
