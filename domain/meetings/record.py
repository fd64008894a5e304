"""The meeting's record: minutes and resolutions logged, attendance marked, finalised, and
amended only with who, why and what changed.

Logging, marking and finalising read, decide, then write only what changed, all together in one
batched unit of work (decision 0011): the version check is in the write itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.actors import Actor
from domain.audit import audited, bump_version
from domain.errors import RuleViolationError
from domain.meetings.access import MeetingUseCases, audit_state
from domain.meetings.model import Amendment, AttendanceStatus, Meeting, MeetingStatus, Resolution
from domain.snapshots import fields_of, plain


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    actual_start: datetime
    actual_end: datetime
    chair_id: UUID | None
    minute_taker_id: UUID | None
    minutes_text: str | None
    resolutions: list[Resolution]
    attendance: list[tuple[UUID, AttendanceStatus, str | None]]


def as_read(meeting: Meeting) -> Meeting:
    """A copy of the meeting as read, to tell what changed and to be the audit's "before": the
    rules mark attendance rows in place and replace the lists, so the rows are copied and the
    lists are new ones."""
    return replace(
        meeting,
        attendance=[replace(row) for row in meeting.attendance],
        agenda=list(meeting.agenda),
        papers=list(meeting.papers),
        resolutions=list(meeting.resolutions),
    )


def audit_fields(meeting: Meeting) -> dict[str, Any]:
    """``audit_state`` without the copy: the same JSON once the audit log encodes it."""
    state = fields_of(meeting)
    del state["amendments"]  # audited one by one as they are made
    return state


class MeetingRecordService(MeetingUseCases):
    async def log(
        self, actor: Actor, meeting_id: UUID, version: int | None, record: MeetingRecord
    ) -> Meeting:
        async with self.uow.batched():
            meeting = await self._managed(actor, meeting_id, version)
            loaded = as_read(meeting)
            await self._ensure_sheet(meeting)
            now = self.clock.now()
            meeting.mark_all(record.attendance)
            meeting.log(
                actual_start=record.actual_start,
                actual_end=record.actual_end,
                chair_id=record.chair_id,
                minute_taker_id=record.minute_taker_id,
                minutes_text=record.minutes_text,
                resolutions=record.resolutions,
                at=now,
            )
            return await self._save_changes(actor, "meeting.log", meeting, loaded)

    async def mark(
        self,
        actor: Actor,
        meeting_id: UUID,
        version: int | None,
        person_id: UUID,
        status: AttendanceStatus,
        reason: str | None,
    ) -> Meeting:
        async with self.uow.batched():
            meeting = await self._managed(actor, meeting_id, version)
            loaded = as_read(meeting)
            await self._ensure_sheet(meeting)
            meeting.mark(person_id, status, reason, self.clock.now())
            return await self._save_changes(actor, "meeting.attendance", meeting, loaded)

    async def finalize(self, actor: Actor, meeting_id: UUID, version: int | None) -> Meeting:
        async with self.uow.batched():
            meeting = await self._managed(actor, meeting_id, version)
            loaded = as_read(meeting)
            await self._ensure_sheet(meeting)
            meeting.finalize(self.policy, self.clock.now())
            return await self._save_changes(actor, "meeting.finalize", meeting, loaded)

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

    async def _save_changes(
        self, actor: Actor, action: str, meeting: Meeting, loaded: Meeting
    ) -> Meeting:
        """The next version, written as what changed since ``loaded``, with its audit row."""
        expected = bump_version(meeting)
        meeting.updated_at = self.clock.now()
        await self.repo.save_changes(meeting, loaded, expected)
        await audited(
            self.audit,
            actor.person_id,
            action,
            "Meeting",
            meeting.id,
            meeting.cell_path,
            before=audit_fields(loaded),
            after=audit_fields(meeting),
        )
        return meeting
