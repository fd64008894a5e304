"""A real dispatcher process for crash trials: the Dispatcher, PiccoloOutbox and FcmSender of the
app, pointed at a fake FCM server, on the system clock with a short real lease.

`serve` is the body of a process started by tests/outbox_trials.py through multiprocessing's
forkserver, which imports this module once, so each dispatcher costs a fork rather than a second
of imports. The process opens the database and builds its sender, says "ready" on its pipe, and
starts when the parent says so (so the parent can start it ahead of time, or two together). It
drains the outbox and exits once no delivery is pending; while a dead dispatcher's lease still
holds some, it waits for the lease to run out. It says "claimed", "sent" and "settled" as each
step of a batch is done, which the parent may use to choose the moment to kill it.
"""

from __future__ import annotations

import asyncio
import os
import traceback
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from uuid import UUID

from db.engine import Database
from db.migrate import bind
from db.repositories.notifications import PiccoloOutbox
from db.tables import DeliveryTable
from domain.clock import SystemClock
from domain.notifications.model import DeliveryStatus
from domain.notifications.ports import Claimed, Outbox, Settlement
from notifications.dispatcher import Dispatcher
from notifications.senders.base import Push, Result, Sender
from notifications.senders.fcm import FcmSender

IDLE_POLL = 0.05  # seconds between empty claims while a dead dispatcher's lease runs out


@dataclass(frozen=True, slots=True)
class Options:
    database: str  # URL
    fcm: str  # the fake server's base URL
    ca_file: str  # its certificate
    worker: str
    project: str = "chibo-test"
    batch: int = 10
    lease: float = 1.0  # seconds


class Narrated:
    """The outbox and the sender as they are, saying when each step is done."""

    def __init__(self, outbox: Outbox, sender: Sender, parent: Connection) -> None:
        self.outbox, self.sender, self.parent = outbox, sender, parent

    async def claim(
        self, worker: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Claimed]:
        claimed = await self.outbox.claim(worker, now, lease_until, limit)
        if claimed:
            self.parent.send("claimed")
        return claimed

    async def renew(self, worker: str, ids: Sequence[UUID], lease_until: datetime) -> None:
        await self.outbox.renew(worker, ids, lease_until)

    async def settle(self, settlement: Settlement, now: datetime) -> None:
        await self.outbox.settle(settlement, now)
        self.parent.send("settled")

    async def send(self, pushes: list[Push]) -> list[Result]:
        results = await self.sender.send(pushes)
        self.parent.send("sent")
        return results

    async def close(self) -> None:
        await self.sender.close()


async def pending() -> int:
    count: int = await DeliveryTable.count().where(
        DeliveryTable.status == DeliveryStatus.PENDING.value
    )
    return count


async def run(options: Options, parent: Connection) -> None:
    database = Database(options.database)
    await database.open()
    bind(database)
    sender = FcmSender.for_fake(options.fcm, project_id=options.project, batch_size=options.batch)
    narrated = Narrated(PiccoloOutbox(database), sender, parent)
    dispatcher = Dispatcher(
        narrated,
        narrated,
        SystemClock(),
        worker=options.worker,
        batch_size=options.batch,
        lease=timedelta(seconds=options.lease),
    )
    try:
        parent.send("ready")
        await asyncio.to_thread(parent.recv)
        while True:
            stats = await dispatcher.run_once()
            if stats.claimed:
                continue
            if not await pending():
                break
            await asyncio.sleep(IDLE_POLL)
        parent.send("done")
    finally:
        await sender.close()
        await database.close()


def serve(options: Options, parent: Connection) -> None:
    """The body of a dispatcher process."""
    os.environ["SSL_CERT_FILE"] = options.ca_file  # httpx reads it when the SDK builds its client
    try:
        asyncio.run(run(options, parent))
    except BaseException:
        with suppress(OSError):
            parent.send(f"error {traceback.format_exc()}")
        raise
