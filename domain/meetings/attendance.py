"""Check-in by the code on the secretary's phone, and leaders' visits confirmed by both sides."""

from __future__ import annotations

from typing import Unpack
from uuid import UUID

from domain.actors import Actor, Permission
from domain.errors import RuleViolationError
from domain.meetings import checkin
from domain.meetings.access import MeetingParts, MeetingUseCases, audit_state
from domain.meetings.model import (
    AttendanceStatus,
    LeaderVisit,
    Meeting,
    MeetingStatus,
)


class MeetingAttendanceService(MeetingUseCases):
    def __init__(
        self,
        *,
        checkin_policy: checkin.CheckinPolicy,
        key: bytes,
        **parts: Unpack[MeetingParts],
    ) -> None:
        super().__init__(**parts)
        self.checkin_policy = checkin_policy
        self.key = key

    async def checkin_code(self, actor: Actor, meeting_id: UUID) -> checkin.IssuedCode:
        meeting = await self._managed(actor, meeting_id, None)
        self._require_checkin_open(meeting)
        return checkin.issue_code(self.key, meeting.id, self.clock.now(), self.checkin_policy)

    def _require_checkin_open(self, meeting: Meeting) -> None:
        if meeting.status in {MeetingStatus.CANCELLED, MeetingStatus.FINALIZED}:
            raise RuleViolationError("checkin_closed")
        end = meeting.actual_end or meeting.planned_end
        checkin.check_window(meeting.planned_start, end, self.clock.now(), self.checkin_policy)

    async def check_in(
        self,
        actor: Actor,
        meeting_id: UUID,
        code: str,
        where: tuple[float, float] | None,
    ) -> Meeting:
        """A member or a visiting leader scans the code shown by the secretary's phone."""
        async with self.uow.atomic():
            meeting = await self.meeting(actor, meeting_id)
            now = self.clock.now()
            self._require_checkin_open(meeting)
            checkin.verify_code(self.key, meeting.id, code, now, self.checkin_policy)
            checkin.check_place(meeting.place_location, where, self.checkin_policy)
            await self._ensure_sheet(meeting)
            before = audit_state(meeting)
            if any(row.person_id == actor.person_id for row in meeting.attendance):
                meeting.mark(actor.person_id, AttendanceStatus.PRESENT, None, now)
                return await self._save(actor, "meeting.check_in", meeting, before, rows=True)
            # Neither on the sheet nor a leader over the cell: seen, but not theirs to check in.
            actor.require(Permission.VISIT_MEETINGS, meeting.cell_path, "checkin_forbidden")
            visit = await self.repo.visit(meeting.id, actor.person_id) or LeaderVisit(
                meeting.id, actor.person_id
            )
            visit.leader_confirmed_at = visit.leader_confirmed_at or now
            await self.repo.save_visit(visit)
            await self._record(actor, "meeting.leader_check_in", meeting, None)
            return meeting

    async def confirm_visit(
        self, actor: Actor, meeting_id: UUID, leader_id: UUID, remarks: str | None
    ) -> LeaderVisit:
        """Both sides confirm: the leader (their own visit, with remarks) and the secretary."""
        async with self.uow.atomic():
            meeting = await self.meeting(actor, meeting_id)
            now = self.clock.now()
            visit = await self.repo.visit(meeting.id, leader_id) or LeaderVisit(
                meeting.id, leader_id
            )
            if actor.person_id == leader_id:
                actor.require(Permission.VISIT_MEETINGS, meeting.cell_path, "visit_forbidden")
                visit.leader_confirmed_at = visit.leader_confirmed_at or now
                visit.remarks = remarks if remarks is not None else visit.remarks
            else:
                actor.require(Permission.MANAGE_MEETINGS, meeting.cell_path, "visit_forbidden")
                leader_grants = await self.org.live_grants_of(leader_id)
                if not any(
                    meeting.cell_path.startswith(g.unit_path) and g.role.value == "leader"
                    for g in leader_grants
                ):
                    raise RuleViolationError("not_a_leader_of_cell")
                visit.secretary_confirmed_at = visit.secretary_confirmed_at or now
            await self.repo.save_visit(visit)
            await self._record(actor, "meeting.visit_confirm", meeting, None)
            return visit

    async def visits(self, actor: Actor, meeting_id: UUID) -> list[LeaderVisit]:
        await self.meeting(actor, meeting_id)
        return await self.repo.visits_of(meeting_id)
