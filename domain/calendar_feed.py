"""A personal calendar feed behind a revocable token, for phone calendars that subscribe to it.

The token is the only credential of the feed (calendar apps cannot log in), so it is random,
stored only as its SHA-256, shown once, and revoked when a new one is made or on request.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID, uuid4

from domain.actors import Actor, Grant, Permission
from domain.clock import Clock
from domain.errors import NotFoundError
from domain.meetings.model import Meeting
from domain.meetings.ports import MeetingRepository
from domain.org.model import Person
from domain.org.ports import OrgRepository
from domain.ports import AuditEntry, AuditLog, UnitOfWork

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


class CalendarTokenRepository(Protocol):
    async def add(self, token: CalendarToken) -> None: ...
    async def revoke_all(self, person_id: UUID, at: datetime) -> int:
        """Revoke the person's live tokens; returns how many."""

    async def live_person(self, token_hash: str) -> UUID | None:
        """The person of a token that is not revoked."""


class CalendarFeedService:
    def __init__(
        self,
        tokens: CalendarTokenRepository,
        meetings: MeetingRepository,
        org: OrgRepository,
        uow: UnitOfWork,
        audit: AuditLog,
        clock: Clock,
        policy: CalendarPolicy,
    ) -> None:
        self.tokens = tokens
        self.meetings = meetings
        self.org = org
        self.uow = uow
        self.audit = audit
        self.clock = clock
        self.policy = policy

    async def issue(self, actor: Actor) -> IssuedCalendarToken:
        """A new token; every earlier one of the caller stops working."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self.clock.now()
        async with self.uow.atomic():
            await self.tokens.revoke_all(actor.person_id, now)
            row = CalendarToken(uuid4(), actor.person_id, hash_token(token), now)
            await self.tokens.add(row)
            await self._record(actor, "calendar_token.issue", row.id)
        return IssuedCalendarToken(token, now)

    async def revoke(self, actor: Actor) -> None:
        async with self.uow.atomic():
            if await self.tokens.revoke_all(actor.person_id, self.clock.now()):
                await self._record(actor, "calendar_token.revoke", actor.person_id)

    async def _record(self, actor: Actor, action: str, object_id: UUID) -> None:
        person = await self.org.get_person(actor.person_id)
        await self.audit.record(
            AuditEntry(
                actor_id=actor.person_id,
                action=action,
                object_type="CalendarToken",
                object_id=object_id,
                unit_path=person.home_unit_path if person else "/",
                before=None,
                after=None,
            )
        )

    async def feed(self, token: str) -> Feed:
        """The meetings of the token's person from ``days_back`` ago to ``days_ahead`` on:
        their cells' and those of the cells they follow as a leader. Unknown, revoked, or of a
        person no longer active: not found."""
        person_id = (
            await self.tokens.live_person(hash_token(token)) if TOKEN_SHAPE.match(token) else None
        )
        person = await self.org.get_person(person_id) if person_id else None
        if person is None or not person.active:
            raise NotFoundError("calendar_token_not_found")
        grants = tuple(
            Grant(g.role, g.unit_id, g.unit_path) for g in await self.org.live_grants_of(person.id)
        )
        scopes = Actor(person.id, NO_SESSION, grants).scopes(Permission.VISIT_MEETINGS)
        now = self.clock.now()
        meetings = await self.meetings.calendar_for(
            person.id,
            scopes,
            now - timedelta(days=self.policy.days_back),
            now + timedelta(days=self.policy.days_ahead),
        )
        cells = await self.org.units_by_ids({m.cell_id for m in meetings})
        return Feed(person, meetings, {c.id: c.name for c in cells})
