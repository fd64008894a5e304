"""The outbox dispatcher: claim due deliveries under a lease, send them outside any transaction,
record each outcome.

Several dispatchers may run on PostgreSQL (claims skip rows another one holds); on SQLite one
runs, in the embedded process. A dispatcher that dies after claiming loses nothing: when its lease
runs out the deliveries are claimable again, so a push goes out at most twice, never zero times.
"""

from __future__ import annotations

import logging
import random
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from domain.clock import Clock
from domain.notifications.model import RetryPolicy
from domain.notifications.ports import Failure, Outbox, Settlement
from notifications.outbox import push_of, settle
from notifications.senders.base import Outcome, Result, Sender

log = logging.getLogger("chibo.notifications")

BATCH_SIZE = 500  # FCM's send_each takes at most 500 messages


@dataclass(frozen=True, slots=True)
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


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
        lease: timedelta = timedelta(minutes=5),
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
        now = self.clock.now()
        claimed = await self.outbox.claim(self.worker, now, now + self.lease, self.batch_size)
        if not claimed:
            return DispatchStats()
        live = [c for c in claimed if c.expires_at > now]
        expired = tuple(Failure(c.delivery_id, "expired") for c in claimed if c.expires_at <= now)
        results: list[Result] = []
        if live:
            try:
                results = await self.sender.send([push_of(c, now) for c in live])
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
        await self.outbox.settle(outcome, done)
        return DispatchStats(
            claimed=len(claimed),
            sent=len(outcome.sent),
            retried=len(outcome.retry),
            failed=len(outcome.failed),
        )

    async def drain(self, max_batches: int = 1000) -> DispatchStats:
        """Batches until nothing is due (what the scheduled outbox job calls)."""
        total = DispatchStats()
        for _ in range(max_batches):
            stats = await self.run_once()
            total = DispatchStats(
                total.claimed + stats.claimed,
                total.sent + stats.sent,
                total.retried + stats.retried,
                total.failed + stats.failed,
            )
            if stats.claimed < self.batch_size:
                break
        return total
