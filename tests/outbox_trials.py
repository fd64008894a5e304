"""Crash trials of the push outbox with real dispatcher processes (tests/outbox_process.py)
against the fake FCM server: shared by tests/db/test_outbox_crash.py and bench/outbox_kill.py.

Each trial is the scenario of issue 6. Fresh deliveries are seeded (20: a notification to one
person's 20 phones); a dispatcher is started and killed with SIGKILL at a random moment (once n
pushes reached the server, n = 0 being at once, before its first claim is through; or right after
its k-th claim, send or settle); then a restarted dispatcher runs undisturbed until the outbox is
drained, which takes until the killed one's lease (1 s) has run out on the claims it left
unsettled. Only then does the next trial begin, so every delivery is held by at most one killed
dispatcher. Each dispatcher process is started while the one before it runs, so a trial costs
about one lease rather than process start-ups.

What the outbox promises after one crash, checked by `Report`: nothing is lost (every delivery is
recorded SENT and reached the server), and nothing reaches the server more than twice: a second
time only if the killed dispatcher held the delivery claimed but unsettled (it may or may not have
pushed it; the restarted one cannot know), never otherwise (each process has its own FCM project
id, so the server knows who pushed what). A delivery caught by two successive crashes may go out
a third time: a send's outcome is unknown after a crash, so no design can promise both "never
lost" and "at most twice" across repeated crashes.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import random
import signal
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from uuid import UUID

from db.engine import Database
from db.repositories.notifications import PiccoloNotificationStore
from db.tables import DeliveryTable
from domain.notifications.model import (
    Category,
    DeliveryStatus,
    Device,
    Notification,
    Platform,
)
from domain.notifications.ports import Scheduled
from tests.factories import build_world
from tests.fake_fcm import FakeFcm
from tests.outbox_process import Options, serve

DEVICES = 20  # one person's phones; every notification is pushed to each of them
Push = tuple[str, str]  # (token, notification id): how the fake server tells deliveries apart


# -- databases -------------------------------------------------------------------------------


async def phones() -> UUID:
    """A person with DEVICES phones (and the organisation around them): whom trials push to."""
    world = await build_world()
    store = PiccoloNotificationStore()
    now = datetime.now(UTC)
    for n in range(DEVICES):
        await store.save_device(
            Device(uuid.uuid4(), world.member_a.id, f"crash-{n:03d}", Platform.ANDROID, "1.0.0",
                   "vi", None, now, now)
        )  # fmt: skip
    return world.member_a.id


async def seed(database: Database, deliveries: int, person: UUID | None = None) -> dict[UUID, Push]:
    """About `deliveries` more pending deliveries, due now: notifications to the phones of
    `person` (from `phones`; a new such person if None). Returns only the new ones."""
    if person is None:
        person = await phones()
    store = PiccoloNotificationStore()
    now = datetime.now(UTC)
    scheduled = [
        Scheduled(
            Notification(
                id=uuid.uuid4(),
                person_id=person,
                category=Category.TASK,
                title="Việc mới được giao",
                body=f"Việc số {n}",
                data={"taskId": str(n)},
                subject=f"task:{n}",
                urgent=False,
                created_at=now,
            ),
            not_before=now,
            expires_at=now + timedelta(days=1),
        )
        for n in range(-(-deliveries // DEVICES))
    ]
    async with database.atomic():
        await store.enqueue(scheduled)
    rows = await DeliveryTable.select(
        DeliveryTable.id, DeliveryTable.token, DeliveryTable.notification
    ).where(DeliveryTable.notification.is_in([s.notification.id for s in scheduled]))
    return {row["id"]: (row["token"], str(row["notification"])) for row in rows}


async def outcomes() -> dict[UUID, str]:
    rows = await DeliveryTable.select(DeliveryTable.id, DeliveryTable.status)
    return {row["id"]: row["status"] for row in rows}


async def left_unsettled(worker: str) -> list[UUID]:
    """What a dead dispatcher still holds: claimed, never recorded."""
    rows = await DeliveryTable.select(DeliveryTable.id).where(
        (DeliveryTable.claimed_by == worker)
        & (DeliveryTable.status == DeliveryStatus.PENDING.value)
    )
    return [row["id"] for row in rows]


# -- dispatcher processes --------------------------------------------------------------------


async def until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll `condition` until it holds; TimeoutError naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            msg = f"gave up after {seconds:.0f} s waiting for {what}"
            raise TimeoutError(msg)
        await asyncio.sleep(0.002)


# Forked from a server process that imported the dispatcher's modules once: a dispatcher starts
# in milliseconds instead of a second of imports, and is still a process of its own to kill.
# "__main__" and this module too: multiprocessing re-runs the parent's main module in every child
# (pytest's script, or bench.outbox_kill), which then finds everything imported already.
FORKS = multiprocessing.get_context("forkserver")
FORKS.set_forkserver_preload(["__main__", "tests.outbox_trials"])


@dataclass
class DispatcherProcess:
    """A dispatcher in its own process (tests.outbox_process.serve); `said` counts what it said
    on its pipe ("ready", "claimed", "sent", "settled", "done"), `error` its traceback if any."""

    worker: str
    process: BaseProcess
    pipe: Connection
    said: Counter[str] = field(default_factory=Counter)
    error: str = ""
    closed: bool = False

    def listen(self) -> None:
        asyncio.get_running_loop().add_reader(self.pipe.fileno(), self._receive)

    def _receive(self) -> None:
        try:
            while self.pipe.poll():
                word = str(self.pipe.recv())
                if word.startswith("error "):
                    self.error = word.removeprefix("error ")
                self.said[word.split(" ", 1)[0]] += 1
        except (EOFError, OSError):
            self._close()

    def _close(self) -> None:
        if not self.closed:
            self.closed = True
            asyncio.get_running_loop().remove_reader(self.pipe.fileno())
            self.pipe.close()

    @property
    def exited(self) -> bool:
        return self.closed or self.process.exitcode is not None

    async def ready(self, seconds: float = 60) -> None:
        await until(lambda: self.said["ready"] > 0 or self.exited, seconds, f"{self.worker} ready")
        if not self.said["ready"]:
            msg = f"{self.worker} did not start: {self.error}"
            raise RuntimeError(msg)

    async def go(self) -> None:
        with suppress(OSError):  # it may be dead already: that is a trial too
            self.pipe.send("go")

    async def kill(self) -> bool:
        """SIGKILL; whether it was still running."""
        alive = self.process.exitcode is None
        if alive:
            self.process.kill()
        await until(lambda: self.process.exitcode is not None, 60, f"{self.worker} to die")
        self._close()
        return alive and self.process.exitcode == -signal.SIGKILL

    async def finish(self, seconds: float) -> None:
        """Wait for it to drain the outbox and exit cleanly."""
        await until(lambda: self.process.exitcode is not None, seconds, f"{self.worker} to drain")
        self._receive()
        self._close()
        if self.process.exitcode != 0 or not self.said["done"]:
            msg = f"{self.worker} exited with {self.process.exitcode}: {self.error}"
            raise RuntimeError(msg)


async def stopped(*processes: DispatcherProcess) -> None:
    """Kill those still running (after a failure: nothing is left behind)."""
    for process in processes:
        await process.kill()


def start(
    database: Database,
    fake: FakeFcm,
    worker: str,
    *,
    batch: int = 10,
    lease: float = 1.0,
) -> DispatcherProcess:
    """A dispatcher process named `worker`, which is also its FCM project id: the fake server
    tells by the project which process pushed what."""
    options = Options(database.url, fake.base_url, fake.ca_file, worker, worker, batch, lease)
    ours, theirs = FORKS.Pipe()
    process = FORKS.Process(target=serve, args=(options, theirs), name=worker, daemon=True)
    process.start()
    theirs.close()
    started = DispatcherProcess(worker, process, ours)
    started.listen()
    return started


# -- the trials ------------------------------------------------------------------------------

MOMENTS = ("arrivals", "arrivals", "claimed", "sent", "settled")


@dataclass(frozen=True, slots=True)
class Moment:
    """When to kill: once the server got `count` more pushes, or after the `count`-th step."""

    after: str
    count: int

    @classmethod
    def pick(cls, rng: random.Random, batch: int, deliveries: int) -> Moment:
        """A moment that comes while a dispatcher works through `deliveries` in batches."""
        after = rng.choice(MOMENTS)
        if after == "arrivals":  # 0 pushes: killed at once, while it claims its first batch
            return cls(after, rng.randrange(deliveries))
        return cls(after, rng.randint(1, -(-deliveries // batch)))


async def kill_at(
    process: DispatcherProcess, moment: Moment, fake: FakeFcm, seconds: float
) -> bool:
    """Let it go, SIGKILL it at `moment` (unless it drained the outbox first): whether it died."""
    base = len(fake.received)

    def reached() -> bool:
        if process.exited:
            return True
        if moment.after == "arrivals":
            return len(fake.received) - base >= moment.count
        return process.said[moment.after] >= moment.count

    await process.go()
    await until(reached, seconds, f"{process.worker} to reach {moment}")
    died = await process.kill()
    if not died and process.process.exitcode != 0:
        msg = f"{process.worker} exited with {process.process.exitcode}: {process.error}"
        raise RuntimeError(msg)
    return died


@dataclass(frozen=True, slots=True)
class Trial:
    """One crash and restart: the deliveries seeded for it, the dispatcher killed at `moment`
    and what it left claimed but unsettled, and the dispatcher restarted after it."""

    deliveries: dict[UUID, Push]
    moment: Moment
    killed: str
    died: bool  # it was still running at its moment (else it had drained the outbox)
    unsettled: frozenset[UUID]
    restarted: str
    killed_at: float  # time.monotonic() of the kill


@dataclass(frozen=True, slots=True)
class Report:
    """What reached the server, per delivery, against what the killed dispatchers left behind.

    A push is explained when it came from its trial's killed dispatcher or its restarted one,
    each pushed the delivery at most once, and both did only if the killed one left the delivery
    unsettled: so after one crash a delivery reaches the server once or twice.
    """

    engine: str
    trials: int
    killed: int  # trials whose dispatcher was still running at its moment
    deliveries: int
    lost: int  # not recorded SENT, or never reached the server
    once: int
    twice: int
    more: int  # reached the server three times or more
    kills_unsettled: int  # kills that left claims unsettled
    unsettled: int  # the claims they left unsettled
    unexplained: int  # deliveries with a push that is not explained (see above)
    strays: int  # pushes at the server that match no delivery
    seconds: float
    # of the deliveries sent twice, those whose two pushes carried the same deliveryId (the app
    # shows them once)
    twice_same_id: int = 0
    # per kill that left claims unsettled: seconds from the kill until the first of them reached
    # the server again
    redelivered_after: tuple[float, ...] = ()

    @property
    def sound(self) -> bool:
        """Nothing lost, nothing sent more than twice, every push accounted for."""
        return self.lost == self.more == self.unexplained == self.strays == 0

    @property
    def telling(self) -> bool:
        """Kills landed between a push and its record, so the trials did test something."""
        return self.twice > 0 and self.kills_unsettled > 0

    def lines(self) -> list[str]:
        return [
            f"engine                {self.engine}",
            f"trials                {self.trials} (kill, restart, drain the outbox)",
            f"killed while running  {self.killed} (any other had drained first)",
            f"deliveries            {self.deliveries} (fresh in each trial)",
            f"lost                  {self.lost}",
            f"sent once             {self.once}",
            (
                f"sent twice            {self.twice} ({self.twice_same_id} with one deliveryId:"
                " the app shows them once)"
            ),
            f"sent >2               {self.more}",
            f"kills left unsettled  {self.kills_unsettled} ({self.unsettled} claims in all)",
            f"unexplained pushes    {self.unexplained}",
            f"strays                {self.strays}",
            (
                f"redelivered after     {_spread(self.redelivered_after)} (kill to the first"
                " push of what it left unsettled)"
            ),
            f"seconds               {self.seconds:.1f}",
        ]


def _spread(seconds: tuple[float, ...]) -> str:
    if not seconds:
        return "-"
    ordered = sorted(seconds)
    median = ordered[len(ordered) // 2]
    return f"median {median:.2f} s, max {ordered[-1]:.2f} s over {len(ordered)} kills"


def pushers(fake: FakeFcm) -> dict[Push, list[str]]:
    """Which dispatcher processes pushed each (token, notification id): a project id each."""
    found: dict[Push, list[str]] = {}
    for received in fake.received:
        push = (str(received.token), received.data.get("notification_id", ""))
        found.setdefault(push, []).append(received.project)
    return found


def delivery_ids(fake: FakeFcm) -> dict[Push, set[str]]:
    """The deliveryIds each (token, notification id) was pushed with."""
    found: dict[Push, set[str]] = {}
    for received in fake.received:
        push = (str(received.token), received.data.get("notification_id", ""))
        found.setdefault(push, set()).add(received.data.get("deliveryId", ""))
    return found


def redelivered_after(trial: Trial, fake: FakeFcm) -> float | None:
    """Seconds from the kill until the restarted dispatcher pushed what the killed one left."""
    left = {trial.deliveries[d] for d in trial.unsettled if d in trial.deliveries}
    arrivals = [
        r.at
        for r in fake.received
        if r.project == trial.restarted
        and (str(r.token), r.data.get("notification_id", "")) in left
    ]
    return min(arrivals) - trial.killed_at if arrivals else None


def explained(trial: Trial, delivery: UUID, workers: list[str]) -> bool:
    again = [w for w in workers if not (w == trial.killed and delivery in trial.unsettled)]
    return (
        len(set(workers)) == len(workers)
        and set(workers) <= {trial.killed, trial.restarted}
        and len(again) <= 1
    )


def report(
    engine: str,
    trials: list[Trial],
    fake: FakeFcm,
    statuses: dict[UUID, str],
    seconds: float,
) -> Report:
    by, ids = pushers(fake), delivery_ids(fake)
    known = {push for trial in trials for push in trial.deliveries.values()}
    sends: dict[UUID, int] = {}
    unexplained = twice_same_id = 0
    for trial in trials:
        for delivery, push in trial.deliveries.items():
            workers = by.get(push, [])
            sends[delivery] = len(workers)
            unexplained += not explained(trial, delivery, workers)
            twice_same_id += len(workers) == 2 and ids.get(push) == {str(delivery)}
    delays = (redelivered_after(trial, fake) for trial in trials if trial.unsettled)
    return Report(
        engine=engine,
        trials=len(trials),
        killed=sum(trial.died for trial in trials),
        deliveries=len(sends),
        lost=sum(
            1 for d, n in sends.items() if n == 0 or statuses.get(d) != DeliveryStatus.SENT.value
        ),
        once=sum(1 for n in sends.values() if n == 1),
        twice=sum(1 for n in sends.values() if n == 2),
        more=sum(1 for n in sends.values() if n > 2),
        kills_unsettled=sum(1 for trial in trials if trial.unsettled),
        unsettled=sum(len(trial.unsettled) for trial in trials),
        unexplained=unexplained,
        strays=sum(len(w) for push, w in by.items() if push not in known),
        seconds=seconds,
        twice_same_id=twice_same_id,
        redelivered_after=tuple(d for d in delays if d is not None),
    )


async def kill_trials(
    database: Database,
    fake: FakeFcm,
    *,
    trials: int,
    rng: random.Random,
    deliveries: int = 20,
    batch: int = 10,
    lease: float = 1.0,
    seconds_per_step: float = 60,
) -> Report:
    """`trials` times: seed `deliveries`, kill a dispatcher at a random moment, and drain the
    outbox with a restarted one before the next trial."""
    began = time.monotonic()
    person = await phones()
    names = (f"t{n:04d}-{role}" for n in itertools.count() for role in ("killed", "restarted"))

    def spawn() -> DispatcherProcess:
        return start(database, fake, next(names), batch=batch, lease=lease)

    done: list[Trial] = []
    spare = spawn()
    in_play = [spare]
    try:
        for _ in range(trials):
            seeded = await seed(database, deliveries, person)
            victim = spare
            await victim.ready(seconds_per_step)
            spare = spawn()  # the restarted one starts up while this one runs
            in_play = [victim, spare]
            moment = Moment.pick(rng, batch, len(seeded))
            died = await kill_at(victim, moment, fake, seconds_per_step)
            killed_at = time.monotonic()
            unsettled = frozenset(await left_unsettled(victim.worker))
            restarted = spare
            await restarted.ready(seconds_per_step)
            spare = spawn()  # the next trial's starts up while this one drains
            in_play = [restarted, spare]
            await restarted.go()  # it claims what the killed one held once the lease ran out
            await restarted.finish(seconds_per_step)
            done.append(
                Trial(seeded, moment, victim.worker, died, unsettled, restarted.worker, killed_at)
            )
    finally:
        await stopped(*in_play)
    return report(database.kind, done, fake, await outcomes(), time.monotonic() - began)
