"""The meeting's record: minutes and resolutions logged, attendance marked, finalised, and
amended only with who, why and what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.actors import Actor
from domain.errors import RuleViolationError
from domain.meetings.access import MeetingUseCases, audit_state
from domain.meetings.model import Amendment, AttendanceStatus, Meeting, MeetingStatus, Resolution
from domain.snapshots import plain


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    actual_start: datetime
    actual_end: datetime
    chair_id: UUID | None
    minute_taker_id: UUID | None
    minutes_text: str | None
    resolutions: list[Resolution]
    attendance: list[tuple[UUID, AttendanceStatus, str | None]]


class MeetingRecordService(MeetingUseCases):
    async def log(
        self, actor: Actor, meeting_id: UUID, version: int | None, record: MeetingRecord
    ) -> Meeting:
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            before = audit_state(meeting)
            await self._ensure_sheet(meeting)
            now = self.clock.now()
            for person_id, status, reason in record.attendance:
                meeting.mark(person_id, status, reason, None)
            meeting.log(
                actual_start=record.actual_start,
                actual_end=record.actual_end,
                chair_id=record.chair_id,
                minute_taker_id=record.minute_taker_id,
                minutes_text=record.minutes_text,
                resolutions=record.resolutions,
                at=now,
            )
            return await self._save(actor, "meeting.log", meeting, before, rows=True)

    async def mark(
        self,
        actor: Actor,
        meeting_id: UUID,
        version: int | None,
        person_id: UUID,
        status: AttendanceStatus,
        reason: str | None,
    ) -> Meeting:
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            before = audit_state(meeting)
            await self._ensure_sheet(meeting)
            meeting.mark(person_id, status, reason, self.clock.now())
            return await self._save(actor, "meeting.attendance", meeting, before, rows=True)

    async def finalize(self, actor: Actor, meeting_id: UUID, version: int | None) -> Meeting:
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            before = audit_state(meeting)
            await self._ensure_sheet(meeting)
            meeting.finalize(self.policy, self.clock.now())
            return await self._save(actor, "meeting.finalize", meeting, before, rows=True)

    async def amend(
        self,
        actor: Actor,
        meeting_id: UUID,
        version: int | None,
        reason: str,
        minutes_text: str | None,
        resolutions: list[Resolution] | None,
    ) -> Meeting:
        """Finalised minutes change only by an amendment: who, why, what changed."""
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            if meeting.status is not MeetingStatus.FINALIZED:
                raise RuleViolationError("meeting_not_finalized")
            before = audit_state(meeting)
            changes: dict[str, object] = {}
            if minutes_text is not None and minutes_text != meeting.minutes_text:
                changes["minutesText"] = {"from": meeting.minutes_text, "to": minutes_text}
                meeting.minutes_text = minutes_text
            if resolutions is not None and resolutions != meeting.resolutions:
                changes["resolutions"] = {
                    "from": [plain(r) for r in meeting.resolutions],
                    "to": [plain(r) for r in resolutions],
                }
                meeting.amend_resolutions(resolutions)
            if not changes:
                raise RuleViolationError("amendment_empty")
            now = self.clock.now()
            await self.repo.add_amendment(
                Amendment(meeting.id, actor.person_id, reason, changes, now)
            )
            saved = await self._save(actor, "meeting.amend", meeting, before, rows=False)
            await self._load_amendments(saved)
            return saved
