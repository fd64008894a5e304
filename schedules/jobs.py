"""The scheduled jobs: thin calls of domain sweeps that are safe to run twice.

Each job builds what it needs from a JobContext and returns how many things it did. Names are
kebab-case; the schedule of each lives in schedules/runner.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from api.settings import Settings
from db.engine import Database
from db.repositories.attachments import PiccoloAttachmentRepository
from db.repositories.audit import PiccoloAuditLog
from db.repositories.compliance import PiccoloComplianceStore
from db.repositories.housekeeping import Cutoffs, PiccoloHousekeeping
from db.repositories.meetings import PiccoloMeetingRepository
from db.repositories.notifications import PiccoloNotificationStore, PiccoloOutbox
from db.repositories.org import PiccoloOrgRepository
from db.repositories.reminders import PiccoloReminderStore
from db.repositories.tasks import PiccoloTaskRepository
from db.working_days import PiccoloWorkingDays
from domain.clock import Clock
from domain.compliance.service import ComplianceService
from domain.meetings.service import MeetingService
from domain.notifications.service import NotificationService, Notifier
from domain.references import References
from domain.reminders.service import ReminderService
from domain.tasks.service import TaskService
from notifications.dispatcher import Dispatcher
from notifications.senders.base import Sender
from notifications.senders.console import ConsoleSender
from notifications.texts import TemplateTexts


@dataclass(slots=True)
class JobContext:
    database: Database
    clock: Clock
    settings: Settings
    sender: Sender | None = field(default=None)  # made on first dispatch, closed by the runner

    def notifier(self) -> Notifier:
        return Notifier(PiccoloNotificationStore(), self.database, self.clock, TemplateTexts())

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


Job = Callable[[JobContext], Awaitable[int]]


async def plan_meetings(ctx: JobContext) -> int:
    s = ctx.settings
    return await MeetingService(
        PiccoloMeetingRepository(),
        PiccoloOrgRepository(),
        ctx.database,
        PiccoloAuditLog(ctx.clock, None),
        ctx.clock,
        s.meeting_policy,
        s.checkin_policy,
        s.secret_key.encode(),
        References(PiccoloOrgRepository(), PiccoloAttachmentRepository()),
        notifier=ctx.notifier(),
    ).plan_all()


async def escalate_tasks(ctx: JobContext) -> int:
    s = ctx.settings
    return await TaskService(
        PiccoloTaskRepository(),
        PiccoloOrgRepository(),
        ctx.database,
        PiccoloAuditLog(ctx.clock, None),
        ctx.clock,
        PiccoloWorkingDays(),
        s.escalation_policy,
        s.petition_policy,
        References(PiccoloOrgRepository(), PiccoloAttachmentRepository()),
        ctx.notifier(),
    ).escalate_overdue()


async def dispatch_outbox(ctx: JobContext) -> int:
    lease = timedelta(seconds=ctx.settings.push_lease_seconds)
    outbox = PiccoloOutbox(ctx.database)
    stats = await Dispatcher(outbox, ctx.push_sender(), ctx.clock, lease=lease).drain()
    return stats.claimed


async def send_reminders(ctx: JobContext) -> int:
    """Sweep the reminders that came due (catching up after downtime), then deliver them."""
    stats = await ReminderService(
        PiccoloReminderStore(ctx.database),
        ctx.database,
        ctx.clock,
        ctx.notifier(),
        ctx.settings.reminder_policy,
    ).run()
    return stats.sent


async def drop_stale_devices(ctx: JobContext) -> int:
    service = NotificationService(PiccoloNotificationStore(), ctx.database, ctx.clock)
    return await service.drop_unseen_devices()


async def housekeeping(ctx: JobContext) -> int:
    """Delete what outlived its use, each kind by the age its setting gives (see
    db/repositories/housekeeping.py); returns how many rows went."""
    s, now = ctx.settings, ctx.clock.now()
    swept = await PiccoloHousekeeping(ctx.database).sweep(
        Cutoffs(
            idempotency_keys=now - s.idempotency_key_lifetime,
            login_attempts=now - s.login_policy.forget_after,
            sessions=now - timedelta(days=s.session_retention_days),
            deliveries=now - timedelta(days=s.delivery_retention_days),
            reminders=now - timedelta(days=s.reminder_retention_days),
        )
    )
    return swept.total


async def raise_compliance_flags(ctx: JobContext) -> int:
    """Make the compliance checks that fell due (catching up after downtime): each flag is raised
    and told once, however often this runs."""
    s = ctx.settings
    flags = await ComplianceService(
        PiccoloComplianceStore(ctx.database),
        ctx.database,
        ctx.clock,
        ctx.notifier(),
        s.compliance_policy,
        s.meeting_policy,
    ).raise_flags()
    return len(flags)


JOBS: dict[str, Job] = {
    "plan-meetings": plan_meetings,
    "escalate-tasks": escalate_tasks,
    "dispatch-outbox": dispatch_outbox,
    "send-reminders": send_reminders,
    "drop-stale-devices": drop_stale_devices,
    "housekeeping": housekeeping,
    "raise-compliance-flags": raise_compliance_flags,
}
