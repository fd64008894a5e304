"""Bodies of the survey endpoints. A survey's answer is never shown one by one: only whether it
was answered; the figures are in the satisfaction report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.http.schemas import In, Out
from domain.surveys.model import ContactKind, Rating, Resolved, Score, Survey
from domain.surveys.service import IssuedLink

SURVEY_PREFIX = "/survey/"
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class RatingIn(In):
    """1 Rất không hài lòng … 5 Rất hài lòng; a reason is required for 1 and 2."""

    score: Annotated[int, msgspec.Meta(ge=1, le=5)]
    resolved: Resolved
    reason: Reason | None = None

    def rating(self) -> Rating:
        return Rating(Score(self.score), self.resolved, self.reason)


class SurveyOut(Out):
    id: UUID
    kind: ContactKind
    subject_id: UUID  # the petition, the dialogue or the task
    unit_id: UUID
    opens_at: datetime
    link_expires_at: datetime | None
    answered: bool

    @classmethod
    def of(cls, survey: Survey) -> SurveyOut:
        return cls(
            id=survey.id,
            kind=survey.contact.kind,
            subject_id=survey.contact.subject_id,
            unit_id=survey.contact.unit_id,
            opens_at=survey.opens_at,
            link_expires_at=survey.link_expires_at,
            answered=survey.answered_at is not None,
        )


class SurveyLinkOut(Out):
    """The link to hand over or send, shown only this once."""

    survey: SurveyOut
    # /survey/<token>, on the address the app calls the API at (as a calendar feed's path): the
    # server cannot know its public address behind a proxy, nor trust a request's Host for it
    path: str
    expires_at: datetime

    @classmethod
    def of(cls, issued: IssuedLink) -> SurveyLinkOut:
        return cls(
            survey=SurveyOut.of(issued.survey),
            path=f"{SURVEY_PREFIX}{issued.token}",
            expires_at=issued.survey.link_expires_at or issued.survey.opens_at,
        )
