"""A personal calendar feed behind a revocable token, for phone calendars that subscribe to it.

The token is the only credential of the feed (calendar apps cannot log in), so it is random,
stored only as its SHA-256, shown once, and revoked when a new one is made or on request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.meetings.model import Meeting
from domain.org.model import Person

NO_SESSION = UUID(int=0)


@dataclass(frozen=True, slots=True)
class CalendarPolicy:
    days_back: int = 30
    days_ahead: int = 90


@dataclass(frozen=True, slots=True)
class CalendarToken:
    id: UUID
    person_id: UUID
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IssuedCalendarToken:
    token: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Feed:
    person: Person
    meetings: list[Meeting]
    cell_names: dict[UUID, str]
