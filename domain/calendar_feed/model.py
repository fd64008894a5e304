"""A personal calendar feed behind a revocable token, for phone calendars that subscribe to it.

The token is the only credential of the feed (calendar apps cannot log in), so it is random,
stored only as its SHA-256, shown once, and revoked when a new one is made or on request.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.meetings.model import Meeting
from domain.org.model import Person

TOKEN_BYTES = 32
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 bytes, URL-safe base64 without padding
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


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
