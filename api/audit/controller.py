"""GET /api/v1/audit: the append-only trail, for admins and leaders within their scope."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from api.audit.schemas import AuditOut
from api.http.errors import problems
from api.http.schemas import Cursor, Limit, PageOut
from db.repositories.audit import AuditFilter, list_audit
from domain.actors import Actor, Permission
from domain.inspections.service import InspectionService
from domain.pagination import PageRequest


@get("/api/v1/audit", operation_id="ListAudit", tags=["audit"], responses=problems(401, 422))
async def get_audit(
    actor: NamedDependency[Actor],
    inspections: NamedDependency[InspectionService],
    limit: Limit = 50,
    cursor: Cursor = None,
    object_id: Annotated[UUID | None, QueryParameter(name="objectId")] = None,
    actor_id: Annotated[UUID | None, QueryParameter(name="actorId")] = None,
    action: Annotated[str | None, QueryParameter(max_length=60)] = None,
    since: FromQuery[datetime | None] = None,
    until: FromQuery[datetime | None] = None,
) -> PageOut[AuditOut]:
    """Changes to objects in units where the caller may read the audit trail, oldest first;
    nothing of a sealed inspection the caller may not see."""
    page = await list_audit(
        actor.scopes(Permission.READ_AUDIT),
        AuditFilter(
            object_id=object_id,
            actor_id=actor_id,
            action=action,
            since=since,
            until=until,
            hidden=tuple(await inspections.hidden_from(actor)),
        ),
        PageRequest(limit, cursor),
    )
    return PageOut(
        items=[
            AuditOut(
                id=r.id,
                at=r.at,
                actor_id=r.actor_id,
                action=r.action,
                object_type=r.object_type,
                object_id=r.object_id,
                before=r.before,
                after=r.after,
                request_id=r.request_id,
            )
            for r in page.items
        ],
        next_cursor=page.next_cursor,
    )
