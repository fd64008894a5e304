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
from api.attachments import attachment_router
from api.audit import get_audit
from api.auth import AuthController, TokenIssuer, make_jwt_auth, temporary_password_guard
from api.calendar import (
    FEED_PREFIX,
    CalendarTokenController,
    get_calendar_feed,
)
from api.compliance import list_compliance_flags
from api.errors import EXCEPTION_HANDLERS
from api.i18n import content_language_middleware
from api.idempotency import IdempotencyMiddleware
from api.inspections.controller import (
    ChecklistTemplateController,
    InspectionController,
    InspectionPlanController,
)
from api.inspections.visit import InspectionVisitController
from api.jobs import list_jobs
from api.me import get_me
from api.meetings.controller import MeetingController, MeetingRuleController
from api.meetings.oversight import absence_flags, followed_cells
from api.meetings.record import MeetingRecordController
from api.notifications import MyNotificationsController
from api.openapi import ContractJsonPlugin
from api.options import options_allow_middleware
from api.org.grants import AssignmentController, GrantController
from api.org.memberships import MembershipController
from api.org.people import PersonController
from api.org.roster import RosterController
from api.org.units import UnitController
from api.passwords import Argon2Hasher
from api.request_id import request_id_middleware
from api.settings import Settings
from api.strict import StrictInput
from api.tasks.controller import TaskController
from api.tasks.petitions import CalendarDayController, PetitionController
from db.engine import Database
from db.files import LocalAttachmentStore
from db.migrate import bind
from db.repositories.attachments import PiccoloAttachmentRepository
from db.repositories.audit import PiccoloAuditLog
from db.repositories.auth import PiccoloAuthRepository
from db.repositories.calendar import PiccoloCalendarTokenRepository
from db.repositories.compliance import PiccoloComplianceStore
from db.repositories.idempotency import IdempotencyStore
from db.repositories.inspections import PiccoloInspectionRepository
from db.repositories.meetings import PiccoloMeetingRepository
from db.repositories.notifications import PiccoloNotificationStore
from db.repositories.org import PiccoloOrgRepository
from db.repositories.tasks import PiccoloTaskRepository
from db.working_days import PiccoloWorkingDays
from domain.actors import Actor
from domain.attachments import AttachmentService
from domain.auth.service import AuthService, SessionEnding
from domain.calendar_feed import CalendarFeedService, CalendarPolicy
from domain.clock import Clock, SystemClock
from domain.compliance.service import ComplianceService
from domain.inspections.service import InspectionClosing, InspectionService
from domain.meetings.service import MeetingService, OversightService
from domain.notifications.service import NotificationService, Notifier
from domain.org.service import OrgService
from domain.references import References
from domain.tasks.service import TaskService
from notifications.texts import TemplateTexts
from schedules.runner import Runner

API_DESCRIPTION = """Oversight of grassroots Party cells: organisation, meetings, inspections,
follow-up tasks and reminders.

- Authenticate with `POST /api/v1/auth/login`, then `Authorization: Bearer <accessToken>`.
  When the reply says `passwordChangeRequired` (a password an administrator set), every
  operation but `POST /api/v1/auth/password`, `POST /api/v1/auth/logout` and `GET /api/v1/me`
  answers 403 `password_change_required` until the password is changed. Failed logins wait
  longer and longer (429 `too_many_login_attempts` with `Retry-After`), never a lockout.
- Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code` and the
  `requestId` of the reply; titles, validation details and field messages in Vietnamese, or
  English with `Accept-Language: en`. Every reply carries `X-Request-Id` (the caller's, when
  sane), `Content-Language` and `Vary: Accept-Language`.
- Any authenticated `POST` may carry `Idempotency-Key` (8-200 of `A-Za-z0-9._:-`): a retry with
  the same key and body returns the first reply (`Idempotent-Replayed: true`); the same key with
  another body answers 422 `idempotency_key_reused`, and while the first is running 409
  `idempotency_request_in_flight` (on SQLite, which writes one request at a time, the retry waits
  for the first and gets its reply). The request's writes and its reply commit together, so a retry
  after a lost reply never runs it twice; error replies (4xx) are replayed too, 429 and 5xx are
  not kept. A key is remembered 7 days (the default), then forgotten.
- Lists: every list answers one page shape, `{items, nextCursor}`; cursor pagination (`limit`
  at most 100, `cursor` = the previous page's `nextCursor`), or, for lists bounded by nature (a
  person's sessions, a meeting's visits …), the whole list with `nextCursor: null`.
- Input: JSON bodies need `Content-Type: application/json` (else 415 `unsupported_media_type`)
  and must be UTF-8 JSON (else 400 `malformed_json`). Times are RFC 3339 with an offset; one
  without is refused (422 `naive_datetime`). Dates and times fall in 2000-2100, membership dates
  in 1930-2100 (422 `date_out_of_range`). No text may hold a NUL character (422 `nul_character`).
- A client-supplied `id` already in use answers 409 `id_conflict`: generate a new one.
- While the database is unavailable, requests answer 503 `database_unavailable` with
  `Retry-After` (seconds).
"""
PUBLIC_PATHS = ["^/health/", "^/api/docs", "^/schema", f"^{FEED_PREFIX}"]


class Services:
    """The providers of the app's dependencies: per-request use cases over shared parts."""

    def __init__(self, settings: Settings, clock: Clock, db: Database) -> None:
        self.settings, self.clock, self.db = settings, clock, db
        self.hasher = Argon2Hasher()
        self.key = settings.secret_key.encode()
        self.org_repo, self.auth_repo = PiccoloOrgRepository(), PiccoloAuthRepository()
        self.meeting_repo = PiccoloMeetingRepository()
        self.inspection_repo = PiccoloInspectionRepository()
        self.task_repo, self.working_days = PiccoloTaskRepository(), PiccoloWorkingDays()
        self.attachment_repo = PiccoloAttachmentRepository()
        self.references = References(self.org_repo, self.attachment_repo)
        self.files = LocalAttachmentStore(Path(settings.upload_dir))
        self.calendar_tokens = PiccoloCalendarTokenRepository()
        self.notification_store = PiccoloNotificationStore()
        # the port the meetings, inspections and tasks services call inside their transactions
        self.notifier = Notifier(self.notification_store, db, clock, TemplateTexts())

    def audit_log(self, request: Request[Any, Any, Any]) -> PiccoloAuditLog:
        return PiccoloAuditLog(self.clock, request.scope.get("state", {}).get("request_id"))

    def org(self, request: Request[Any, Any, Any]) -> OrgService:
        return OrgService(
            self.org_repo,
            self.db,
            self.audit_log(request),
            self.clock,
            self.hasher,
            SessionEnding(self.auth_repo),
            self.settings.password_policy,
        )

    def auth(self, request: Request[Any, Any, Any]) -> AuthService:
        return AuthService(
            self.auth_repo,
            self.db,
            self.audit_log(request),
            self.clock,
            self.hasher,
            self.key,
            self.settings.login_policy,
            timedelta(days=self.settings.refresh_session_days),
            timedelta(seconds=self.settings.refresh_grace_seconds),
            self.settings.password_policy,
        )

    def meetings(self, request: Request[Any, Any, Any]) -> MeetingService:
        return MeetingService(
            self.meeting_repo,
            self.org_repo,
            self.db,
            self.audit_log(request),
            self.clock,
            self.settings.meeting_policy,
            self.settings.checkin_policy,
            self.key,
            self.references,
            open_tasks=self.task_repo,
            notifier=self.notifier,
        )

    def oversight(self, request: Request[Any, Any, Any]) -> OversightService:
        return OversightService(self.meetings(request))

    def inspections(self, request: Request[Any, Any, Any]) -> InspectionService:
        return InspectionService(
            self.inspection_repo,
            self.org_repo,
            self.db,
            self.audit_log(request),
            self.clock,
            self.settings.inspection_policy,
            self.tasks(request),
            self.references,
            self.working_days,
            self.notifier,
        )

    def tasks(self, request: Request[Any, Any, Any]) -> TaskService:
        return TaskService(
            self.task_repo,
            self.org_repo,
            self.db,
            self.audit_log(request),
            self.clock,
            self.working_days,
            self.settings.escalation_policy,
            self.settings.petition_policy,
            self.references,
            self.notifier,
            InspectionClosing(self.inspection_repo, self.audit_log(request), self.clock),
        )

    def attachments(self, request: Request[Any, Any, Any]) -> AttachmentService:
        return AttachmentService(
            self.attachment_repo,
            self.files,
            self.org_repo,
            self.db,
            self.audit_log(request),
            self.clock,
            self.settings.attachment_policy,
        )

    def calendar(self, request: Request[Any, Any, Any]) -> CalendarFeedService:
        return CalendarFeedService(
            self.calendar_tokens,
            self.meeting_repo,
            self.org_repo,
            self.db,
            self.audit_log(request),
            self.clock,
            CalendarPolicy(),
        )

    def notifications(self, request: Request[Any, Any, Any]) -> NotificationService:
        del request
        return NotificationService(self.notification_store, self.db, self.clock)

    def compliance(self, request: Request[Any, Any, Any]) -> ComplianceService:
        del request
        return ComplianceService(
            PiccoloComplianceStore(self.db),
            self.db,
            self.clock,
            self.notifier,
            self.settings.compliance_policy,
            self.settings.meeting_policy,
        )

    def dependencies(self) -> dict[str, Provide]:
        providers = {
            name: getattr(self, name)
            for name in (
                "org",
                "auth",
                "meetings",
                "oversight",
                "inspections",
                "tasks",
                "attachments",
                "calendar",
                "notifications",
                "compliance",
            )
        }
        return {name: Provide(p, sync_to_thread=False) for name, p in providers.items()}


def provide_actor(request: Request[Actor, Any, Any]) -> Actor:
    return request.user


def create_app(
    settings: Settings, *, clock: Clock | None = None, database: Database | None = None
) -> Litestar:
    """Wire the app. A ``database`` passed in is owned by the caller (tests); otherwise the app
    opens its own at start-up and closes it at shutdown."""
    clock = clock or SystemClock()
    owned = database is None
    db = database or Database(settings.database_url, settings.database_timeouts)
    bind(db)
    services = Services(settings, clock, db)
    jwt_auth = make_jwt_auth(settings.secret_key, PUBLIC_PATHS)
    tokens = TokenIssuer(jwt_auth, timedelta(minutes=settings.access_token_minutes))

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        if owned:
            await db.open()
        # embedded mode (SQLite, `chibo serve` without --no-worker): the schedules run here
        runner = Runner(db, settings, clock) if settings.embedded_worker else None
        try:
            if runner is not None:
                await runner.start()
            yield
        finally:
            if runner is not None:
                await runner.stop()
            if owned:
                await db.close()

    app = Litestar(
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
            list_compliance_flags,
            ChecklistTemplateController,
            InspectionPlanController,
            InspectionController,
            InspectionVisitController,
            TaskController,
            PetitionController,
            CalendarDayController,
            MyNotificationsController,
            list_jobs,
        ],
        dependencies={
            **services.dependencies(),
            "actor": Provide(provide_actor, sync_to_thread=False),
            "tokens": Provide(lambda: tokens, sync_to_thread=False),
            "database": Provide(lambda: db, sync_to_thread=False),
        },
        on_app_init=[jwt_auth.on_app_init],
        guards=[temporary_password_guard],
        middleware=[
            options_allow_middleware,
            DefineMiddleware(
                IdempotencyMiddleware,
                database=db,
                store=IdempotencyStore(db, settings.idempotency_key_lifetime),
                clock=clock,
                max_body=settings.max_body_bytes,
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        before_request=StrictInput(),
        lifespan=[lifespan],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="chibo API",
            version="1.0.0",
            description=API_DESCRIPTION,
            path="/api/docs",
            render_plugins=[ScalarRenderPlugin(), ContractJsonPlugin()],
        ),
    )
    # Outside everything Litestar runs (routing, authentication, its exception handling), so that
    # a 401, an unknown route or a 405 carries the request id and the language headers too.
    app.asgi_handler = request_id_middleware(content_language_middleware(app.asgi_handler))
    return app
