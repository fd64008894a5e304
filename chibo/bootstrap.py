"""The one place that builds the program: every repository once, every service in one method.

A service is made per use (a request, a job run, a command) because its audit log carries who
asked: the request id of an HTTP request, "cli" for a command, None for a scheduled job. Every
collaborator is passed by keyword; none is optional, so the API and the worker run the same use
case with the same parts.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from litestar import Litestar

from api.app import create_app
from chibo.passwords import Argon2Hasher
from chibo.settings import Settings
from db.engine import Database
from db.files import LocalAttachmentStore
from db.migrate import bind
from db.repositories.attachments import PiccoloAttachmentRepository
from db.repositories.audit import PiccoloAuditLog
from db.repositories.auth import PiccoloAuthRepository
from db.repositories.calendar_feed import PiccoloCalendarTokenRepository
from db.repositories.compliance import PiccoloComplianceStore
from db.repositories.dialogues import PiccoloDialogueRepository
from db.repositories.documents import PiccoloDocumentRepository
from db.repositories.housekeeping import PiccoloHousekeeping
from db.repositories.inspections import PiccoloInspectionRepository
from db.repositories.meetings import PiccoloMeetingRepository
from db.repositories.notifications import PiccoloNotificationStore, PiccoloOutbox
from db.repositories.org import PiccoloOrgRepository
from db.repositories.quality import PiccoloQualityRepository
from db.repositories.reminders import PiccoloReminderStore
from db.repositories.reports import PiccoloReportRepository
from db.repositories.surveys import PiccoloSurveyRepository
from db.repositories.tasks import PiccoloTaskRepository
from db.seed_demo import DemoServices
from db.working_days import PiccoloWorkingDays
from domain.attachments.service import AttachmentService
from domain.auth.service import AuthService, SessionEnding
from domain.calendar_feed.model import CalendarPolicy
from domain.calendar_feed.service import CalendarFeedService
from domain.clock import SystemClock
from domain.compliance.service import ComplianceService
from domain.dialogues.service import DialogueService
from domain.documents.service import DocumentService
from domain.inspections.service import InspectionClosing, InspectionService
from domain.meetings.access import MeetingParts
from domain.meetings.attendance import MeetingAttendanceService
from domain.meetings.lifecycle import MeetingLifecycleService
from domain.meetings.notice import MeetingNoticeService
from domain.meetings.oversight import OversightService
from domain.meetings.planning import MeetingPlanningService
from domain.meetings.reading import MeetingReadingService
from domain.meetings.record import MeetingRecordService
from domain.notifications.service import NotificationService, Notifier
from domain.org.service import OrgService
from domain.ports import Clock
from domain.quality.service import QualityService
from domain.references import References
from domain.reminders.service import ReminderService
from domain.reports.filing import ReportFilingService
from domain.reports.service import ReportService
from domain.surveys.service import SurveyOpener, SurveyService
from domain.tasks.service import TaskService
from notifications.dispatcher import Dispatcher
from notifications.senders.base import Sender
from notifications.senders.console import ConsoleSender
from notifications.texts import TemplateTexts
from schedules.jobs import JOBS
from schedules.runner import Runner


class Container:
    """The shared parts over one database, and a method per service that builds it."""

    def __init__(self, settings: Settings, clock: Clock, database: Database) -> None:
        self.settings, self.clock, self.database = settings, clock, database
        self.hasher = Argon2Hasher()
        self.key = settings.secret_key.encode()
        self.org_repo, self.auth_repo = PiccoloOrgRepository(), PiccoloAuthRepository()
        self.meeting_repo = PiccoloMeetingRepository()
        self.inspection_repo = PiccoloInspectionRepository()
        self.task_repo, self.working_days = PiccoloTaskRepository(), PiccoloWorkingDays()
        self.attachment_repo = PiccoloAttachmentRepository()
        self.quality_repo, self.document_repo = (
            PiccoloQualityRepository(),
            PiccoloDocumentRepository(),
        )
        self.dialogue_repo = PiccoloDialogueRepository()
        self.report_repo = PiccoloReportRepository()
        self.survey_repo = PiccoloSurveyRepository()
        self.references = References(self.org_repo, self.attachment_repo)
        self.files = LocalAttachmentStore(Path(settings.upload_dir))
        self.calendar_tokens = PiccoloCalendarTokenRepository()
        self.notification_store = PiccoloNotificationStore()
        self.compliance_store = PiccoloComplianceStore(database)
        self.reminder_store = PiccoloReminderStore(database)
        self.outbox = PiccoloOutbox(database)
        self.housekeeping = PiccoloHousekeeping(database)
        # the port the meetings, inspections and tasks services call inside their transactions
        self.notifier = Notifier(self.notification_store, database, clock, TemplateTexts())
        self.sender: Sender | None = None  # made on the first dispatch, closed by close()

    def audit_log(self, request_id: str | None) -> PiccoloAuditLog:
        return PiccoloAuditLog(self.clock, request_id)

    def org(self, request_id: str | None) -> OrgService:
        return OrgService(
            repo=self.org_repo,
            uow=self.database,
            audit=self.audit_log(request_id),
            clock=self.clock,
            hasher=self.hasher,
            sessions=SessionEnding(self.auth_repo),
            passwords=self.settings.password_policy,
        )

    def auth(self, request_id: str | None) -> AuthService:
        return AuthService(
            repo=self.auth_repo,
            uow=self.database,
            audit=self.audit_log(request_id),
            clock=self.clock,
            hasher=self.hasher,
            key=self.key,
            throttle=self.settings.login_policy,
            session_lifetime=timedelta(days=self.settings.refresh_session_days),
            refresh_grace=timedelta(seconds=self.settings.refresh_grace_seconds),
            passwords=self.settings.password_policy,
        )

    def _meeting_parts(self, request_id: str | None) -> MeetingParts:
        return MeetingParts(
            repo=self.meeting_repo,
            org=self.org_repo,
            uow=self.database,
            audit=self.audit_log(request_id),
            clock=self.clock,
            policy=self.settings.meeting_policy,
        )

    def meeting_reading(self, request_id: str | None) -> MeetingReadingService:
        return MeetingReadingService(**self._meeting_parts(request_id))

    def meeting_planning(self, request_id: str | None) -> MeetingPlanningService:
        return MeetingPlanningService(
            **self._meeting_parts(request_id), notice=self.meeting_notice(request_id)
        )

    def meeting_lifecycle(self, request_id: str | None) -> MeetingLifecycleService:
        return MeetingLifecycleService(**self._meeting_parts(request_id))

    def meeting_notice(self, request_id: str | None) -> MeetingNoticeService:
        return MeetingNoticeService(
            **self._meeting_parts(request_id),
            references=self.references,
            open_tasks=self.task_repo,
            notifier=self.notifier,
        )

    def meeting_record(self, request_id: str | None) -> MeetingRecordService:
        return MeetingRecordService(**self._meeting_parts(request_id))

    def meeting_attendance(self, request_id: str | None) -> MeetingAttendanceService:
        return MeetingAttendanceService(
            **self._meeting_parts(request_id),
            checkin_policy=self.settings.checkin_policy,
            key=self.key,
        )

    def oversight(self, request_id: str | None) -> OversightService:
        return OversightService(self.meeting_reading(request_id))

    def quality(self, request_id: str | None) -> QualityService:
        return QualityService(repo=self.quality_repo, meetings=self.meeting_reading(request_id))

    def documents(self, request_id: str | None) -> DocumentService:
        return DocumentService(
            repo=self.document_repo,
            quality=self.quality_repo,
            meetings=self.meeting_reading(request_id),
            policy=self.settings.document_policy,
        )

    def dialogues(self, request_id: str | None) -> DialogueService:
        return DialogueService(
            repo=self.dialogue_repo,
            org=self.org_repo,
            uow=self.database,
            audit=self.audit_log(request_id),
            clock=self.clock,
            references=self.references,
            notifier=self.notifier,
            tasks=self.tasks(request_id),
            policy=self.settings.dialogue_policy,
            document_policy=self.settings.document_policy,
        )

    def demo(self, request_id: str | None) -> DemoServices:
        """The use cases the demo seed writes through."""
        return DemoServices(
            org=self.org(request_id),
            planning=self.meeting_planning(request_id),
            lifecycle=self.meeting_lifecycle(request_id),
            record=self.meeting_record(request_id),
            attendance=self.meeting_attendance(request_id),
            documents=self.documents(request_id),
            quality=self.quality(request_id),
            dialogues=self.dialogues(request_id),
            surveys=self.surveys(request_id),
        )

    def inspections(self, request_id: str | None) -> InspectionService:
        return InspectionService(
            repo=self.inspection_repo,
            org=self.org_repo,
            uow=self.database,
            audit=self.audit_log(request_id),
            clock=self.clock,
            policy=self.settings.inspection_policy,
            follow_ups=self.tasks(request_id),
            references=self.references,
            working_days=self.working_days,
            notifier=self.notifier,
        )

    def tasks(self, request_id: str | None) -> TaskService:
        audit = self.audit_log(request_id)
        return TaskService(
            repo=self.task_repo,
            org=self.org_repo,
            uow=self.database,
            audit=audit,
            clock=self.clock,
            working_days=self.working_days,
            escalation=self.settings.escalation_policy,
            petitions=self.settings.petition_policy,
            references=self.references,
            notifier=self.notifier,
            sources=InspectionClosing(self.inspection_repo, audit, self.clock),
            contacts=SurveyOpener(self.survey_repo, self.clock, self.settings.survey_policy),
        )

    def surveys(self, request_id: str | None) -> SurveyService:
        return SurveyService(
            repo=self.survey_repo,
            org=self.org_repo,
            dialogues=self.dialogue_repo,
            task_repo=self.task_repo,
            tasks=self.tasks(request_id),
            uow=self.database,
            audit=self.audit_log(request_id),
            clock=self.clock,
            notifier=self.notifier,
            policy=self.settings.survey_policy,
        )

    def attachments(self, request_id: str | None) -> AttachmentService:
        return AttachmentService(
            repo=self.attachment_repo,
            store=self.files,
            org=self.org_repo,
            uow=self.database,
            audit=self.audit_log(request_id),
            clock=self.clock,
            policy=self.settings.attachment_policy,
        )

    def calendar(self, request_id: str | None) -> CalendarFeedService:
        return CalendarFeedService(
            tokens=self.calendar_tokens,
            meetings=self.meeting_repo,
            org=self.org_repo,
            uow=self.database,
            audit=self.audit_log(request_id),
            clock=self.clock,
            policy=CalendarPolicy(),
        )

    def notifications(self, request_id: str | None) -> NotificationService:
        del request_id  # writes no audit entries
        return NotificationService(self.notification_store, self.database, self.clock)

    def reports(self, request_id: str | None) -> ReportService:
        del request_id  # reads only
        return ReportService(
            repo=self.report_repo,
            org=self.org_repo,
            uow=self.database,
            clock=self.clock,
            meeting_policy=self.settings.meeting_policy,
            compliance_policy=self.settings.compliance_policy,
            document_policy=self.settings.document_policy,
            reminder_policy=self.settings.reminder_policy,
        )

    def report_filing(self, request_id: str | None) -> ReportFilingService:
        return ReportFilingService(self.reports(request_id), self.document_repo)

    def compliance(self, request_id: str | None) -> ComplianceService:
        del request_id  # writes no audit entries
        return ComplianceService(
            store=self.compliance_store,
            uow=self.database,
            clock=self.clock,
            notifier=self.notifier,
            policy=self.settings.compliance_policy,
            meeting_policy=self.settings.meeting_policy,
            dialogue_policy=self.settings.dialogue_policy,
        )

    def reminders(self) -> ReminderService:
        return ReminderService(
            store=self.reminder_store,
            uow=self.database,
            clock=self.clock,
            notifier=self.notifier,
            policy=self.settings.reminder_policy,
        )

    def dispatcher(self) -> Dispatcher:
        lease = timedelta(seconds=self.settings.push_lease_seconds)
        return Dispatcher(self.outbox, self.push_sender(), self.clock, lease=lease)

    def push_sender(self) -> Sender:
        if self.sender is None:
            if self.settings.push_sender == "fcm":
                from notifications.senders.fcm import FcmSender  # noqa: PLC0415

                self.sender = FcmSender.from_service_account(self.settings.fcm_credentials)
            else:
                self.sender = ConsoleSender()
        return self.sender

    async def close(self) -> None:
        if self.sender is not None:
            await self.sender.close()
            self.sender = None

    def runner(self, *, retry_seconds: float | None = None) -> Runner:
        return Runner(self, jobs=tuple(JOBS.values()), retry_seconds=retry_seconds)


def build_app(
    settings: Settings, *, clock: Clock | None = None, database: Database | None = None
) -> Litestar:
    """The HTTP app. A ``database`` passed in is owned by the caller (tests); otherwise the app
    opens its own at start-up and closes it at shutdown. In the embedded mode (SQLite, `chibo
    serve` without --no-worker) the schedules run inside the app's process."""
    db = database or Database(settings.database_url, settings.database_timeouts)
    bind(db)
    container = Container(settings, clock or SystemClock(), db)
    return create_app(
        settings,
        services=container,
        database=db,
        clock=container.clock,
        owns_database=database is None,
        worker=container.runner() if settings.embedded_worker else None,
        job_names=tuple(JOBS),
    )
