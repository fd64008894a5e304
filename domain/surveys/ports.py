"""Storage the survey use cases need (implemented in db/repositories/surveys.py), and the port
the areas whose contacts are surveyed call (tasks: a petition's reply, its task closed)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.pagination import Page, PageRequest
from domain.surveys.model import Contact, ContactKind, OpenedSurvey, Survey, SurveyAnswer


class SurveyRepository(Protocol):
    async def add(self, survey: Survey) -> None: ...
    async def get(self, survey_id: UUID) -> Survey | None: ...
    async def by_link(self, link_hash: str) -> Survey | None: ...
    async def save_link(self, survey: Survey) -> None: ...
    async def add_answer(self, survey: Survey, answer: SurveyAnswer) -> None:
        """The answer, and the survey marked answered. A second answer of one survey, even sent
        at the same moment, is ``survey_already_answered`` (a unique index decides)."""

    async def count_of(self, kind: ContactKind, subject_id: UUID) -> int: ...
    async def list_surveys(
        self,
        scopes: tuple[str, ...],
        within_path: str | None,
        answered: bool | None,
        page: PageRequest,
    ) -> Page[Survey]:
        """Surveys of units inside ``scopes``, by the time they open."""

    async def answers_within(
        self, unit_path: str, since: datetime, until: datetime
    ) -> list[SurveyAnswer]:
        """Answers given from ``since`` to before ``until``, attributed inside ``unit_path``."""

    async def opened_within(
        self, unit_path: str, since: datetime, until: datetime
    ) -> list[OpenedSurvey]:
        """Surveys of units inside ``unit_path`` that opened from ``since`` to before ``until``."""


class ContactLog(Protocol):
    async def contacted(self, contact: Contact) -> None:
        """A survey of the contact, opening when the survey rules say; in the caller's
        transaction."""
