"""Bodies of the petition endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.http.schemas import Category, Contact, In, Name, Out, Text
from api.tasks.schemas import LongText
from domain.tasks.petitions import Channel, Petition, Satisfaction


class PetitionIn(In):
    unit_id: UUID
    assignee_id: UUID
    petitioner_name: Name
    channel: Channel
    category: Category
    content: LongText
    received_at: datetime
    petitioner_contact: Contact | None = None
    id: UUID | None = None


class ReplyIn(In):
    text: LongText
    head_name: Text
    head_title: Text
    head_person_id: UUID | None = None
    attachment_ids: Annotated[list[UUID], msgspec.Meta(max_length=20)] = []


class SatisfactionIn(In):
    satisfaction: Satisfaction


class ReplyOut(Out):
    text: str
    head_name: str
    head_title: str
    head_person_id: UUID | None
    attachment_ids: list[UUID]
    at: datetime


class PetitionOut(Out):
    id: UUID
    unit_id: UUID
    task_id: UUID
    petitioner_name: str | None  # personal data: only within the unit's scope and above
    petitioner_contact: str | None
    channel: Channel
    category: str
    content: str
    received_at: datetime
    reply_due_on: date
    reply: ReplyOut | None
    replied_late: bool | None  # None while unanswered
    satisfaction: Satisfaction | None
    version: int

    @classmethod
    def of(cls, p: Petition, *, personal: bool) -> PetitionOut:
        r = p.reply
        return cls(
            id=p.id,
            unit_id=p.unit_id,
            task_id=p.task_id,
            petitioner_name=p.petitioner_name if personal else None,
            petitioner_contact=p.petitioner_contact if personal else None,
            channel=p.channel,
            category=p.category,
            content=p.content,
            received_at=p.received_at,
            reply_due_on=p.reply_due_on,
            reply=ReplyOut(
                text=r.text,
                head_name=r.head_name,
                head_title=r.head_title,
                head_person_id=r.head_person_id,
                attachment_ids=list(r.attachment_ids),
                at=r.at,
            )
            if r
            else None,
            replied_late=p.replied_late,
            satisfaction=p.satisfaction,
            version=p.version,
        )
