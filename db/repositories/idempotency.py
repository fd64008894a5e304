"""Idempotency keys: claim a key for a request, then keep its reply for replays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from db.tables import IdempotencyKeyTable
from db.unique import translating_unique
from domain.errors import ConflictError


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    REPLAY = "replay"
    MISMATCH = "mismatch"
    IN_FLIGHT = "in_flight"


@dataclass(frozen=True, slots=True)
class Claim:
    outcome: ClaimOutcome
    status: int | None = None
    content_type: str | None = None
    body: str | None = None


class IdempotencyStore:
    def __init__(self, in_flight_timeout: timedelta) -> None:
        # A claim older than this belongs to a request that died before answering.
        self.in_flight_timeout = in_flight_timeout

    async def claim(self, person: UUID, key: str, request_hash: str, now: datetime) -> Claim:
        where = (IdempotencyKeyTable.person == person) & (IdempotencyKeyTable.key == key)
        row = await IdempotencyKeyTable.select().where(where).first()
        if row is None:
            try:
                async with translating_unique("idempotency_race"):
                    await IdempotencyKeyTable.insert(
                        IdempotencyKeyTable(
                            id=uuid4(),
                            person=person,
                            key=key,
                            request_hash=request_hash,
                            created_at=now,
                        )
                    )
            except ConflictError:
                return Claim(ClaimOutcome.IN_FLIGHT)
            return Claim(ClaimOutcome.CLAIMED)
        if row["request_hash"] != request_hash:
            return Claim(ClaimOutcome.MISMATCH)
        if row["status"] is not None:
            return Claim(ClaimOutcome.REPLAY, row["status"], row["content_type"], row["body"])
        if row["created_at"] + self.in_flight_timeout > now:
            return Claim(ClaimOutcome.IN_FLIGHT)
        await IdempotencyKeyTable.update({IdempotencyKeyTable.created_at: now}).where(where)
        return Claim(ClaimOutcome.CLAIMED)

    async def complete(
        self, person: UUID, key: str, status: int, content_type: str, body: str, now: datetime
    ) -> None:
        await IdempotencyKeyTable.update(
            {
                IdempotencyKeyTable.status: status,
                IdempotencyKeyTable.content_type: content_type,
                IdempotencyKeyTable.body: body,
                IdempotencyKeyTable.completed_at: now,
            }
        ).where((IdempotencyKeyTable.person == person) & (IdempotencyKeyTable.key == key))

    async def release(self, person: UUID, key: str) -> None:
        await IdempotencyKeyTable.delete().where(
            (IdempotencyKeyTable.person == person) & (IdempotencyKeyTable.key == key)
        )
