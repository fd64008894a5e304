"""The push fan-out (issue 6): 10,000 notifications to 10,000 devices through the outbox to a fake
FCM server, beside the raw SDK against the same server in the same run.

Per engine, in a fresh database: 10,000 people with one device each (multi-row INSERTs), then
rounds of

- **outbox**: the real ``Notifier`` (the app's path: ``notify`` for 1,000 people at a time, one
  transaction each, as a meeting notice to a whole ward would) enqueues 10,000 notifications and
  their deliveries; then, measured, the real ``Dispatcher`` drains them through the real
  ``FcmSender`` (firebase-admin, ``send_each_async``, HTTP/2 over TLS);
- **raw**: ``firebase_admin.messaging.send_each_async`` over the same 10,000 tokens, 500 messages
  a call, one call after another, with the same texts, data and platform options;

in the order raw, outbox, outbox, raw, twice, so drift on the machine evens out (``--quick``:
1,000 people, raw then outbox once). The fake server (tests/fake_fcm.py, on uvloop) runs in a
process of its own, the same one for every round: in this process it would take the event loop
and the CPU from the code under test and count in its CPU time. It counts the requests that
arrive per (token, notification id), so lost and duplicated pushes are counted, not assumed; the
database must also hold every delivery of the round as sent. CPU is this process's (all its
threads: aiosqlite's too, not PostgreSQL's server) per message. Numbers only: nothing here
asserts on speed.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import firebase_admin
from firebase_admin import messaging
from google.oauth2.credentials import Credentials
from piccolo.querystring import QueryString

from db.engine import Database
from db.migrate import bind, migrate
from db.repositories.notifications import PiccoloNotificationStore, PiccoloOutbox
from domain.clock import LOCAL_TZ
from domain.notifications.model import Category
from domain.notifications.service import Message, Notifier
from domain.org.model import Locale
from notifications.dispatcher import BATCH_SIZE, Dispatcher, DispatchStats
from notifications.senders.fcm import NOTIFICATION_ID_KEY, FcmSender, point_at
from notifications.texts import TemplateTexts
from tests.fake_fcm import trusting

PEOPLE, QUICK_PEOPLE = 10_000, 1_000
CLK_TCK = os.sysconf("SC_CLK_TCK")
NOTIFY_BATCH = 1_000  # people per notify call (one transaction)
INSERT_ROWS = 500  # rows per seeding INSERT
GOAL = 0.8
# A B B A, twice: a send's CPU cost drifts by ±20 % from one round to the next on a shared VM
ORDER, QUICK_ORDER = ("raw", "outbox", "outbox", "raw") * 2, ("raw", "outbox")
PLACE = "Nhà văn hóa khu dân cư"
UNIT_COLUMNS = "id parent path name level is_cell active created_at updated_at version"
PERSON_COLUMNS = (
    "id home_unit full_name phone email locale active password_hash created_at updated_at version"
)
DEVICE_COLUMNS = "id token person session platform app_version locale created_at last_seen_at"
NOTES = {
    "raw": f"send_each_async, {BATCH_SIZE} a call",
    "outbox": "Notifier → Dispatcher → FcmSender",
}


@dataclass(slots=True)
class Run:
    messages: int = 0
    seconds: float = 0.0
    cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    not_sent_in_db: int = 0
    enqueue_s: float = 0.0
    machine_s: float = 0.0  # CPU seconds the whole machine was busy during the measured part

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    @property
    def others_pct(self) -> float:
        """CPU used by neither this process nor the fake server, in % of the machine: the
        database server on PostgreSQL, and noise from elsewhere."""
        capacity = (os.cpu_count() or 1) * self.seconds
        other = self.machine_s - self.cpu_s - self.server_cpu_s
        return max(0.0, 100 * other / capacity) if capacity else 0.0

    def add(self, other: Run) -> None:
        for name in Run.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(slots=True)
class Measured:
    seconds: float = 0.0
    cpu_s: float = 0.0
    machine_s: float = 0.0


@contextmanager
def measuring() -> Iterator[Measured]:
    """The block's wall time, this process's CPU time (all its threads) and the machine's."""
    measured = Measured()
    wall, cpu, machine = time.perf_counter(), time.process_time(), machine_busy()
    try:
        yield measured
    finally:
        measured.seconds = time.perf_counter() - wall
        measured.cpu_s = time.process_time() - cpu
        measured.machine_s = machine_busy() - machine


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy (all CPUs), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / CLK_TCK


class DaytimeClock:
    """The machine's clock moved to 10:00 in Hà Nội today, so no push waits for quiet hours."""

    def __init__(self) -> None:
        real = datetime.now(UTC)
        morning = datetime.combine(real.astimezone(LOCAL_TZ).date(), datetime.min.time())
        self._offset = morning.replace(hour=10, tzinfo=LOCAL_TZ) - real

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


# -- the fake FCM server, in a process of its own ---------------------------------------------


class FakeServer:
    """The parent's handle on tests/fake_fcm.py served by ``_serve`` in a spawned process."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        self.base_url, self.ca_file = self._pipe.recv()

    def take(self) -> tuple[Counter[tuple[str | None, str | None]], float]:
        """The arrivals since the last take (then forgotten) and the server's CPU seconds so far."""
        self._pipe.send("take")
        arrivals, cpu = self._pipe.recv()
        return Counter(arrivals), cpu

    def stop(self) -> None:
        self._pipe.send("stop")
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()

    def trusted(self) -> AbstractContextManager[None]:
        return trusting(self.ca_file)


def _serve(pipe: Connection) -> None:
    import uvloop  # noqa: PLC0415 - the child's loop only

    from tests.fake_fcm import running_fake_fcm  # noqa: PLC0415 - the child's imports only

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        async with running_fake_fcm() as fake:
            fake.keep_received = False
            pipe.send((fake.base_url, fake.ca_file))
            while await loop.run_in_executor(None, pipe.recv) == "take":
                usage = resource.getrusage(resource.RUSAGE_SELF)
                pipe.send((dict(fake.arrivals), usage.ru_utime + usage.ru_stime))
                fake.arrivals.clear()
            # connections the clients left open are cut now: nothing to report about them
            loop.set_exception_handler(lambda _loop, _context: None)

    uvloop.run(serve())


def tally(
    arrivals: Counter[tuple[str | None, str | None]], expected: set[tuple[str, str]]
) -> tuple[int, int, int]:
    """Lost (expected, never arrived), duplicated (arrivals beyond the first) and unexpected."""
    lost = sum(1 for key in expected if arrivals[key] == 0)
    duplicated = sum(count - 1 for count in arrivals.values() if count > 1)
    unexpected = sum(count for key, count in arrivals.items() if key not in expected)
    return lost, duplicated, unexpected


# -- seeding ----------------------------------------------------------------------------------


async def insert_rows(
    db: Database, table: str, columns: str, rows: Sequence[Sequence[object]]
) -> None:
    """Multi-row INSERTs of INSERT_ROWS rows, without building a Piccolo Table object per row;
    ``columns`` are the column names, separated by spaces."""
    names = ", ".join(f'"{c}"' for c in columns.split())
    head = f'INSERT INTO "{table}" ({names}) VALUES '  # noqa: S608 - our own names, bound values
    one = "(" + ", ".join("{}" for _ in columns.split()) + ")"
    for start in range(0, len(rows), INSERT_ROWS):
        chunk = rows[start : start + INSERT_ROWS]
        values = [value for row in chunk for value in row]
        await db.engine.run_querystring(QueryString(head + ", ".join([one] * len(chunk)), *values))


async def seed(db: Database, people: int, at: datetime) -> list[uuid.UUID]:
    """One cell of ``people`` members, each with one Android device whose token is ``tok-<n>``."""
    cell = uuid.uuid4()
    person_ids = [uuid.uuid4() for _ in range(people)]
    unit = (cell, None, f"/{cell}/", "Chi bộ khu dân cư số 1", "cell", True, True, at, at, 1)
    async with db.atomic():
        await insert_rows(db, "unit", UNIT_COLUMNS, [unit])
        await insert_rows(
            db,
            "person",
            PERSON_COLUMNS,
            [
                (p, cell, f"Đảng viên {n}", f"+8490{n:07d}", None, "vi", True, None, at, at, 1)
                for n, p in enumerate(person_ids)
            ],
        )
        await insert_rows(
            db,
            "push_device",
            DEVICE_COLUMNS,
            [
                (uuid.uuid4(), token_of(n), p, None, "android", "1.0.0", "vi", at, at)
                for n, p in enumerate(person_ids)
            ],
        )
    return person_ids


def token_of(n: int) -> str:
    return f"tok-{n:06d}"


# -- the outbox round -------------------------------------------------------------------------


def meeting_message(at: datetime) -> Message:
    return Message(
        template="meeting_published",
        params={"cell": "Chi bộ khu dân cư số 1", "start": at + timedelta(days=2), "place": PLACE},
    )


async def enqueue(
    db: Database, clock: DaytimeClock, person_ids: Sequence[uuid.UUID]
) -> tuple[set[tuple[str, str]], float]:
    """A meeting notice to everyone, through the app's Notifier, NOTIFY_BATCH people per call;
    the (token, notification id) of each delivery it enqueued, and the seconds it took."""
    notifier = Notifier(PiccoloNotificationStore(), db, clock, TemplateTexts())
    meeting = uuid.uuid4()
    started = time.perf_counter()
    ids: set[str] = set()
    for start in range(0, len(person_ids), NOTIFY_BATCH):
        notified = await notifier.notify(
            person_ids[start : start + NOTIFY_BATCH],
            Category.MEETING,
            f"meeting:{meeting}",
            meeting_message(clock.now()),
            data={"meetingId": str(meeting)},
        )
        ids |= {str(n.id) for n in notified}
    seconds = time.perf_counter() - started
    rows = await db.engine.run_querystring(
        QueryString(
            'SELECT "token", "notification" FROM "delivery" WHERE "status" = \'pending\'',
        )
    )
    expected = {(r["token"], str(r["notification"])) for r in rows}
    assert {n for _, n in expected} == ids, "the deliveries are not the notifications just made"
    # the tables grew by 10,000 rows each: fresh statistics, as autovacuum would give them
    # (unmeasured here rather than on the machine's second CPU in the middle of the drain)
    await db.engine.run_ddl("ANALYZE")
    return expected, seconds


async def sent_in_db(db: Database, expected: set[tuple[str, str]]) -> int:
    rows = await db.engine.run_querystring(
        QueryString('SELECT "token", "notification" FROM "delivery" WHERE "status" = \'sent\'')
    )
    return len(expected & {(r["token"], str(r["notification"])) for r in rows})


async def outbox_round(
    db: Database, clock: DaytimeClock, fake: FakeServer, person_ids: Sequence[uuid.UUID]
) -> Run:
    expected, enqueue_s = await enqueue(db, clock, person_ids)
    with fake.trusted():
        sender = FcmSender.for_fake(fake.base_url, project_id="chibo-bench")
    try:
        dispatcher = Dispatcher(PiccoloOutbox(db), sender, clock)
        with measuring() as measured:
            stats: DispatchStats = await dispatcher.drain()
    finally:
        await sender.close()
    arrivals, _ = fake.take()
    lost, duplicated, unexpected = tally(arrivals, expected)
    sent = await sent_in_db(db, expected)
    if stats.sent != len(expected):
        print(f"  (dispatcher: {stats})")
    return Run(
        messages=len(expected),
        seconds=measured.seconds,
        cpu_s=measured.cpu_s,
        machine_s=measured.machine_s,
        lost=lost,
        duplicated=duplicated,
        unexpected=unexpected,
        not_sent_in_db=len(expected) - sent,
        enqueue_s=enqueue_s,
    )


# -- the raw twin -----------------------------------------------------------------------------


def raw_message(token: str, key: str, title: str, body: str, subject: str) -> messaging.Message:
    """What FcmSender sends for a meeting notice, built directly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # `token`: see FcmSender._message
        return messaging.Message(
            token=token,
            data={
                "meetingId": subject.removeprefix("meeting:"),
                "notificationId": key,
                "category": Category.MEETING.value,
                "subject": subject,
                NOTIFICATION_ID_KEY: key,
            },
            notification=messaging.Notification(title=title, body=body),
            android=messaging.AndroidConfig(
                collapse_key=subject, ttl=timedelta(hours=12), priority="normal"
            ),
            apns=messaging.APNSConfig(
                headers={
                    "apns-priority": "5",
                    "apns-expiration": str(int(time.time()) + 12 * 3600),
                    "apns-collapse-id": subject,
                }
            ),
        )


async def raw_round(clock: DaytimeClock, fake: FakeServer, people: int) -> Run:
    texts = TemplateTexts().render(
        "meeting_published", meeting_message(clock.now()).params, Locale.VI
    )
    subject = f"meeting:{uuid.uuid4()}"
    keys = [str(uuid.uuid4()) for _ in range(people)]
    expected = {(token_of(n), key) for n, key in enumerate(keys)}
    with fake.trusted():
        point_at(fake.base_url)
        app = firebase_admin.initialize_app(
            Credentials(token="bench"),  # type: ignore[no-untyped-call]  # noqa: S106
            {"projectId": "chibo-bench"},
            name=f"chibo-bench-raw-{uuid.uuid4().hex[:8]}",
        )
        service = messaging._get_messaging_service(app)  # noqa: SLF001 - built inside trusted()
    sent = 0
    try:
        with measuring() as measured:
            for start in range(0, people, BATCH_SIZE):
                batch = [
                    raw_message(token_of(n), keys[n], texts.title, texts.body, subject)
                    for n in range(start, min(start + BATCH_SIZE, people))
                ]
                sent += (await messaging.send_each_async(batch, app=app)).success_count
    finally:
        await service._async_client.aclose()  # noqa: SLF001 - see FcmSender.close
        await asyncio.to_thread(firebase_admin.delete_app, app)
    arrivals, _ = fake.take()
    lost, duplicated, unexpected = tally(arrivals, expected)
    return Run(
        messages=people,
        seconds=measured.seconds,
        cpu_s=measured.cpu_s,
        machine_s=measured.machine_s,
        lost=lost,
        duplicated=duplicated,
        unexpected=unexpected,
        not_sent_in_db=people - sent,  # here: not answered with a message id
    )


# -- one engine -------------------------------------------------------------------------------


async def _run_engine(
    url: str, people: int, order: Sequence[str], before_measuring: Callable[[], None]
) -> dict[str, Run]:
    database = Database(url)
    await database.open()
    bind(database)
    fake = FakeServer()
    clock = DaytimeClock()
    results: dict[str, Run] = {}
    try:
        await migrate(database)
        started = time.perf_counter()
        person_ids = await seed(database, people, clock.now())
        print(
            f"  seeded {people:,} people with one device each in "
            f"{time.perf_counter() - started:.1f} s; fake FCM server (own process) at "
            f"{fake.base_url}"
        )
        _, server0 = fake.take()
        before_measuring()
        for name in order:
            run = (
                await raw_round(clock, fake, people)
                if name == "raw"
                else await outbox_round(database, clock, fake, person_ids)
            )
            _, server1 = fake.take()
            run.server_cpu_s, server0 = server1 - server0, server1
            print_run(name, run)
            results.setdefault(name, Run()).add(run)
    finally:
        fake.stop()
        point_at(None)
        await database.close()
    return results


def run_engine(
    engine: str, url: str, *, quick: bool, before_measuring: Callable[[], None]
) -> dict[str, Run]:
    """The suite on one (fresh, empty) database; the worker's event loop (plain asyncio)."""
    people = QUICK_PEOPLE if quick else PEOPLE
    print(f"\n== {engine}: push fan-out, {people:,} notifications to {people:,} devices ==")
    return asyncio.run(_run_engine(url, people, QUICK_ORDER if quick else ORDER, before_measuring))


def print_run(name: str, run: Run) -> None:
    enqueued = f"  (enqueued in {run.enqueue_s:.1f} s)" if run.enqueue_s else ""
    print(
        f"  {name:<7} {run.rate:>7,.0f} msg/s  CPU {1000 * run.cpu_s / run.messages:.3f} ms/msg"
        f"  server CPU {1000 * run.server_cpu_s / run.messages:.3f} ms/msg  lost {run.lost}"
        f"  dup {run.duplicated}  unexpected {run.unexpected}  other CPU {run.others_pct:.0f} %"
        f"{enqueued}"
    )


# -- report -----------------------------------------------------------------------------------


def print_table(engine: str, results: dict[str, Run]) -> None:
    raw, outbox = results.get("raw"), results.get("outbox")
    if raw is None or outbox is None:
        return
    print(f"### {engine}: push fan-out (issue 6)\n")
    print(
        "| run | what | messages | msg/s | CPU ms/msg | fake server CPU ms/msg | lost | dup "
        "| unexpected | not sent | other CPU % |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, run in (("raw", raw), ("outbox", outbox)):
        print(
            f"| {name} | {NOTES[name]} | {run.messages:,} | {run.rate:,.0f} | "
            f"{1000 * run.cpu_s / run.messages:.3f} | "
            f"{1000 * run.server_cpu_s / run.messages:.3f} | {run.lost} | {run.duplicated} | "
            f"{run.unexpected} | {run.not_sent_in_db} | {run.others_pct:.0f} |"
        )
    print()
    ratio = outbox.rate / raw.rate if raw.rate else 0.0
    clean = all(
        getattr(run, name) == 0
        for run in (raw, outbox)
        for name in ("lost", "duplicated", "unexpected", "not_sent_in_db")
    )
    met = ratio >= GOAL and clean
    print(
        f"{engine}: fan-out through the outbox = {ratio:.2f}× the raw send_each_async "
        f"({outbox.rate:,.0f} vs {raw.rate:,.0f} msg/s), CPU {_per_message(outbox)} vs "
        f"{_per_message(raw)} ms/msg, lost {outbox.lost}, duplicated {outbox.duplicated}; "
        f"notify: {NOTIFY_BATCH:,} people per call, {_enqueue_rate(outbox)}: "
        f"goal (≥ {GOAL}×, 0 lost, 0 duplicated) {'met' if met else 'NOT met'}"
    )
    print()


def _per_message(run: Run) -> str:
    return f"{1000 * run.cpu_s / run.messages:.3f}" if run.messages else "–"


def _enqueue_rate(run: Run) -> str:
    if not run.enqueue_s:
        return "enqueue –"
    return f"enqueued at {run.messages / run.enqueue_s:,.0f} notifications/s"
