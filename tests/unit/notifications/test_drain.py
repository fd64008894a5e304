"""Dispatcher.drain overlaps the database work with the sends: one batch with the sender at a
time, each recorded from its own results only, nothing in flight abandoned when a step fails."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.notifications.model import Category
from domain.notifications.ports import Claimed, Settlement
from notifications.dispatcher import Dispatcher, DispatchStats
from notifications.senders.base import Outcome, Push, Result
from tests.fakes import START, FakeClock


def delivery() -> Claimed:
    return Claimed(
        delivery_id=uuid4(),
        notification_id=uuid4(),
        token=f"token-{uuid4().hex}",
        attempts=0,
        expires_at=START + timedelta(days=1),
        category=Category.MEETING,
        title="Thông báo sinh hoạt chi bộ",
        body="…",
        data={},
        subject="meeting:1",
        urgent=False,
    )


class FakeOutbox:
    """Hands out its deliveries in claims of up to `limit`; records settlements; a claim or a
    settle may be told to fail."""

    def __init__(self, count: int) -> None:
        self.due = [delivery() for _ in range(count)]
        self.settled: list[Settlement] = []
        self.log: list[str] = []
        self.fail_claim: int | None = None  # the n-th claim (1-based) raises
        self.claims = 0
        self.renewals: list[tuple[str, list[UUID], datetime]] = []
        self.renewed_twice = asyncio.Event()

    async def claim(
        self,
        worker: str,  # noqa: ARG002 - the Outbox protocol's signature
        now: datetime,  # noqa: ARG002
        lease_until: datetime,  # noqa: ARG002
        limit: int,
    ) -> list[Claimed]:
        self.claims += 1
        await asyncio.sleep(0)
        if self.claims == self.fail_claim:
            msg = "database gone"
            raise ConnectionError(msg)
        taken, self.due = self.due[:limit], self.due[limit:]
        self.log.append(f"claim {len(taken)}")
        return taken

    async def renew(self, worker: str, ids: Sequence[UUID], lease_until: datetime) -> None:
        self.renewals.append((worker, list(ids), lease_until))
        if len(self.renewals) == 2:
            self.renewed_twice.set()

    async def settle(self, settlement: Settlement, now: datetime) -> None:  # noqa: ARG002
        await asyncio.sleep(0.01)
        self.settled.append(settlement)
        self.log.append(f"settle {len(settlement.sent)}")

    @property
    def sent(self) -> list[UUID]:
        return [d for s in self.settled for d in s.sent]


class SlowSender:
    def __init__(self, clock: FakeClock, takes: timedelta = timedelta(0)) -> None:
        self.clock, self.takes = clock, takes
        self.batches: list[list[Push]] = []
        self.sending = 0
        self.most_at_once = 0

    async def send(self, pushes: list[Push]) -> list[Result]:
        self.sending += 1
        self.most_at_once = max(self.most_at_once, self.sending)
        await asyncio.sleep(0.02)
        self.clock.advance(self.takes)
        self.sending -= 1
        self.batches.append(pushes)
        return [Result(p.delivery_id, Outcome.SENT) for p in pushes]

    async def close(self) -> None:
        return None


def dispatcher(outbox: FakeOutbox, sender: SlowSender, clock: FakeClock) -> Dispatcher:
    return Dispatcher(outbox, sender, clock, worker="w1", batch_size=2, rand=lambda: 0.0)


async def test_drain_sends_one_batch_at_a_time_and_records_each_from_its_own_results() -> None:
    clock = FakeClock(START)
    outbox, sender = FakeOutbox(7), SlowSender(clock)
    stats = await dispatcher(outbox, sender, clock).drain()
    assert stats == DispatchStats(claimed=7, sent=7)
    assert sender.most_at_once == 1
    assert [len(b) for b in sender.batches] == [2, 2, 2, 1]
    assert [len(s.sent) for s in outbox.settled] == [2, 2, 2, 1]
    assert sorted(outbox.sent) == sorted(p.delivery_id for b in sender.batches for p in b)
    # the next claim went out before the batch before it was recorded: the work overlapped
    assert outbox.log.index("claim 2", 1) < outbox.log.index("settle 2")


async def test_a_failed_claim_still_records_the_batch_already_sent() -> None:
    clock = FakeClock(START)
    outbox, sender = FakeOutbox(6), SlowSender(clock)
    outbox.fail_claim = 3
    with pytest.raises(ConnectionError):
        await dispatcher(outbox, sender, clock).drain()
    sent = [p.delivery_id for b in sender.batches for p in b]
    assert len(sent) == 4
    assert sorted(outbox.sent) == sorted(sent)  # both sent batches are recorded


async def test_a_batch_claimed_ahead_is_not_sent_once_its_lease_ran_out() -> None:
    clock = FakeClock(START.astimezone(UTC))
    outbox = FakeOutbox(4)
    sender = SlowSender(clock, takes=timedelta(minutes=6))  # each send outlasts the lease
    stats = await dispatcher(outbox, sender, clock).drain(max_batches=2)
    assert [len(b) for b in sender.batches] == [2]  # the second batch waited out its lease
    assert stats == DispatchStats(claimed=2, sent=2)
    assert len(outbox.sent) == 2


class SenderOutlastingTwoRenewals:
    def __init__(self, outbox: FakeOutbox) -> None:
        self.outbox = outbox

    async def send(self, pushes: list[Push]) -> list[Result]:
        await self.outbox.renewed_twice.wait()
        return [Result(p.delivery_id, Outcome.SENT) for p in pushes]

    async def close(self) -> None:
        return None


async def test_a_batch_keeps_its_lease_renewed_while_its_send_runs() -> None:
    clock, outbox, lease = FakeClock(START), FakeOutbox(2), timedelta(milliseconds=30)
    claimed = [d.delivery_id for d in outbox.due]
    sender = SenderOutlastingTwoRenewals(outbox)
    stats = await Dispatcher(outbox, sender, clock, worker="w1", lease=lease).run_once()
    assert stats == DispatchStats(claimed=2, sent=2)
    assert outbox.renewals == [("w1", claimed, clock.now() + lease)] * 2
