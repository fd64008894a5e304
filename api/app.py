"""create_app(...): the HTTP app over the services chibo/bootstrap.py builds."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from litestar import Litestar, Request
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig

from api.attachments.controller import attachment_router
from api.audit.controller import get_audit
from api.auth.controller import AuthController
from api.auth.me import get_me, me_reply
from api.auth.tokens import TokenIssuer
from api.calendar_feed.controller import (
    FEED_PREFIX,
    CalendarTokenController,
    get_calendar_feed,
)
from api.compliance.controller import list_compliance_flags
from api.dialogues.controller import DialogueController, ReceptionDayController
from api.documents.controller import MeetingDocumentController
from api.health import controller as health
from api.http.auth import make_jwt_auth, temporary_password_guard
from api.http.docs_page import docs_assets, scalar_page
from api.http.edge import edge_middleware
from api.http.errors import EXCEPTION_HANDLERS
from api.http.fast_reads import CURSOR, ID, LIMIT, MONTH, FastRead, fast_reads, one_of
from api.http.idempotency import IdempotencyMiddleware
from api.http.metrics import MetricsAccess, Network, metrics_handler, pool_sampling
from api.http.openapi import ContractJsonPlugin
from api.http.options import options_allow_middleware
from api.http.strict import StrictInput
from api.inspections.controller import (
    ChecklistTemplateController,
    InspectionController,
    InspectionPlanController,
)
from api.inspections.visit import InspectionVisitController
from api.jobs.controller import list_jobs
from api.meetings.controller import MeetingController, MeetingRuleController, meetings_page
from api.meetings.oversight import absence_flags, followed_cells
from api.meetings.record import MeetingRecordController
from api.notifications.controller import MyNotificationsController
from api.org.grants import AssignmentController, GrantController
from api.org.memberships import MembershipController
from api.org.people import PersonController, people_page
from api.org.roster import RosterController
from api.org.units import UnitController
from api.petitions.controller import PetitionController
from api.quality.controller import MeetingQualityController, UnitQualityController
from api.reports.controller import (
    LeaderReportController,
    ReportIssueController,
    UnitReportController,
    attention,
)
from api.surveys.controller import SurveyController, create_dialogue_survey
from api.surveys.page import answer_survey_page, survey_page
from api.surveys.schemas import SURVEY_PREFIX
from api.sync.controller import SyncController
from api.sync.cursor import CursorCodec
from api.sync.pull import Puller
from api.sync.push import Pusher
from api.tasks.controller import TaskController, tasks_page
from api.working_days.controller import CalendarDayController
from db.engine import Database
from db.repositories.idempotency import IdempotencyStore
from db.repositories.sync import SyncLog
from domain.actors import Actor
from domain.attachments.service import AttachmentService
from domain.auth.service import AuthService
from domain.calendar_feed.service import CalendarFeedService
from domain.compliance.service import ComplianceService
from domain.dialogues.service import DialogueService
from domain.documents.service import DocumentService
from domain.inspections.service import InspectionService
from domain.meetings.attendance import MeetingAttendanceService
from domain.meetings.lifecycle import MeetingLifecycleService
from domain.meetings.model import MeetingKind, MeetingStatus
from domain.meetings.notice import MeetingNoticeService
from domain.meetings.oversight import OversightService
from domain.meetings.planning import MeetingPlanningService
from domain.meetings.reading import MeetingReadingService
from domain.meetings.record import MeetingRecordService
from domain.notifications.service import NotificationService
from domain.org.service import OrgService
from domain.ports import Clock
from domain.quality.service import QualityService
from domain.reports.filing import ReportFilingService
from domain.reports.service import ReportService
from domain.surveys.service import SurveyService
from domain.tasks.model import Priority, TaskSource, TaskStatus
from domain.tasks.service import TaskService

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
T = TypeVar("T")
PUBLIC_PATHS = ["^/health/", "^/api/docs", "^/schema", f"^{FEED_PREFIX}", f"^{SURVEY_PREFIX}"]


class Services(Protocol):
    """The use cases a request calls, each built for the request's id (its audit entries)."""

    def org(self, request_id: str | None) -> OrgService: ...
    def auth(self, request_id: str | None) -> AuthService: ...
    def meeting_reading(self, request_id: str | None) -> MeetingReadingService: ...
    def meeting_planning(self, request_id: str | None) -> MeetingPlanningService: ...
    def meeting_lifecycle(self, request_id: str | None) -> MeetingLifecycleService: ...
    def meeting_notice(self, request_id: str | None) -> MeetingNoticeService: ...
    def meeting_record(self, request_id: str | None) -> MeetingRecordService: ...
    def meeting_attendance(self, request_id: str | None) -> MeetingAttendanceService: ...
    def oversight(self, request_id: str | None) -> OversightService: ...
    def inspections(self, request_id: str | None) -> InspectionService: ...
    def tasks(self, request_id: str | None) -> TaskService: ...
    def attachments(self, request_id: str | None) -> AttachmentService: ...
    def calendar(self, request_id: str | None) -> CalendarFeedService: ...
    def notifications(self, request_id: str | None) -> NotificationService: ...
    def compliance(self, request_id: str | None) -> ComplianceService: ...
    def quality(self, request_id: str | None) -> QualityService: ...
    def documents(self, request_id: str | None) -> DocumentService: ...
    def dialogues(self, request_id: str | None) -> DialogueService: ...
    def reports(self, request_id: str | None) -> ReportService: ...
    def report_filing(self, request_id: str | None) -> ReportFilingService: ...
    def surveys(self, request_id: str | None) -> SurveyService: ...


class Worker(Protocol):
    """The schedules, when they run inside the API's process (the embedded mode)."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...


def _per_request(build: Callable[[str | None], T]) -> Provide:
    """A use case built for each request, its audit entries carrying the request's id."""

    def provide(request: Request[Any, Any, Any]) -> T:
        return build(request.scope.get("state", {}).get("request_id"))

    return Provide(provide, sync_to_thread=False)


def _dependencies(services: Services) -> dict[str, Provide]:
    return {
        "org": _per_request(services.org),
        "auth": _per_request(services.auth),
        "meeting_reading": _per_request(services.meeting_reading),
        "meeting_planning": _per_request(services.meeting_planning),
        "meeting_lifecycle": _per_request(services.meeting_lifecycle),
        "meeting_notice": _per_request(services.meeting_notice),
        "meeting_record": _per_request(services.meeting_record),
        "meeting_attendance": _per_request(services.meeting_attendance),
        "oversight": _per_request(services.oversight),
        "inspections": _per_request(services.inspections),
        "tasks": _per_request(services.tasks),
        "attachments": _per_request(services.attachments),
        "calendar": _per_request(services.calendar),
        "notifications": _per_request(services.notifications),
        "compliance": _per_request(services.compliance),
        "quality": _per_request(services.quality),
        "documents": _per_request(services.documents),
        "dialogues": _per_request(services.dialogues),
        "reports": _per_request(services.reports),
        "report_filing": _per_request(services.report_filing),
        "surveys": _per_request(services.surveys),
    }


PAGE = {"limit": ("limit", LIMIT), "cursor": ("cursor", CURSOR)}


def _fast_reads(services: Services) -> tuple[FastRead, ...]:
    """The reads a phone sends most, in their usual shapes (api/http/fast_reads.py)."""
    return (
        FastRead("/api/v1/me", services.org, me_reply, with_temporary_password=True),
        FastRead("/api/v1/people", services.org, people_page, {**PAGE, "unitId": ("unit_id", ID)}),
        FastRead(
            "/api/v1/meetings",
            services.meeting_reading,
            meetings_page,
            {
                **PAGE,
                "cellId": ("cell_id", ID),
                "unitId": ("unit_id", ID),
                "month": ("month", MONTH),
                "status": ("status", one_of(MeetingStatus)),
                "kind": ("kind", one_of(MeetingKind)),
            },
        ),
        FastRead(
            "/api/v1/tasks",
            services.tasks,
            tasks_page,
            {
                **PAGE,
                "unitId": ("unit_id", ID),
                "status": ("status", one_of(TaskStatus)),
                "source": ("source", one_of(TaskSource)),
                "priority": ("priority", one_of(Priority)),
            },
        ),
    )


def provide_actor(request: Request[Actor, Any, Any]) -> Actor:
    return request.user


class AppSettings(Protocol):
    """The settings the HTTP app reads (chibo's Settings has them)."""

    @property
    def secret_key(self) -> str: ...
    @property
    def access_token_minutes(self) -> int: ...
    @property
    def attachment_max_bytes(self) -> int: ...
    @property
    def idempotency_key_lifetime(self) -> timedelta: ...
    @property
    def max_body_bytes(self) -> int: ...
    @property
    def metrics_token(self) -> str: ...
    @property
    def metrics_allow(self) -> tuple[Network, ...]: ...


def create_app(
    settings: AppSettings,
    *,
    services: Services,
    database: Database,
    clock: Clock,
    owns_database: bool,
    worker: Worker | None,
    job_names: Sequence[str],
) -> Litestar:
    """The app over these services. An owned ``database`` is opened at start-up and closed at
    shutdown; otherwise the caller (a test) owns it."""
    db = database
    jwt_auth = make_jwt_auth(settings.secret_key, PUBLIC_PATHS)
    tokens = TokenIssuer(jwt_auth, timedelta(minutes=settings.access_token_minutes))
    puller = Puller(db, SyncLog(db), CursorCodec(settings.secret_key), clock)
    pusher = Pusher()

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        if owns_database:
            await db.open()
        try:
            if worker is not None:
                await worker.start()
            async with pool_sampling(db):
                yield
        finally:
            if worker is not None:
                await worker.stop()
            if owns_database:
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
            UnitQualityController,
            MeetingQualityController,
            MeetingDocumentController,
            DialogueController,
            ReceptionDayController,
            SurveyController,
            create_dialogue_survey,
            survey_page,
            answer_survey_page,
            UnitReportController,
            ReportIssueController,
            LeaderReportController,
            attention,
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
            docs_assets(),
            metrics_handler(
                MetricsAccess(settings.metrics_token, settings.metrics_allow), db, clock
            ),
            SyncController,
        ],
        dependencies={
            **_dependencies(services),
            "actor": Provide(provide_actor, sync_to_thread=False),
            "tokens": Provide(lambda: tokens, sync_to_thread=False),
            "database": Provide(lambda: db, sync_to_thread=False),
            "job_names": Provide(lambda: job_names, sync_to_thread=False),
            "sync_puller": Provide(lambda: puller, sync_to_thread=False),
            "sync_pusher": Provide(lambda: pusher, sync_to_thread=False),
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
        logging_config=None,  # chibo/logging_setup.py configures logging for the whole process
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="chibo API",
            version="1.0.0",
            description=API_DESCRIPTION,
            path="/api/docs",
            render_plugins=[scalar_page(), ContractJsonPlugin()],
        ),
    )
    # Outside everything Litestar runs (routing, authentication, its exception handling), so that
    # a 401, an unknown route or a 405 is counted and carries the request id and language too;
    # the fast reads inside it, answering before Litestar's pipeline.
    app.asgi_handler = edge_middleware(
        fast_reads(app.asgi_handler, _fast_reads(services), jwt_auth)
    )
    resolve_dependencies_in_turn(app)
    return app


def resolve_dependencies_in_turn(app: Litestar) -> None:
    """Litestar resolves a handler's independent dependencies concurrently, in an anyio task
    group: two tasks spawned per request for a handler taking ``actor`` and a service, ~0.1 ms
    of CPU and three more turns of the event loop, for providers that are plain functions
    returning at once (every one here is ``sync_to_thread=False``). One at a time instead, in
    the same order of batches. ``dependency_batches`` is Litestar's (2.x) own attribute:
    tests/api/test_dependencies_in_turn.py fails if an upgrade renames it."""
    for route in app.routes:
        for _, kwargs_model in getattr(route, "route_handler_map", {}).values():
            kwargs_model.dependency_batches = [
                {dependency} for batch in kwargs_model.dependency_batches for dependency in batch
            ]
