"""Reading meetings within the caller's scope: a page with tallies and visits, the caller's
upcoming ones, one meeting with its sheet."""

from __future__ import annotations

from uuid import UUID

from domain.actors import Actor, Permission
from domain.meetings.access import MeetingUseCases
from domain.meetings.model import Meeting, MeetingOverview
from domain.meetings.ports import MeetingFilter
from domain.pagination import Page, PageRequest


class MeetingReadingService(MeetingUseCases):
    async def list_meetings(
        self, actor: Actor, where: MeetingFilter, page: PageRequest
    ) -> Page[MeetingOverview]:
        """A page of meetings with their attendance tallies and leaders' visits, in one query."""
        found = await self.repo.overviews(actor.scopes(Permission.VIEW_UNIT), where, page)
        return actor.page_within(where.within_unit_id, found)

    async def upcoming(self, actor: Actor, page: PageRequest) -> Page[Meeting]:
        return await self.repo.upcoming_for(
            actor.person_id, actor.scopes(Permission.VISIT_MEETINGS), self.clock.now(), page
        )

    async def sheet(self, actor: Actor, meeting_id: UUID) -> Meeting:
        """The whole meeting: its sheet and, once final, the amendments of its minutes."""
        meeting = await self.meeting(actor, meeting_id)
        await self._ensure_sheet(meeting)
        await self._load_amendments(meeting)
        return meeting
