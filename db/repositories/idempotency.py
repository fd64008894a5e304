"""Idempotency keys: claim a key for a request, then keep its reply for replays.

A key lives ``lifetime`` (CHIBO_IDEMPOTENCY_KEY_DAYS) from its claim: after that it is forgotten,
whether or not the housekeeping job has deleted its row yet, and the same key starts afresh.
"""

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
    def __init__(self, in_flight_timeout: timedelta, lifetime: timedelta) -> None:
        # A claim older than this belongs to a request that died before answering.
        self.in_flight_timeout = in_flight_timeout
        self.lifetime = lifetime

    async def claim(self, person: UUID, key: str, request_hash: str, now: datetime) -> Claim:
        where = (IdempotencyKeyTable.person == person) & (IdempotencyKeyTable.key == key)
        row = await IdempotencyKeyTable.select().where(where).first()
        if row is None:
            return await self._claim_new(person, key, request_hash, now)
        if row["created_at"] + self.lifetime <= now:
            return await self._restart(person, key, row["created_at"], request_hash, now)
        if row["request_hash"] != request_hash:
            return Claim(ClaimOutcome.MISMATCH)
        if row["status"] is not None:
            return Claim(ClaimOutcome.REPLAY, row["status"], row["content_type"], row["body"])
        if row["created_at"] + self.in_flight_timeout > now:
            return Claim(ClaimOutcome.IN_FLIGHT)
        await IdempotencyKeyTable.update({IdempotencyKeyTable.created_at: now}).where(where)
        return Claim(ClaimOutcome.CLAIMED)

    async def _claim_new(self, person: UUID, key: str, request_hash: str, now: datetime) -> Claim:
        try:
            async with translating_unique("idempotency_request_in_flight"):
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

    async def _restart(
        self, person: UUID, key: str, claimed_at: datetime, request_hash: str, now: datetime
    ) -> Claim:
        """Start an expired key afresh, unless a concurrent request just did."""
        taken = (
            await IdempotencyKeyTable.update(
                {
                    IdempotencyKeyTable.request_hash: request_hash,
                    IdempotencyKeyTable.status: None,
                    IdempotencyKeyTable.content_type: None,
                    IdempotencyKeyTable.body: None,
                    IdempotencyKeyTable.created_at: now,
                    IdempotencyKeyTable.completed_at: None,
                }
            )
            .where(
                (IdempotencyKeyTable.person == person)
                & (IdempotencyKeyTable.key == key)
                & (IdempotencyKeyTable.created_at == claimed_at)
            )
            .returning(IdempotencyKeyTable.id)
        )
        return Claim(ClaimOutcome.CLAIMED if taken else ClaimOutcome.IN_FLIGHT)

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
