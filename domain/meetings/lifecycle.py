"""A meeting's life before its record: created (or planned), moved, cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from domain.actors import Actor
from domain.errors import ConflictError
from domain.meetings.access import MeetingUseCases, audit_state
from domain.meetings.model import Meeting, MeetingKind, MeetingStatus, check_window, regular_month


@dataclass(frozen=True, slots=True)
class NewMeeting:
    cell_id: UUID
    kind: MeetingKind
    planned_start: datetime
    planned_end: datetime
    title: str | None = None
    place: str | None = None
    place_location: tuple[float, float] | None = None
    combined_thematic: bool = False
    id: UUID | None = None


class MeetingLifecycleService(MeetingUseCases):
    async def create(self, actor: Actor, new: NewMeeting) -> Meeting:
        check_window(new.planned_start, new.planned_end)
        async with self.uow.atomic():
            cell = await self._managed_cell(actor, new.cell_id)
            if new.id is not None and await self.repo.get(new.id) is not None:
                raise ConflictError("id_conflict")
            now = self.clock.now()
            meeting = Meeting(
                id=new.id or uuid4(),
                cell_id=cell.id,
                cell_path=cell.path,
                kind=new.kind,
                status=MeetingStatus.PLANNED,
                planned_start=new.planned_start,
                planned_end=new.planned_end,
                created_at=now,
                updated_at=now,
                combined_thematic=new.combined_thematic and new.kind is MeetingKind.REGULAR,
                title=new.title,
                place=new.place,
                place_location=new.place_location,
                occurrence=regular_month(new.kind, new.planned_start),
            )
            await self._require_month_free(meeting)
            await self.repo.add(meeting)
            await self._record(actor, "meeting.create", meeting, None)
            return meeting

    async def move(
        self,
        actor: Actor,
        meeting_id: UUID,
        version: int | None,
        start: datetime,
        end: datetime,
        reason: str,
    ) -> Meeting:
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            before = audit_state(meeting)
            meeting.move(start, end, reason)
            await self._require_month_free(meeting)
            return await self._save(actor, "meeting.move", meeting, before, rows=False)

    async def cancel(
        self, actor: Actor, meeting_id: UUID, version: int | None, reason: str
    ) -> Meeting:
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            before = audit_state(meeting)
            meeting.cancel(reason)
            return await self._save(actor, "meeting.cancel", meeting, before, rows=False)
