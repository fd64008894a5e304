"""Document use cases: the discussion of a meeting's agenda items, and issuing the meeting's
minutes or resolution with its register number and everything its layout shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from domain.actors import Actor, Permission
from domain.audit import audited, bump_version, require_version
from domain.documents.model import (
    Discussion,
    DocumentKind,
    DocumentPolicy,
    ItemDiscussion,
    absentees,
    locality,
    missing_for,
    name_on_sheet,
    number_symbol,
)
from domain.documents.ports import DocumentRepository
from domain.errors import ConflictError, RuleViolationError
from domain.meetings.model import AttendanceRow, Counts, Meeting, MeetingStatus, counts, meeting_day
from domain.meetings.reading import MeetingReadingService
from domain.quality.model import MeetingQuality
from domain.quality.ports import QualityRepository
from domain.snapshots import snapshot


@dataclass(frozen=True, slots=True)
class MeetingDocument:
    """Everything the layout of a biên bản or a nghị quyết shows, resolved to names."""

    kind: DocumentKind
    number: str  # "05-BB/CB"
    upper_body: str  # the unit above the cell: "Đảng ủy phường Ba Đình"
    cell: str
    locality: str  # of the place-and-date line
    day: date  # the meeting's local day
    opened_at: datetime
    closed_at: datetime
    meeting: Meeting
    counts: Counts
    absentees: list[AttendanceRow]
    guests: list[str]  # the upper-level cadres who attended
    chair: str
    minute_taker: str
    discussion: Discussion
    quality: MeetingQuality | None


class DocumentService:
    def __init__(
        self,
        repo: DocumentRepository,
        quality: QualityRepository,
        meetings: MeetingReadingService,
        policy: DocumentPolicy,
    ) -> None:
        self.repo = repo
        self.quality = quality
        self.meetings = meetings
        self.policy = policy

    async def discussion(self, actor: Actor, meeting_id: UUID) -> Discussion:
        meeting = await self.meetings.meeting(actor, meeting_id)
        return await self._discussion(meeting)

    async def _discussion(self, meeting: Meeting) -> Discussion:
        found = await self.repo.discussion(meeting.id)
        return found or Discussion(meeting.id, meeting.cell_path, [])

    async def set_discussion(
        self, actor: Actor, meeting_id: UUID, version: int, items: list[ItemDiscussion]
    ) -> Discussion:
        """The named speakers and the conclusion of each agenda item, in the agenda's order."""
        async with self.meetings.uow.atomic():
            meeting = await self.meetings.meeting(actor, meeting_id)
            actor.require(Permission.MANAGE_MEETINGS, meeting.cell_path, "meeting_manage_forbidden")
            if meeting.status is MeetingStatus.CANCELLED:
                raise ConflictError("meeting_cancelled")
            if len(items) != len(meeting.agenda):
                raise RuleViolationError(
                    "discussion_not_agenda", items=len(items), agenda=len(meeting.agenda)
                )
            discussion = await self._discussion(meeting)
            require_version(discussion, version)
            before = snapshot(discussion) if discussion.version else None
            discussion.items = items
            discussion.updated_at = self.meetings.clock.now()
            await self.repo.save_discussion(discussion, bump_version(discussion))
            await audited(
                self.meetings.audit, actor.person_id, "meeting.discussion", "Meeting",
                meeting.id, meeting.cell_path, before=before, after=snapshot(discussion),
            )  # fmt: skip
            return discussion

    async def issue(self, actor: Actor, meeting_id: UUID, kind: DocumentKind) -> MeetingDocument:
        """The document of the meeting with its register number: taken the first time (by whoever
        manages the cell's meetings, and only from a complete record), kept ever after."""
        async with self.meetings.uow.atomic():  # the names it shows are read after the commit
            meeting = await self.meetings.sheet(actor, meeting_id)
            number = await self.repo.number_of(meeting.id, kind)
            if number is None:
                actor.require(
                    Permission.MANAGE_MEETINGS, meeting.cell_path, "document_issue_forbidden"
                )
            discussion = await self._discussion(meeting)
            missing = missing_for(kind, meeting, discussion)
            if missing:
                raise ConflictError("document_incomplete", missing=missing)
            day = meeting_day(meeting)
            if number is None:
                number = await self.repo.issue(
                    meeting.cell_id, kind, self.policy.term_of(day), meeting.id,
                    actor.person_id, self.meetings.clock.now(),
                )  # fmt: skip
                await audited(
                    self.meetings.audit, actor.person_id, f"document.{kind.value}", "Meeting",
                    meeting.id, meeting.cell_path, after={"number": number_symbol(kind, number)},
                )  # fmt: skip
        return await self._document(kind, number_symbol(kind, number), meeting, discussion, day)

    async def _document(
        self, kind: DocumentKind, number: str, meeting: Meeting, discussion: Discussion, day: date
    ) -> MeetingDocument:
        org = self.meetings.org
        cell = await org.get_unit(meeting.cell_id)
        upper = await org.get_unit(cell.parent_id) if cell and cell.parent_id else None
        visits = await self.meetings.repo.visits_of(meeting.id)
        guests = []
        for visit in visits:
            person = await org.get_person(visit.leader_id) if visit.leader_confirmed_at else None
            if person is not None:
                guests.append(person.full_name)
        upper_name = upper.name if upper else ""
        return MeetingDocument(
            kind=kind,
            number=number,
            upper_body=upper_name,
            cell=cell.name if cell else "",
            locality=locality(upper_name),
            day=day,
            opened_at=meeting.actual_start or meeting.planned_start,  # checked: both are set
            closed_at=meeting.actual_end or meeting.planned_end,
            meeting=meeting,
            counts=counts(meeting.attendance, self.meetings.policy),
            absentees=absentees(meeting),
            guests=guests,
            chair=name_on_sheet(meeting, meeting.chair_id),
            minute_taker=name_on_sheet(meeting, meeting.minute_taker_id),
            discussion=discussion,
            quality=await self.quality.get_score(meeting.id),
        )
