"""Request and response shapes of a meeting's discussion (what the minutes quote per item)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.http.schemas import In, Name, Out
from domain.documents.model import Discussion, ItemDiscussion, Opinion

Said = Annotated[str, msgspec.Meta(min_length=1, max_length=5_000)]


class OpinionIn(In):
    speaker: Name
    text: Said


class ItemDiscussionIn(In):
    opinions: Annotated[list[OpinionIn], msgspec.Meta(max_length=100)] = []
    conclusion: Annotated[str, msgspec.Meta(min_length=1, max_length=5_000)] | None = None

    def to_domain(self) -> ItemDiscussion:
        return ItemDiscussion(
            tuple(Opinion(o.speaker, o.text) for o in self.opinions), self.conclusion
        )


class DiscussionIn(In):
    """One entry per agenda item, in the agenda's order."""

    items: Annotated[list[ItemDiscussionIn], msgspec.Meta(max_length=100)]


class OpinionOut(Out):
    speaker: str
    text: str


class ItemDiscussionOut(Out):
    opinions: list[OpinionOut]
    conclusion: str | None


class DiscussionOut(Out):
    meeting_id: UUID
    items: list[ItemDiscussionOut]
    version: int  # 0: nothing written yet
    updated_at: datetime | None

    @classmethod
    def of(cls, d: Discussion) -> DiscussionOut:
        return cls(
            meeting_id=d.meeting_id,
            items=[
                ItemDiscussionOut(
                    opinions=[OpinionOut(speaker=o.speaker, text=o.text) for o in item.opinions],
                    conclusion=item.conclusion,
                )
                for item in d.items
            ],
            version=d.version,
            updated_at=d.updated_at,
        )
