"""The reminder use cases a worker runs: ``sweep`` inserts the rows that came due, ``deliver``
turns pending rows into notifications. Each batch of ``deliver`` is one transaction: a row is
marked sent together with the inbox rows and pushes it caused, so a crash sends nothing twice
and loses nothing (the row stays pending and the next run takes it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.clock import LOCAL_TZ
from domain.inspections.model import InspectionKind, InspectionStatus
from domain.meetings.model import MeetingStatus
from domain.notifications.model import Category
from domain.notifications.service import Message, Notice, Notifier
from domain.ports import Clock, UnitOfWork
from domain.reminders.model import (
    ReminderKind,
    ReminderPolicy,
    ReminderStatus,
    fire_window,
    moment_occurrence,
    plan_sweeps,
)
from domain.reminders.ports import (
    DigestFacts,
    Due,
    InspectionFacts,
    MeetingFacts,
    PetitionFacts,
    ReminderStore,
    TaskFacts,
)
from domain.tasks.model import TaskStatus

K = ReminderKind
MEETING_KINDS = frozenset(
    {K.MEETING_DAY_BEFORE, K.MEETING_SOON, K.MINUTES_FIRST_NAG, K.MINUTES_SECOND_NAG}
)
INSPECTION_KINDS = frozenset({K.INSPECTION_DAY_BEFORE, K.INSPECTION_REVEAL})
TASK_KINDS = frozenset({K.TASK_DUE_FIRST, K.TASK_DUE_SECOND, K.TASK_DUE_TODAY, K.TASK_OVERDUE})
PETITION_KINDS = frozenset({K.PETITION_REPLY_SOON, K.PETITION_REPLY_OVERDUE})
LIVE_TASK = frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS})
UNFINISHED_MEETING = frozenset({MeetingStatus.PLANNED, MeetingStatus.HELD})
BATCH = 200


@dataclass(frozen=True, slots=True)
class ReminderStats:
    inserted: int = 0
    sent: int = 0
    skipped: int = 0
    dropped: int = 0
    people: int = 0


def meeting_notice(due: Due, meeting: MeetingFacts) -> Notice | None:
    subject, data = f"meeting:{meeting.id}", {"meetingId": str(meeting.id)}
    if due.kind in {K.MINUTES_FIRST_NAG, K.MINUTES_SECOND_NAG}:
        if meeting.status not in UNFINISHED_MEETING:
            return None
        day = meeting.planned_start.astimezone(LOCAL_TZ).date()
        message = Message(template="minutes_nag", params={"cell": meeting.cell_name, "day": day})
        return Notice(meeting.secretaries, Category.MEETING, subject, message, data=data)
    if (
        meeting.status is not MeetingStatus.PLANNED
        or moment_occurrence(meeting.planned_start) != due.occurrence
    ):
        return None
    message = Message(
        template="meeting_reminder",
        params={"cell": meeting.cell_name, "start": meeting.planned_start},
    )
    return Notice(
        meeting.audience, Category.MEETING, subject, message, data=data, until=meeting.planned_start
    )


def inspection_notice(due: Due, inspection: InspectionFacts) -> Notice | None:
    """The team hears the day before; a surprise inspection's unit hears only once it starts
    (and not at all from here when the lead's early check-in already revealed it)."""
    if moment_occurrence(inspection.window_start) != due.occurrence:
        return None
    subject, data = f"inspection:{inspection.id}", {"inspectionId": str(inspection.id)}
    params = {"unit": inspection.unit_name, "start": inspection.window_start}
    if due.kind is K.INSPECTION_DAY_BEFORE:
        if inspection.status is not InspectionStatus.PLANNED:
            return None
        message = Message(template="inspection_reminder", params=params)
        return Notice(
            inspection.team,
            Category.INSPECTION,
            subject,
            message,
            data=data,
            until=inspection.window_start,
        )
    checked_in = inspection.lead_checked_in_at
    if (
        inspection.kind is not InspectionKind.SURPRISE
        or inspection.status not in {InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS}
        or (checked_in is not None and checked_in < inspection.window_start)
    ):
        return None
    message = Message(template="inspection_revealed", params=params)
    return Notice(inspection.heads, Category.INSPECTION, subject, message, data=data)


def task_notice(due: Due, task: TaskFacts, policy: ReminderPolicy) -> Notice | None:
    day = date.fromisoformat(due.occurrence)
    offsets = {
        K.TASK_DUE_FIRST: policy.task_first_days,
        K.TASK_DUE_SECOND: policy.task_second_days,
        K.TASK_DUE_TODAY: 0,
    }
    if task.status not in LIVE_TASK:
        return None
    if due.kind is K.TASK_OVERDUE:
        if task.due_on >= day:
            return None
        template = "task_overdue"
    else:
        if task.due_on != day + timedelta(days=offsets[due.kind]):
            return None
        template = "task_due_today" if due.kind is K.TASK_DUE_TODAY else "task_due_soon"
    message = Message(template=template, params={"title": task.title, "due": task.due_on})
    return Notice(
        (task.assignee,), Category.TASK, f"task:{task.id}", message, data={"taskId": str(task.id)}
    )


def petition_notice(due: Due, petition: PetitionFacts, policy: ReminderPolicy) -> Notice | None:
    """To the assignee of the petition's task; the text names the petition's category only."""
    day = date.fromisoformat(due.occurrence)
    if petition.answered or petition.task_status is TaskStatus.CLOSED:
        return None
    if due.kind is K.PETITION_REPLY_SOON:
        if petition.reply_due_on != day + timedelta(days=policy.petition_days):
            return None
        template = "petition_reply_soon"
    else:
        if petition.reply_due_on >= day:
            return None
        template = "petition_reply_overdue"
    message = Message(
        template=template, params={"category": petition.category, "due": petition.reply_due_on}
    )
    return Notice(
        (petition.assignee,),
        Category.TASK,
        f"task:{petition.task_id}",
        message,
        data={"taskId": str(petition.task_id), "petitionId": str(petition.id)},
    )


def digest_notice(due: Due, digest: DigestFacts) -> Notice | None:
    """The leader's morning summary; nothing for someone who no longer leads a unit."""
    if not digest.scopes:
        return None
    day = date.fromisoformat(due.occurrence)
    message = Message(
        template="daily_digest",
        params={
            "day": day,
            "unread": digest.unread,
            "meetings": digest.meetings,
            "inspections": digest.inspections,
            "tasks": digest.overdue_tasks,
        },
    )
    return Notice((digest.person_id,), Category.DIGEST, f"digest:{due.occurrence}", message)


class ReminderService:
    def __init__(
        self,
        store: ReminderStore,
        uow: UnitOfWork,
        clock: Clock,
        notifier: Notifier,
        policy: ReminderPolicy,
    ) -> None:
        self.store, self.uow, self.clock = store, uow, clock
        self.notifier, self.policy = notifier, policy

    async def sweep(self) -> int:
        """Insert every reminder that came due in the catch-up window; safe to run twice."""
        now = self.clock.now()
        since = now - timedelta(hours=self.policy.catch_up_hours)
        async with self.uow.atomic():
            return await self.store.enqueue(plan_sweeps(self.policy, since, now), now)

    async def run(self) -> ReminderStats:
        """What the scheduled job does: sweep, then deliver."""
        inserted = await self.sweep()
        delivered = await self.deliver()
        return ReminderStats(
            inserted, delivered.sent, delivered.skipped, delivered.dropped, delivered.people
        )

    async def deliver(self, batch: int = BATCH) -> ReminderStats:
        """Pending rows in batches, each batch one transaction, until none is left."""
        sent = skipped = dropped = people = 0
        while True:
            async with self.uow.atomic():
                claimed = await self.store.claim(batch)
                outcomes, notices = await self._decide(claimed, self.clock.now())
                told = await self.notifier.notify_many([n for n in notices if n is not None])
                await self.store.settle(
                    [(due.id, status) for due, status in zip(claimed, outcomes, strict=True)],
                    self.clock.now(),
                )
            sent += outcomes.count(ReminderStatus.SENT)
            skipped += outcomes.count(ReminderStatus.SKIPPED)
            dropped += outcomes.count(ReminderStatus.DROPPED)
            people += len(told)
            if len(claimed) < batch:
                return ReminderStats(0, sent, skipped, dropped, people)

    async def _decide(
        self, claimed: list[Due], now: datetime
    ) -> tuple[list[ReminderStatus], list[Notice | None]]:
        def subjects(kinds: frozenset[ReminderKind]) -> set[UUID]:
            return {d.subject for d in claimed if d.kind in kinds}

        meetings = await self.store.meetings(subjects(MEETING_KINDS))
        inspections = await self.store.inspections(subjects(INSPECTION_KINDS))
        tasks = await self.store.tasks(subjects(TASK_KINDS))
        petitions = await self.store.petitions(subjects(PETITION_KINDS))
        statuses: list[ReminderStatus] = []
        notices: list[Notice | None] = []
        for due in claimed:
            notice, end = None, None
            if due.kind in MEETING_KINDS and (m := meetings.get(due.subject)):
                notice = meeting_notice(due, m)
            elif due.kind in INSPECTION_KINDS and (i := inspections.get(due.subject)):
                notice, end = inspection_notice(due, i), i.window_end
            elif due.kind in TASK_KINDS and (t := tasks.get(due.subject)):
                notice = task_notice(due, t, self.policy)
            elif due.kind in PETITION_KINDS and (p := petitions.get(due.subject)):
                notice = petition_notice(due, p, self.policy)
            elif due.kind is K.DAILY_DIGEST:
                day = date.fromisoformat(due.occurrence)
                notice = digest_notice(due, await self.store.digest(due.subject, day))
            _, stale = fire_window(due.kind, due.occurrence, self.policy, end)
            if notice is None:
                statuses.append(ReminderStatus.DROPPED)
            elif now >= stale:
                statuses.append(ReminderStatus.SKIPPED)
                notice = None
            else:
                statuses.append(ReminderStatus.SENT)
            notices.append(notice)
        return statuses, notices
