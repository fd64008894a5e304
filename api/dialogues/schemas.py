"""Bodies of the dialogue and reception-day endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.http.schemas import HistoricDate, In, Name, Out, Place, Text, Title
from api.tasks.schemas import LongText
from domain.dialogues.model import (
    CoChair,
    Dialogue,
    DialogueFormat,
    DialogueKind,
    DialoguePolicy,
    Question,
    QuestionState,
    ReceptionDay,
)
from domain.dialogues.service import ReceptionMonth

Participants = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


class CoChairIn(In):
    role: Text  # "Bí thư Đảng ủy phường", "Chủ tịch UBND phường" …
    name: Name


class DialogueIn(In):
    ward_id: UUID
    title: Title
    kind: DialogueKind
    format: DialogueFormat
    place: Place  # a hall, or the link of an online dialogue
    starts_at: datetime
    cell_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=100)]
    co_chairs: Annotated[list[CoChairIn], msgspec.Meta(min_length=1, max_length=10)]
    id: UUID | None = None

    def chairs(self) -> tuple[CoChair, ...]:
        return tuple(CoChair(c.role, c.name) for c in self.co_chairs)


class QuestionIn(In):
    content: LongText
    asker_name: Name | None = None  # personal: shown only to who may see the ward's people


class DialogueAnswerIn(In):
    by_name: Name
    by_title: Text
    text: LongText


class DeferIn(In):
    owner_id: UUID  # who writes the reply: someone who acts in the ward


class ParticipantsIn(In):
    participants: Participants


class ReceptionDayIn(In):
    day: HistoricDate
    head_name: Name
    citizens: Participants
    note: Text | None = None


class CoChairOut(Out):
    role: str
    name: str


class DialogueAnswerOut(Out):
    by_name: str
    by_title: str
    text: str
    at: datetime


class DeferralOut(Out):
    petition_id: UUID
    owner_id: UUID
    reply_due_on: date


class QuestionOut(Out):
    id: UUID
    content: str
    asker_name: str | None  # personal data: only within the ward's people scope
    asked_at: datetime
    state: QuestionState
    answer: DialogueAnswerOut | None
    deferral: DeferralOut | None

    @classmethod
    def of(cls, q: Question, *, personal: bool) -> QuestionOut:
        a, d = q.answer, q.deferral
        return cls(
            id=q.id,
            content=q.content,
            asker_name=q.asker_name if personal else None,
            asked_at=q.asked_at,
            state=q.state,
            answer=DialogueAnswerOut(by_name=a.by_name, by_title=a.by_title, text=a.text, at=a.at)
            if a
            else None,
            deferral=DeferralOut(
                petition_id=d.petition_id, owner_id=d.owner_id, reply_due_on=d.reply_due_on
            )
            if d
            else None,
        )


class DialogueOut(Out):
    id: UUID
    ward_id: UUID
    title: str
    kind: DialogueKind
    format: DialogueFormat
    place: str
    starts_at: datetime
    announced_at: datetime
    short_notice: bool  # announced fewer days ahead than required (7 by default)
    cell_ids: list[UUID]
    co_chairs: list[CoChairOut]
    participants: int | None
    questions: list[QuestionOut]
    published_at: datetime | None
    results_due_on: date
    version: int

    @classmethod
    def of(cls, d: Dialogue, policy: DialoguePolicy, *, personal: bool) -> DialogueOut:
        return cls(
            id=d.id,
            ward_id=d.ward_id,
            title=d.title,
            kind=d.kind,
            format=d.format,
            place=d.place,
            starts_at=d.starts_at,
            announced_at=d.announced_at,
            short_notice=d.short_notice(policy),
            cell_ids=list(d.cell_ids),
            co_chairs=[CoChairOut(role=c.role, name=c.name) for c in d.co_chairs],
            participants=d.participants,
            questions=[QuestionOut.of(q, personal=personal) for q in d.questions],
            published_at=d.published_at,
            results_due_on=d.results_due_on(policy),
            version=d.version,
        )


class ReceptionDayOut(Out):
    id: UUID
    ward_id: UUID
    day: date
    head_name: str
    citizens: int
    note: str | None
    recorded_at: datetime

    @classmethod
    def of(cls, r: ReceptionDay) -> ReceptionDayOut:
        return cls(
            id=r.id,
            ward_id=r.ward_id,
            day=r.day,
            head_name=r.head_name,
            citizens=r.citizens,
            note=r.note,
            recorded_at=r.recorded_at,
        )


class ReceptionMonthOut(Out):
    days: list[ReceptionDayOut]
    required: int
    short: bool  # fewer reception days than required this month

    @classmethod
    def of(cls, m: ReceptionMonth) -> ReceptionMonthOut:
        return cls(days=[ReceptionDayOut.of(r) for r in m.days], required=m.required, short=m.short)
