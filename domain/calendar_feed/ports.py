"""What the calendar feed needs from outside the domain."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.calendar_feed.model import CalendarToken


class CalendarTokenRepository(Protocol):
    async def add(self, token: CalendarToken) -> None: ...
    async def revoke_all(self, person_id: UUID, at: datetime) -> int:
        """Revoke the person's live tokens; returns how many."""

    async def live_person(self, token_hash: str) -> UUID | None:
        """The person of a token that is not revoked."""
