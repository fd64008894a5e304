"""The outbox dispatcher: claim due deliveries under a lease, send them outside any transaction,
record each outcome.

Several dispatchers may run on PostgreSQL (claims skip rows another one holds); on SQLite one
runs, in the embedded process. A dispatcher that dies after claiming loses nothing: when its lease
runs out the deliveries are claimable again, so a push goes out never zero times, and once more
for each dispatcher that died holding it: twice after one crash (tests/db/test_outbox_crash.py).
The lease is short (CHIBO_PUSH_LEASE_SECONDS, 30 s) so that a dead dispatcher's claims come free
soon, and renewed every third of it while a batch is being sent, so that a slow send keeps its
own; a push sent twice carries the same ``deliveryId``, on which the app drops the second.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.notifications.model import RetryPolicy
from domain.notifications.ports import Claimed, Failure, Outbox, Settlement
from domain.ports import Clock
from notifications.outbox import push_of, settle
from notifications.senders.base import Outcome, Push, Result, Sender

log = logging.getLogger("chibo.notifications")

BATCH_SIZE = 500  # FCM's send_each takes at most 500 messages


@dataclass(frozen=True, slots=True)
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __add__(self, other: DispatchStats) -> DispatchStats:
        return DispatchStats(
            self.claimed + other.claimed,
            self.sent + other.sent,
            self.retried + other.retried,
            self.failed + other.failed,
        )


@dataclass(frozen=True, slots=True)
class _Batch:
    claimed: list[Claimed]
    lease_until: datetime


@dataclass(frozen=True, slots=True)
class _Sent:
    """A batch after its send: what to record, and when the results came."""

    claimed: int
    settlement: Settlement
    at: datetime


def worker_name() -> str:
    return f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"[:100]


class Dispatcher:
    def __init__(
        self,
        outbox: Outbox,
        sender: Sender,
        clock: Clock,
        *,
        worker: str | None = None,
        batch_size: int = BATCH_SIZE,
        lease: timedelta = timedelta(seconds=30),
        policy: RetryPolicy | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.outbox, self.sender, self.clock = outbox, sender, clock
        self.worker = worker or worker_name()
        self.batch_size = min(batch_size, BATCH_SIZE)
        self.lease = lease
        self.policy = policy or RetryPolicy()
        self.rand = rand

    async def run_once(self) -> DispatchStats:
        """Claim, send and record one batch."""
        return await self._record(await self._send(await self._claim()))

    async def drain(self, max_batches: int = 1000) -> DispatchStats:
        """Batches until nothing is due (what the scheduled outbox job calls).

        As in run_once, one batch at a time is with the sender, and a batch is recorded only from
        its own send's results; but the database work around a send overlaps it: the next batch
        is claimed meanwhile (after a full batch only: more may be due), and the batch before is
        recorded meanwhile. Work in flight when something fails is waited for, never cancelled:
        a record in flight is of pushes already sent."""
        total = DispatchStats()
        claiming: asyncio.Task[_Batch] | None = asyncio.create_task(self._claim())
        recording: asyncio.Task[DispatchStats] | None = None
        before: asyncio.Task[DispatchStats] | None = None
        try:
            for n in range(max_batches):
                if claiming is None:
                    break
                batch = await claiming
                claiming = None
                if not batch.claimed:
                    break
                if len(batch.claimed) >= self.batch_size and n + 1 < max_batches:
                    claiming = asyncio.create_task(self._claim())
                sent = await self._send(batch)
                before, recording = recording, asyncio.create_task(self._record(sent))
                if before is not None:
                    total += await before
            if recording is not None:
                total += await recording
        finally:
            in_flight = [t for t in (claiming, before, recording) if t and not t.done()]
            await asyncio.gather(*in_flight, return_exceptions=True)
        return total

    async def _claim(self) -> _Batch:
        now = self.clock.now()
        lease_until = now + self.lease
        claimed = await self.outbox.claim(self.worker, now, lease_until, self.batch_size)
        return _Batch(claimed, lease_until)

    async def _send(self, batch: _Batch) -> _Sent:
        """The batch's pushes, sent while its lease holds; what to record of them."""
        now = self.clock.now()
        if batch.claimed and now >= batch.lease_until:
            # claimed ahead and waited out its lease: another dispatcher may hold it by now
            log.warning(
                "lease of %d claimed deliveries ran out before their send", len(batch.claimed)
            )
            return _Sent(0, Settlement(), now)
        live = [c for c in batch.claimed if c.expires_at > now]
        expired = tuple(
            Failure(c.delivery_id, "expired") for c in batch.claimed if c.expires_at <= now
        )
        results: list[Result] = []
        if live:
            try:
                results = await self._send_renewing([push_of(c, now) for c in live])
            except Exception as error:  # noqa: BLE001 - a failed batch is retried, not lost
                log.warning("push batch of %d failed: %r", len(live), error)
                results = [
                    Result(c.delivery_id, Outcome.RETRY, error=f"batch failed: {error!r}"[:500])
                    for c in live
                ]
        done = self.clock.now()
        outcome = settle(live, results, done, self.policy, self.rand)
        outcome = Settlement(
            outcome.sent, outcome.retry, outcome.failed + expired, outcome.invalid_tokens
        )
        return _Sent(len(batch.claimed), outcome, done)

    async def _send_renewing(self, pushes: list[Push]) -> list[Result]:
        """The sender's results, the lease on the pushes' deliveries renewed while it works."""
        done = asyncio.Event()
        renewing = asyncio.create_task(self._renew([p.delivery_id for p in pushes], done))
        try:
            return await self.sender.send(pushes)
        finally:
            done.set()
            await renewing

    async def _renew(self, ids: list[UUID], done: asyncio.Event) -> None:
        every = self.lease.total_seconds() / 3
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), every)
            if done.is_set():
                return
            try:
                await self.outbox.renew(self.worker, ids, self.clock.now() + self.lease)
            except Exception as error:  # noqa: BLE001 - the send goes on; the next renewal may pass
                log.warning("renewing the lease of %d deliveries failed: %r", len(ids), error)

    async def _record(self, sent: _Sent) -> DispatchStats:
        if sent.claimed:
            await self.outbox.settle(sent.settlement, sent.at)
        return DispatchStats(
            claimed=sent.claimed,
            sent=len(sent.settlement.sent),
            retried=len(sent.settlement.retry),
            failed=len(sent.settlement.failed),
        )
