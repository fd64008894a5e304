"""create_app(settings): the one composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from litestar import Litestar, Request
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin

from api import health
from api.attachments import attachment_router, provide_attachments
from api.audit import get_audit
from api.auth import AuthController, TokenIssuer, make_jwt_auth
from api.calendar import (
    FEED_PREFIX,
    CalendarTokenController,
    get_calendar_feed,
    provide_calendar,
)
from api.errors import EXCEPTION_HANDLERS
from api.idempotency import IdempotencyMiddleware
from api.inspections.controller import (
    ChecklistTemplateController,
    InspectionController,
    InspectionPlanController,
)
from api.inspections.visit import InspectionVisitController
from api.me import get_me
from api.meetings.controller import MeetingController, MeetingRuleController
from api.meetings.oversight import absence_flags, followed_cells
from api.meetings.record import MeetingRecordController
from api.org.grants import AssignmentController, GrantController
from api.org.memberships import MembershipController
from api.org.people import PersonController
from api.org.roster import RosterController
from api.org.units import UnitController
from api.passwords import Argon2Hasher
from api.request_id import request_id_middleware
from api.settings import Settings
from db.engine import Database
from db.files import LocalAttachmentStore
from db.migrate import bind
from db.repositories.attachments import PiccoloAttachmentRepository
from db.repositories.audit import PiccoloAuditLog
from db.repositories.auth import PiccoloAuthRepository
from db.repositories.calendar import PiccoloCalendarTokenRepository
from db.repositories.idempotency import IdempotencyStore
from db.repositories.inspections import PiccoloInspectionRepository
from db.repositories.meetings import PiccoloMeetingRepository
from db.repositories.org import PiccoloOrgRepository
from domain.actors import Actor
from domain.auth.model import ThrottlePolicy
from domain.auth.service import AuthService
from domain.calendar_feed import CalendarPolicy
from domain.clock import Clock, SystemClock
from domain.inspections.service import InspectionService
from domain.meetings.service import MeetingService, OversightService
from domain.org.service import OrgService

API_DESCRIPTION = """Oversight of grassroots Party cells: organisation, meetings, inspections,
follow-up tasks and reminders.

- Authenticate with `POST /api/v1/auth/login`, then `Authorization: Bearer <accessToken>`.
- Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`; titles
  in Vietnamese, or English with `Accept-Language: en`.
- Any authenticated `POST` may carry `Idempotency-Key` (8-200 of `A-Za-z0-9._:-`): a retry with
  the same key and body returns the first reply (`Idempotent-Replayed: true`); the same key with
  another body answers 422 `idempotency_key_reused`, and while the first is running 409
  `idempotency_request_in_flight`.
- Lists: cursor pagination (`limit` at most 100, `cursor` = the previous page's `nextCursor`).
"""
IN_FLIGHT_TIMEOUT = timedelta(minutes=5)
PUBLIC_PATHS = ["^/health/", "^/api/docs", "^/schema", f"^{FEED_PREFIX}"]


def create_app(
    settings: Settings, *, clock: Clock | None = None, database: Database | None = None
) -> Litestar:
    """Wire the app. A ``database`` passed in is owned by the caller (tests); otherwise the app
    opens its own at start-up and closes it at shutdown."""
    clock = clock or SystemClock()
    owned = database is None
    db = database or Database(settings.database_url)
    bind(db)
    hasher = Argon2Hasher()
    jwt_auth = make_jwt_auth(settings.secret_key, PUBLIC_PATHS)
    tokens = TokenIssuer(jwt_auth, timedelta(minutes=settings.access_token_minutes))
    throttle = ThrottlePolicy(
        settings.login_failure_limit, timedelta(minutes=settings.login_failure_window_minutes)
    )
    org_repo, auth_repo = PiccoloOrgRepository(), PiccoloAuthRepository()
    meeting_repo = PiccoloMeetingRepository()
    inspection_repo = PiccoloInspectionRepository()
    attachment_repo = PiccoloAttachmentRepository()
    key = settings.secret_key.encode()
    session_lifetime = timedelta(days=settings.refresh_session_days)

    def audit_log(request: Request[Any, Any, Any]) -> PiccoloAuditLog:
        return PiccoloAuditLog(clock, request.scope.get("state", {}).get("request_id"))

    def provide_org(request: Request[Any, Any, Any]) -> OrgService:
        return OrgService(org_repo, db, audit_log(request), clock, hasher)

    def provide_auth(request: Request[Any, Any, Any]) -> AuthService:
        return AuthService(
            auth_repo, db, audit_log(request), clock, hasher, key, throttle, session_lifetime
        )

    def provide_meetings(request: Request[Any, Any, Any]) -> MeetingService:
        return MeetingService(
            meeting_repo,
            org_repo,
            db,
            audit_log(request),
            clock,
            settings.meeting_policy,
            settings.checkin_policy,
            key,
            attachments=attachment_repo,
        )

    def provide_inspections(request: Request[Any, Any, Any]) -> InspectionService:
        return InspectionService(
            inspection_repo, org_repo, db, audit_log(request), clock, settings.inspection_policy
        )

    def provide_oversight(request: Request[Any, Any, Any]) -> OversightService:
        return OversightService(provide_meetings(request))

    def provide_actor(request: Request[Actor, Any, Any]) -> Actor:
        return request.user

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        if owned:
            await db.open()
        try:
            yield
        finally:
            if owned:
                await db.close()

    return Litestar(
        route_handlers=[
            health.live,
            health.ready,
            AuthController,
            get_me,
            UnitController,
            PersonController,
            MembershipController,
            RosterController,
            GrantController,
            AssignmentController,
            get_audit,
            MeetingRuleController,
            MeetingController,
            MeetingRecordController,
            attachment_router(settings.attachment_max_bytes),
            CalendarTokenController,
            get_calendar_feed,
            followed_cells,
            absence_flags,
            ChecklistTemplateController,
            InspectionPlanController,
            InspectionController,
            InspectionVisitController,
        ],
        dependencies={
            "org": Provide(provide_org, sync_to_thread=False),
            "auth": Provide(provide_auth, sync_to_thread=False),
            "meetings": Provide(provide_meetings, sync_to_thread=False),
            "attachments": provide_attachments(
                audit_log,
                attachment_repo,
                LocalAttachmentStore(Path(settings.upload_dir)),
                org_repo,
                db,
                clock,
                settings.attachment_policy,
            ),
            "calendar": provide_calendar(
                audit_log,
                PiccoloCalendarTokenRepository(),
                meeting_repo,
                org_repo,
                db,
                clock,
                CalendarPolicy(),
            ),
            "oversight": Provide(provide_oversight, sync_to_thread=False),
            "inspections": Provide(provide_inspections, sync_to_thread=False),
            "actor": Provide(provide_actor, sync_to_thread=False),
            "tokens": Provide(lambda: tokens, sync_to_thread=False),
            "database": Provide(lambda: db, sync_to_thread=False),
        },
        on_app_init=[jwt_auth.on_app_init],
        middleware=[
            request_id_middleware,
            DefineMiddleware(
                IdempotencyMiddleware,
                database=db,
                store=IdempotencyStore(IN_FLIGHT_TIMEOUT),
                clock=clock,
                max_body=settings.max_body_bytes,
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="chibo API",
            version="1.0.0",
            description=API_DESCRIPTION,
            path="/api/docs",
            render_plugins=[ScalarRenderPlugin()],
        ),
    )
