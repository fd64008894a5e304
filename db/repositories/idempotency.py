"""Idempotency keys: the reply of a POST, kept under its key in the request's own transaction.

The middleware (api/http/idempotency.py) claims the key, runs the handler and keeps the reply
inside one unit of work, so a key row exists only together with the effects of the request it
answers: a crash at any point leaves both or neither, and nothing stays locked behind it.

A key lives ``lifetime`` (CHIBO_IDEMPOTENCY_KEY_DAYS) from its claim: after that it is forgotten,
whether or not the housekeeping job has deleted its row yet, and the same key starts afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from piccolo.columns.combination import And
from piccolo.querystring import QueryString

from db.engine import Database
from db.tables import IdempotencyKeyTable


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    REPLAY = "replay"
    MISMATCH = "mismatch"
    IN_FLIGHT = "in_flight"


@dataclass(frozen=True, slots=True)
class StoredReply:
    status: int
    content_type: str
    body: str


@dataclass(frozen=True, slots=True)
class Claim:
    outcome: ClaimOutcome
    reply: StoredReply | None = None


class IdempotencyStore:
    def __init__(self, database: Database, lifetime: timedelta) -> None:
        self.database = database
        self.lifetime = lifetime

    async def claim(self, person: UUID, key: str, request_hash: str, now: datetime) -> Claim:
        """What to do with this key; call it inside the transaction that will run the request."""
        if not await self._lock(person, key):
            return Claim(ClaimOutcome.IN_FLIGHT)
        row = await IdempotencyKeyTable.select().where(_of(person, key)).first()
        # a row without a reply was claimed by an earlier version that died before answering
        if row is None or row["status"] is None or row["created_at"] + self.lifetime <= now:
            return Claim(ClaimOutcome.CLAIMED)
        if row["request_hash"] != request_hash:
            return Claim(ClaimOutcome.MISMATCH)
        reply = StoredReply(row["status"], row["content_type"] or "", row["body"] or "")
        return Claim(ClaimOutcome.REPLAY, reply)

    async def _lock(self, person: UUID, key: str) -> bool:
        """PostgreSQL: a lock on the key for the rest of the transaction, refused while another
        transaction runs the same key (so the duplicate hears 409 at once), released by commit,
        rollback or a dead connection. SQLite runs one write transaction at a time: a duplicate
        waits for the first to commit, then finds its reply."""
        if self.database.kind != "postgres":
            return True
        rows = await self.database.engine.run_querystring(
            QueryString(
                "SELECT pg_try_advisory_xact_lock(hashtextextended({}, 0)) AS taken",
                f"idempotency:{person}:{key}",
            )
        )
        return bool(rows[0]["taken"])

    async def keep(
        self,
        person: UUID,
        key: str,
        request_hash: str,
        reply: StoredReply,
        claimed_at: datetime,
        now: datetime,
    ) -> None:
        """Store the reply in the transaction of the request's effects (over an expired row of
        the same key)."""
        await IdempotencyKeyTable.insert(
            IdempotencyKeyTable(
                id=uuid4(),
                person=person,
                key=key,
                request_hash=request_hash,
                status=reply.status,
                content_type=reply.content_type,
                body=reply.body,
                created_at=claimed_at,
                completed_at=now,
            )
        ).on_conflict(
            target=(IdempotencyKeyTable.person, IdempotencyKeyTable.key),
            action="DO UPDATE",
            values=[
                IdempotencyKeyTable.request_hash,
                IdempotencyKeyTable.status,
                IdempotencyKeyTable.content_type,
                IdempotencyKeyTable.body,
                IdempotencyKeyTable.created_at,
                IdempotencyKeyTable.completed_at,
            ],
        )


def _of(person: UUID, key: str) -> And:
    return (IdempotencyKeyTable.person == person) & (IdempotencyKeyTable.key == key)
