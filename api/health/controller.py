"""Liveness and readiness probes."""

from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from api.health.schemas import HealthOut
from api.http.auth import PublicOperation
from db.engine import Database


@get(
    "/health/live",
    operation_id="HealthLive",
    tags=["health"],
    exclude_from_auth=True,
    operation_class=PublicOperation,
)
async def live() -> HealthOut:
    """The process answers."""
    return HealthOut(status="ok")


@get(
    "/health/ready",
    operation_id="HealthReady",
    tags=["health"],
    exclude_from_auth=True,
    operation_class=PublicOperation,
    responses={503: ResponseSpec(data_container=HealthOut, description="Database unreachable")},
)
async def ready(database: NamedDependency[Database]) -> Response[HealthOut]:
    """The database answers."""
    if await database.ping():
        return Response(HealthOut(status="ok"))
    return Response(HealthOut(status="database_unavailable"), status_code=503)
