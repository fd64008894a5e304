"""What every meeting use case shares: its collaborators, a meeting loaded within the caller's
scope, and a change saved as the next version with its audit row."""

from __future__ import annotations

from typing import Any, TypedDict
from uuid import UUID

from domain.actors import Actor, Permission
from domain.audit import audited, bump_version, require_version
from domain.errors import ConflictError, NotFoundError
from domain.meetings.model import (
    Meeting,
    MeetingPolicy,
    MeetingStatus,
    attendance_sheet,
    meeting_day,
    month_taken,
)
from domain.meetings.ports import MeetingRepository
from domain.meetings.recurrence import local_month_bounds
from domain.org.model import Unit, check_cell
from domain.org.ports import OrgRepository
from domain.ports import AuditLog, Clock, UnitOfWork
from domain.snapshots import snapshot


def audit_state(meeting: Meeting) -> dict[str, Any]:
    state = snapshot(meeting)
    del state["amendments"]  # audited one by one as they are made
    return state


class MeetingParts(TypedDict):
    """The collaborators every meeting service has; a service with more takes them by keyword
    beside these."""

    repo: MeetingRepository
    org: OrgRepository
    uow: UnitOfWork
    audit: AuditLog
    clock: Clock
    policy: MeetingPolicy


class MeetingUseCases:
    """The base of each meeting service (planning, lifecycle, notice, record, attendance,
    reading); ``policy`` and ``clock`` also shape the replies."""

    def __init__(
        self,
        repo: MeetingRepository,
        org: OrgRepository,
        uow: UnitOfWork,
        audit: AuditLog,
        clock: Clock,
        policy: MeetingPolicy,
    ) -> None:
        self.repo = repo
        self.org = org
        self.uow = uow
        self.audit = audit
        self.clock = clock
        self.policy = policy

    async def meeting(self, actor: Actor, meeting_id: UUID) -> Meeting:
        meeting = await self.repo.get(meeting_id)
        if meeting is None:
            raise NotFoundError("meeting_not_found")
        actor.require_visible(Permission.VIEW_UNIT, meeting.cell_path, "meeting_not_found")
        return meeting

    async def _managed(self, actor: Actor, meeting_id: UUID, version: int | None) -> Meeting:
        meeting = await self.meeting(actor, meeting_id)
        actor.require(Permission.MANAGE_MEETINGS, meeting.cell_path, "meeting_manage_forbidden")
        require_version(meeting, version)
        return meeting

    async def _managed_cell(self, actor: Actor, cell_id: UUID) -> Unit:
        cell = await self.org.get_unit(cell_id)
        if cell is None:
            raise NotFoundError("unit_not_found")
        actor.require_visible(Permission.VIEW_UNIT, cell.path, "unit_not_found")
        actor.require(Permission.MANAGE_MEETINGS, cell.path, "meeting_manage_forbidden")
        check_cell(cell)
        return cell

    async def _save(
        self, actor: Actor, action: str, meeting: Meeting, before: dict[str, Any], *, rows: bool
    ) -> Meeting:
        expected = bump_version(meeting)
        meeting.updated_at = self.clock.now()
        await self.repo.save(meeting, attendance=rows, expected_version=expected)
        await self._record(actor, action, meeting, before)
        return meeting

    async def _record(
        self, actor: Actor | None, action: str, meeting: Meeting, before: dict[str, Any] | None
    ) -> None:
        await audited(
            self.audit,
            actor.person_id if actor else None,
            action,
            "Meeting",
            meeting.id,
            meeting.cell_path,
            before=before,
            after=audit_state(meeting),
        )

    async def _ensure_sheet(self, meeting: Meeting) -> None:
        """The attendance sheet is the cell roster as it was on the meeting day."""
        if not meeting.attendance:
            roster = await self.repo.roster_on(meeting.cell_id, meeting_day(meeting))
            meeting.attendance = attendance_sheet(roster)

    async def _load_amendments(self, meeting: Meeting) -> None:
        if meeting.status is MeetingStatus.FINALIZED:  # only final minutes are amended
            meeting.amendments = await self.repo.amendments_of(meeting.id)

    async def _require_month_free(self, meeting: Meeting) -> None:
        """One regular meeting per cell and month (the unique index decides under races)."""
        if meeting.occurrence is None:
            return
        since, until = local_month_bounds(int(meeting.occurrence[:4]), int(meeting.occurrence[5:]))
        others = await self.repo.regular_meetings(meeting.cell_id, since, until)
        if month_taken(meeting.occurrence, others, meeting.id):
            raise ConflictError("regular_meeting_exists", month=meeting.occurrence)
