"""Calendar feed use cases: issue and revoke the token, read the feed behind it."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from domain.actors import Actor, Grant, Permission
from domain.audit import audited
from domain.calendar_feed.model import (
    NO_SESSION,
    CalendarPolicy,
    CalendarToken,
    Feed,
    IssuedCalendarToken,
)
from domain.calendar_feed.ports import CalendarTokenRepository
from domain.errors import NotFoundError
from domain.meetings.ports import MeetingRepository
from domain.org.ports import OrgRepository
from domain.ports import AuditLog, Clock, UnitOfWork
from domain.tokens import hash_token, new_token, well_formed


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
        token = new_token()
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
        await audited(
            self.audit,
            actor.person_id,
            action,
            "CalendarToken",
            object_id,
            person.home_unit_path if person else "/",
        )

    async def feed(self, token: str) -> Feed:
        """The meetings of the token's person from ``days_back`` ago to ``days_ahead`` on:
        their cells' and those of the cells they follow as a leader. Unknown, revoked, or of a
        person no longer active: not found."""
        person_id = await self.tokens.live_person(hash_token(token)) if well_formed(token) else None
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
