"""The meeting notice: agenda (with the review items carried forward) and papers, announced to
the cell's members and the leaders following it."""

from __future__ import annotations

from typing import Unpack
from uuid import UUID

from domain.actors import Actor
from domain.attachments.model import Paper
from domain.meetings.access import MeetingParts, MeetingUseCases, audit_state
from domain.meetings.model import AgendaItem, AgendaKind, Meeting, meeting_day
from domain.meetings.ports import OpenTasks
from domain.notifications.model import Category
from domain.notifications.service import Message, Notifier
from domain.org.ports import AssignmentFilter
from domain.pagination import MAX_PAGE_SIZE, PageRequest
from domain.references import References


class MeetingNoticeService(MeetingUseCases):
    def __init__(
        self,
        *,
        references: References,
        open_tasks: OpenTasks,
        notifier: Notifier,
        **parts: Unpack[MeetingParts],
    ) -> None:
        super().__init__(**parts)
        self.references = references
        self.open_tasks = open_tasks
        self.notifier = notifier

    async def publish_notice(
        self,
        actor: Actor,
        meeting_id: UUID,
        version: int | None,
        agenda: list[AgendaItem],
        paper_ids: list[UUID] | None = None,
    ) -> Meeting:
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            before = audit_state(meeting)
            papers = [
                Paper.of(a)
                for a in await self.references.attachments_for(
                    actor, paper_ids or (), meeting.cell_path
                )
            ]
            agenda = agenda + await self._carried_forward(meeting, agenda)
            meeting.publish_notice(agenda, self.clock.now(), papers)
            saved = await self._save(actor, "meeting.notice", meeting, before, rows=False)
            await self.announce(meeting)
            return saved

    async def announce(self, meeting: Meeting) -> None:
        """The notice reaches the cell's members and the leaders following it."""
        cell = await self.org.get_unit(meeting.cell_id)
        members = [
            p
            for p, _, _, exempt in await self.repo.roster_on(meeting.cell_id, meeting_day(meeting))
            if not exempt
        ]
        followers = await self.org.list_assignments(
            (meeting.cell_path,), AssignmentFilter(live=True), PageRequest(limit=MAX_PAGE_SIZE)
        )
        await self.notifier.notify(
            [*members, *(a.leader_id for a in followers.items)],
            Category.MEETING,
            f"meeting:{meeting.id}",
            Message(
                template="meeting_published",
                params={
                    "cell": cell.name if cell else "",
                    "start": meeting.planned_start,
                    "place": meeting.place or "—",
                },
            ),
            digestible=True,  # for a leader who takes scope news in the daily digest
            data={"meetingId": str(meeting.id)},
        )

    async def _carried_forward(
        self, meeting: Meeting, agenda: list[AgendaItem]
    ) -> list[AgendaItem]:
        """Review items added to every notice: the cell's open tasks and the resolutions of
        its previous meeting (those the secretary did not already put on the agenda)."""
        review = [
            AgendaItem(f"Kiểm điểm việc: {title}", AgendaKind.REVIEW, 5, None, task_id)
            for task_id, title in await self.open_tasks.open_tasks_of(meeting.cell_id)
        ]
        previous = await self.repo.previous_meeting(meeting.cell_id, meeting.planned_start)
        if previous is not None:
            review += [
                AgendaItem(f"Kiểm điểm nghị quyết: {r.text[:200]}", AgendaKind.REVIEW, 5)
                for r in previous.resolutions
            ]
        present = {(a.task_id, a.title) for a in agenda}
        return [a for a in review if (a.task_id, a.title) not in present]
