"""The scheduled jobs: thin calls of domain sweeps that are safe to run twice.

Each job takes what it needs from its JobContext (the services chibo/bootstrap.py builds) and
returns how many things it did. A job says here its kebab-case name, when it runs (from
settings) and whether it runs at a worker's start or on every worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from db.engine import Database
from db.repositories.housekeeping import Cutoffs, PiccoloHousekeeping
from domain.auth.throttle import LoginPolicy
from domain.clock import LOCAL_TZ
from domain.compliance.service import ComplianceService
from domain.meetings.planning import MeetingPlanningService
from domain.notifications.service import NotificationService
from domain.ports import Clock
from domain.reminders.service import ReminderService
from domain.tasks.service import TaskService
from notifications.dispatcher import Dispatcher


class ScheduleSettings(Protocol):
    """The settings the jobs and their schedules read (chibo's Settings has them)."""

    @property
    def planning_hour(self) -> int: ...
    @property
    def device_cleanup_hour(self) -> int: ...
    @property
    def housekeeping_hour(self) -> int: ...
    @property
    def escalation_interval_minutes(self) -> int: ...
    @property
    def compliance_interval_minutes(self) -> int: ...
    @property
    def dispatch_interval_seconds(self) -> int: ...
    @property
    def reminder_interval_seconds(self) -> int: ...
    @property
    def leader_retry_seconds(self) -> int: ...
    @property
    def shutdown_grace_seconds(self) -> int: ...
    @property
    def idempotency_key_lifetime(self) -> timedelta: ...
    @property
    def login_policy(self) -> LoginPolicy: ...
    @property
    def session_retention_days(self) -> int: ...
    @property
    def delivery_retention_days(self) -> int: ...
    @property
    def reminder_retention_days(self) -> int: ...
    @property
    def sync_retention_days(self) -> int: ...


class JobContext(Protocol):
    """What the jobs use, built once by chibo/bootstrap.py."""

    @property
    def settings(self) -> ScheduleSettings: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def database(self) -> Database: ...
    @property
    def housekeeping(self) -> PiccoloHousekeeping: ...

    def meeting_planning(self, request_id: str | None) -> MeetingPlanningService: ...
    def tasks(self, request_id: str | None) -> TaskService: ...
    def notifications(self, request_id: str | None) -> NotificationService: ...
    def compliance(self, request_id: str | None) -> ComplianceService: ...
    def reminders(self) -> ReminderService: ...
    def dispatcher(self) -> Dispatcher: ...
    async def close(self) -> None: ...


Run = Callable[[JobContext], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    run: Run
    trigger: Callable[[ScheduleSettings], BaseTrigger]  # every number from configuration
    # a worker back from downtime catches up at once instead of waiting for the first interval
    run_at_start: bool = False
    # run by every worker, leader or not (see schedules/runner.py)
    every_worker: bool = False


async def plan_meetings(ctx: JobContext) -> int:
    return await ctx.meeting_planning(None).plan_all()


async def escalate_tasks(ctx: JobContext) -> int:
    return await ctx.tasks(None).escalate_overdue()


async def dispatch_outbox(ctx: JobContext) -> int:
    stats = await ctx.dispatcher().drain()
    return stats.claimed


async def send_reminders(ctx: JobContext) -> int:
    """Sweep the reminders that came due (catching up after downtime), then deliver them."""
    stats = await ctx.reminders().run()
    return stats.sent


async def drop_stale_devices(ctx: JobContext) -> int:
    return await ctx.notifications(None).drop_unseen_devices()


async def housekeeping(ctx: JobContext) -> int:
    """Delete what outlived its use, each kind by the age its setting gives (see
    db/repositories/housekeeping.py); returns how many rows went."""
    s, now = ctx.settings, ctx.clock.now()
    swept = await ctx.housekeeping.sweep(
        Cutoffs(
            idempotency_keys=now - s.idempotency_key_lifetime,
            login_attempts=now - s.login_policy.forget_after,
            sessions=now - timedelta(days=s.session_retention_days),
            deliveries=now - timedelta(days=s.delivery_retention_days),
            reminders=now - timedelta(days=s.reminder_retention_days),
            sync_changes=now - timedelta(days=s.sync_retention_days),
            now=now,
        )
    )
    return swept.total


async def raise_compliance_flags(ctx: JobContext) -> int:
    """Make the compliance checks that fell due (catching up after downtime): each flag is raised
    and told once, however often this runs."""
    flags = await ctx.compliance(None).raise_flags()
    return len(flags)


async def raise_dialogue_flags(ctx: JobContext) -> int:
    """The dialogue checks (results late, too few dialogues a year, too few reception days a
    month): each flag is raised once, however often this runs."""
    flags = await ctx.compliance(None).raise_dialogue_flags()
    return len(flags)


def _daily(
    hour: Callable[[ScheduleSettings], int], minute: int
) -> Callable[[ScheduleSettings], BaseTrigger]:
    return lambda s: CronTrigger(hour=hour(s), minute=minute, timezone=LOCAL_TZ)


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "plan-meetings",
            plan_meetings,
            _daily(lambda s: s.planning_hour, 0),
        ),
        Job(
            "escalate-tasks",
            escalate_tasks,
            lambda s: IntervalTrigger(minutes=s.escalation_interval_minutes),
        ),
        Job(
            "dispatch-outbox",
            dispatch_outbox,
            lambda s: IntervalTrigger(seconds=s.dispatch_interval_seconds),
            # outbox claims skip rows another dispatcher holds
            every_worker=True,
        ),
        Job(
            "send-reminders",
            send_reminders,
            lambda s: IntervalTrigger(seconds=s.reminder_interval_seconds),
            run_at_start=True,
        ),
        Job(
            "drop-stale-devices",
            drop_stale_devices,
            _daily(lambda s: s.device_cleanup_hour, 30),
        ),
        Job(
            "housekeeping",
            housekeeping,
            _daily(lambda s: s.housekeeping_hour, 15),
        ),
        Job(
            "raise-compliance-flags",
            raise_compliance_flags,
            lambda s: IntervalTrigger(minutes=s.compliance_interval_minutes),
            run_at_start=True,
        ),
        Job(
            "raise-dialogue-flags",
            raise_dialogue_flags,
            lambda s: IntervalTrigger(minutes=s.compliance_interval_minutes),
        ),
    )
}
