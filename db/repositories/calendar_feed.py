"""CalendarTokenRepository on Piccolo: only the SHA-256 of a token is stored."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from db.tables import CalendarTokenTable
from domain.calendar_feed.model import CalendarToken


class PiccoloCalendarTokenRepository:
    async def add(self, token: CalendarToken) -> None:
        await CalendarTokenTable.insert(
            CalendarTokenTable(
                id=token.id,
                person=token.person_id,
                token_hash=token.token_hash,
                created_at=token.created_at,
                revoked_at=token.revoked_at,
            )
        )

    async def revoke_all(self, person_id: UUID, at: datetime) -> int:
        revoked = (
            await CalendarTokenTable.update({CalendarTokenTable.revoked_at: at})
            .where(
                (CalendarTokenTable.person == person_id) & CalendarTokenTable.revoked_at.is_null()
            )
            .returning(CalendarTokenTable.id)
        )
        return len(revoked)

    async def live_person(self, token_hash: str) -> UUID | None:
        row = (
            await CalendarTokenTable.select(CalendarTokenTable.person)
            .where(
                (CalendarTokenTable.token_hash == token_hash)
                & CalendarTokenTable.revoked_at.is_null()
            )
            .first()
        )
        return row["person"] if row else None
