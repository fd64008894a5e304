"""The audit trail's entries as the API answers them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from api.http.schemas import Out


class AuditOut(Out):
    id: UUID
    at: datetime
    actor_id: UUID | None
    action: str
    object_type: str
    object_id: UUID
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
