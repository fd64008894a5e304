"""The two steps every audited change repeats: bump the optimistic version, append the audit row."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from domain.errors import StaleVersionError
from domain.ports import AuditEntry, AuditLog


class Versioned(Protocol):
    version: int


def require_version(obj: Versioned, version: int | None) -> None:
    """The caller's copy (``If-Match``) must be the current one; ``None`` means "any"."""
    if version is not None and version != obj.version:
        raise StaleVersionError("version_mismatch", current_version=obj.version)


def bump_version(obj: Versioned) -> int:
    """Move ``obj`` to its next version; returns the version the stored row must still have, so
    a concurrent writer's save is refused instead of overwritten."""
    expected = obj.version
    obj.version = expected + 1
    return expected


async def audited(
    log: AuditLog,
    actor_id: UUID | None,
    action: str,
    object_type: str,
    object_id: UUID,
    unit_path: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one audit row in the current transaction, filed under ``unit_path``."""
    await log.record(AuditEntry(actor_id, action, object_type, object_id, unit_path, before, after))
