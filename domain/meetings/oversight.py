"""What leaders read: the cells they follow with their quota, members to review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.actors import Actor, Permission
from domain.clock import LOCAL_TZ, local_midnight
from domain.errors import NotFoundError
from domain.meetings.model import Meeting, review_flags, unexcused_months
from domain.meetings.quota import QuotaProgress, period_of, progress
from domain.meetings.reading import MeetingReadingService
from domain.org.model import LeaderAssignment
from domain.pagination import MAX_PAGE_SIZE, PageRequest


@dataclass(frozen=True, slots=True)
class FollowedCell:
    assignment: LeaderAssignment
    cell_name: str
    progress: QuotaProgress
    upcoming: list[Meeting]


@dataclass(frozen=True, slots=True)
class ReviewFlag:
    person_id: UUID
    full_name: str
    months: list[int]


class OversightService:
    def __init__(self, meetings: MeetingReadingService) -> None:
        self.meetings = meetings

    async def followed(self, actor: Actor) -> list[FollowedCell]:
        repo, org = self.meetings.repo, self.meetings.org
        now = self.meetings.clock.now()
        today = now.astimezone(LOCAL_TZ).date()
        upcoming = (await self.meetings.upcoming(actor, PageRequest(limit=MAX_PAGE_SIZE))).items
        assignments = [
            a
            for a in await org.live_assignments_of(actor.person_id)
            if actor.may(Permission.VISIT_MEETINGS, a.cell_path)
        ]
        names = {u.id: u.name for u in await org.units_by_ids({a.cell_id for a in assignments})}
        result = []
        for assignment in assignments:
            start, end = period_of(today, assignment.period)
            attended = await repo.counted_visits(
                actor.person_id, assignment.cell_id, local_midnight(start), local_midnight(end)
            )
            result.append(
                FollowedCell(
                    assignment=assignment,
                    cell_name=names.get(assignment.cell_id, ""),
                    progress=progress(assignment.quota, assignment.period, attended, today),
                    upcoming=[m for m in upcoming if m.cell_id == assignment.cell_id][:3],
                )
            )
        return result

    async def review_flags(self, actor: Actor, cell_id: UUID, year: int) -> list[ReviewFlag]:
        """Members with unexcused absences in N months of ``year`` (N from the policy)."""
        cell = await self.meetings.org.get_unit(cell_id)
        if cell is None:
            raise NotFoundError("unit_not_found")
        actor.require_visible(Permission.VIEW_UNIT, cell.path, "unit_not_found")
        actor.require(Permission.VIEW_PEOPLE, cell.path, "absence_flags_forbidden")
        since = datetime(year, 1, 1, tzinfo=LOCAL_TZ)
        until = datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ)
        rows = await self.meetings.repo.unexcused_absences(cell_id, since, until)
        names = {person: name for person, name, _ in rows}
        months = unexcused_months(((person, at) for person, _, at in rows), year)
        flagged = review_flags(((p, at) for p, _, at in rows), year, self.meetings.policy)
        return [
            ReviewFlag(person, names[person], sorted(months[person]))
            for person in sorted(flagged, key=lambda p: names[p])
        ]
