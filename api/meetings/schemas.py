"""Request and response shapes of meetings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from api.http.schemas import In, Out, Place, Text, Title
from domain.attachments.model import AttachmentKind
from domain.meetings.model import (
    AgendaItem,
    AgendaKind,
    Amendment,
    AttendanceStatus,
    Flag,
    LeaderVisit,
    Meeting,
    MeetingKind,
    MeetingOverview,
    MeetingPolicy,
    MeetingStatus,
    Resolution,
    counts,
)
from domain.meetings.ports import CellRule
from domain.meetings.recurrence import RuleKind
from domain.org.model import MembershipKind, QuotaPeriod

LongText = Annotated[str, msgspec.Meta(max_length=100_000)]
Votes = Annotated[int, msgspec.Meta(ge=0, le=10_000)]


class Location(In):
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]


class LocationOut(Out):
    lat: float
    lon: float


def location_out(value: tuple[float, float] | None) -> LocationOut | None:
    return LocationOut(lat=value[0], lon=value[1]) if value else None


LocalTime = Annotated[
    str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, local")
]


class RuleIn(In):
    kind: RuleKind
    at: LocalTime
    duration_minutes: Annotated[int, msgspec.Meta(ge=30, le=600)] = 120
    day: Annotated[int, msgspec.Meta(ge=1, le=31)] | None = None
    weekday: Annotated[int, msgspec.Meta(ge=0, le=6)] | None = None
    nth: Annotated[int, msgspec.Meta(ge=-1, le=5)] | None = None
    place: Place | None = None
    place_location: Location | None = None


class RuleOut(Out):
    cell_id: UUID
    kind: RuleKind
    at: str
    duration_minutes: int
    day: int | None
    weekday: int | None
    nth: int | None
    place: str | None
    place_location: LocationOut | None

    @classmethod
    def of(cls, rule: CellRule) -> RuleOut:
        return cls(
            cell_id=rule.cell_id,
            kind=rule.rule.kind,
            at=rule.rule.at.strftime("%H:%M"),
            duration_minutes=rule.rule.duration_minutes,
            day=rule.rule.day,
            weekday=rule.rule.weekday,
            nth=rule.rule.nth,
            place=rule.place,
            place_location=location_out(rule.place_location),
        )


class PlannedOut(Out):
    planned: int


class MeetingIn(In):
    cell_id: UUID
    kind: MeetingKind
    planned_start: datetime
    planned_end: datetime
    title: Title | None = None
    place: Place | None = None
    place_location: Location | None = None
    combined_thematic: bool = False
    id: UUID | None = None


class MeetingMoveIn(In):
    planned_start: datetime
    planned_end: datetime
    reason: Text


class CancelIn(In):
    reason: Text


class AgendaItemIn(In):
    title: Text
    kind: AgendaKind
    minutes: Annotated[int, msgspec.Meta(ge=1, le=600)]
    presenter: Text | None = None


class NoticeIn(In):
    agenda: Annotated[list[AgendaItemIn], msgspec.Meta(min_length=1, max_length=50)]
    paper_ids: Annotated[
        list[UUID],
        msgspec.Meta(max_length=50, description="Attachments of the same cell, in this order"),
    ] = []


class ResolutionIn(In):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]
    votes_for: Votes = 0
    votes_against: Votes = 0
    votes_abstain: Votes = 0

    def to_domain(self) -> Resolution:
        return Resolution(self.text, self.votes_for, self.votes_against, self.votes_abstain)


class MarkIn(In):
    status: AttendanceStatus
    reason: Text | None = None


class AttendanceIn(In):
    person_id: UUID
    status: AttendanceStatus
    reason: Text | None = None


class RecordIn(In):
    actual_start: datetime
    actual_end: datetime
    chair_id: UUID | None = None
    minute_taker_id: UUID | None = None
    minutes_text: LongText | None = None
    resolutions: Annotated[list[ResolutionIn], msgspec.Meta(max_length=100)] = []
    attendance: Annotated[list[AttendanceIn], msgspec.Meta(max_length=1000)] = []


class AmendIn(In):
    reason: Text
    minutes_text: LongText | None = None
    resolutions: Annotated[list[ResolutionIn], msgspec.Meta(max_length=100)] | None = None


class MeetingCheckInIn(In):
    code: Annotated[str, msgspec.Meta(min_length=3, max_length=64)]
    location: Location | None = None


class ConfirmVisitIn(In):
    remarks: Annotated[str, msgspec.Meta(max_length=10_000)] | None = None


class AgendaItemOut(Out):
    title: str
    kind: AgendaKind
    minutes: int
    presenter: str | None
    task_id: UUID | None  # review items carried forward from open tasks


class PaperOut(Out):
    id: UUID
    filename: str
    kind: AttachmentKind
    size: int


class ResolutionOut(Out):
    text: str
    votes_for: int
    votes_against: int
    votes_abstain: int


class AttendanceOut(Out):
    person_id: UUID
    full_name: str
    membership_kind: MembershipKind
    status: AttendanceStatus | None
    reason: str | None
    checked_in_at: datetime | None


class CountsOut(Out):
    members: int
    full: int
    probationary: int
    exempt: int
    present: int
    present_full: int
    excused: int
    unexcused: int
    elsewhere: int
    quorum_met: bool


class TextChangeOut(Out):
    before: str | None
    after: str | None


class ResolutionsChangeOut(Out):
    before: list[ResolutionOut]
    after: list[ResolutionOut]


class AmendmentOut(Out):
    by_id: UUID
    by_name: str | None
    at: datetime
    reason: str
    minutes_text: TextChangeOut | None
    resolutions: ResolutionsChangeOut | None

    @classmethod
    def of(cls, a: Amendment) -> AmendmentOut:
        text, resolutions = a.changes.get("minutesText"), a.changes.get("resolutions")
        return cls(
            by_id=a.by,
            by_name=a.by_name,
            at=a.at,
            reason=a.reason,
            minutes_text=TextChangeOut(before=text["from"], after=text["to"])
            if isinstance(text, dict)
            else None,
            resolutions=ResolutionsChangeOut(
                before=[_resolution(r) for r in resolutions["from"]],
                after=[_resolution(r) for r in resolutions["to"]],
            )
            if isinstance(resolutions, dict)
            else None,
        )


def _resolution(stored: dict[str, Any]) -> ResolutionOut:
    return ResolutionOut(
        text=stored["text"],
        votes_for=stored["votes_for"],
        votes_against=stored["votes_against"],
        votes_abstain=stored["votes_abstain"],
    )


class TallyOut(Out):
    present: int
    excused: int
    unexcused: int
    elsewhere: int
    exempt: int
    unmarked: int


class MeetingOut(Out):
    id: UUID
    cell_id: UUID
    kind: MeetingKind
    status: MeetingStatus
    combined_thematic: bool
    title: str | None
    place: str | None
    place_location: LocationOut | None
    occurrence: str | None
    planned_start: datetime
    planned_end: datetime
    notice_published_at: datetime | None
    agenda: list[AgendaItemOut]
    papers: list[PaperOut]
    actual_start: datetime | None
    actual_end: datetime | None
    chair_id: UUID | None
    minute_taker_id: UUID | None
    minutes_text: str | None
    resolutions: list[ResolutionOut]
    attendance: list[AttendanceOut] | None
    counts: CountsOut | None
    flags: list[Flag]
    logged_at: datetime | None
    finalized_at: datetime | None
    cancel_reason: str | None
    move_reason: str | None
    amendments: list[AmendmentOut] | None  # with the sheet: who amended the minutes, when, why
    tally: TallyOut | None  # in lists: attendance by status
    visits: list[VisitOut] | None  # in lists: the leaders' visits
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(
        cls,
        m: Meeting,
        policy: MeetingPolicy,
        now: datetime,
        *,
        sheet: bool,
        overview: MeetingOverview | None = None,
    ) -> MeetingOut:
        c = counts(m.attendance, policy)
        return cls(
            id=m.id,
            cell_id=m.cell_id,
            kind=m.kind,
            status=m.status,
            combined_thematic=m.combined_thematic,
            title=m.title,
            place=m.place,
            place_location=location_out(m.place_location),
            occurrence=m.occurrence,
            planned_start=m.planned_start,
            planned_end=m.planned_end,
            notice_published_at=m.notice_published_at,
            agenda=[
                AgendaItemOut(
                    title=a.title,
                    kind=a.kind,
                    minutes=a.minutes,
                    presenter=a.presenter,
                    task_id=a.task_id,
                )
                for a in m.agenda
            ],
            papers=[
                PaperOut(id=p.id, filename=p.filename, kind=p.kind, size=p.size) for p in m.papers
            ],
            actual_start=m.actual_start,
            actual_end=m.actual_end,
            chair_id=m.chair_id,
            minute_taker_id=m.minute_taker_id,
            minutes_text=m.minutes_text,
            resolutions=[
                ResolutionOut(
                    text=r.text,
                    votes_for=r.votes_for,
                    votes_against=r.votes_against,
                    votes_abstain=r.votes_abstain,
                )
                for r in m.resolutions
            ],
            attendance=[
                AttendanceOut(
                    person_id=r.person_id,
                    full_name=r.full_name,
                    membership_kind=r.membership_kind,
                    status=r.status,
                    reason=r.reason,
                    checked_in_at=r.checked_in_at,
                )
                for r in m.attendance
            ]
            if sheet
            else None,
            counts=CountsOut(**{f: getattr(c, f) for f in CountsOut.__struct_fields__})
            if sheet
            else None,
            flags=m.flags(policy, now),
            logged_at=m.logged_at,
            finalized_at=m.finalized_at,
            cancel_reason=m.cancel_reason,
            move_reason=m.move_reason,
            amendments=[AmendmentOut.of(a) for a in m.amendments] if sheet else None,
            tally=TallyOut(**{f: getattr(overview.tally, f) for f in TallyOut.__struct_fields__})
            if overview
            else None,
            visits=[VisitOut.of(v) for v in overview.visits] if overview else None,
            created_at=m.created_at,
            updated_at=m.updated_at,
            version=m.version,
        )


class VisitOut(Out):
    meeting_id: UUID
    leader_id: UUID
    leader_confirmed_at: datetime | None
    secretary_confirmed_at: datetime | None
    remarks: str | None
    counted: bool

    @classmethod
    def of(cls, v: LeaderVisit) -> VisitOut:
        return cls(
            meeting_id=v.meeting_id,
            leader_id=v.leader_id,
            leader_confirmed_at=v.leader_confirmed_at,
            secretary_confirmed_at=v.secretary_confirmed_at,
            remarks=v.remarks,
            counted=v.counted,
        )


class CheckinCodeOut(Out):
    code: str
    expires_at: datetime


def agenda_of(items: list[AgendaItemIn]) -> list[AgendaItem]:
    return [AgendaItem(i.title, i.kind, i.minutes, i.presenter) for i in items]


class QuotaOut(Out):
    period: QuotaPeriod
    period_start: date
    period_end: date
    quota: int
    attended: int
    expected_by_now: int
    behind: bool


class FollowedCellOversightOut(Out):
    assignment_id: UUID
    cell_id: UUID
    cell_name: str
    quota: QuotaOut
    upcoming: list[MeetingOut]


class ReviewFlagOut(Out):
    person_id: UUID
    full_name: str
    months: list[int]
