"""The sync property under writes from CONCURRENT connections, on a committed database per
engine: several connections each hold a transaction open, write in it (people created, renamed
and moved in or out of the caller's ward, units renamed), and commit or roll back in any order,
while the phone pulls pages of random sizes through the app (on connections of its own) and the
clock moves. Whenever every transaction is closed (the end of each example), a phone that applied
every page in order and pulled until caught up holds exactly what the caller reads through the
REST API.

This is the trap of a transaction that commits after a later one (decision 0016): on PostgreSQL
a pull must not read past the oldest transaction still running (the snapshot horizon,
``SyncLog.horizon``); without it this test fails. SQLite has one writer, so at most one of the
connections holds a transaction at a time and a pull waits for none (it would wait for the
writer): its interleavings are the serial ones.

Cheap by construction: the database, the app and the phone's store are kept across examples;
each example starts from the caught-up phone the previous one left. The writes of the whole
state machine (tests/api/test_sync_properties.py) share the test's one connection instead.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from piccolo.querystring import QueryString

from db.engine import Database
from db.repositories.org import PiccoloOrgRepository
from db.tables import PersonTable, UnitTable
from tests.api import sync_calls as sync
from tests.api.helpers import Headers, client_on
from tests.factories import build_world, login, make_person
from tests.fakes import FakeClock

EXAMPLES = int(os.environ.get("SYNC_CONCURRENCY_EXAMPLES", "100"))
STEPS = int(os.environ.get("SYNC_CONCURRENCY_STEPS", "10"))
CONNECTIONS = 3
connection = st.integers(0, CONNECTIONS - 1)
Write = Callable[[], Awaitable[None]]


class _RolledBack(Exception):  # noqa: N818 - not an error: how a held transaction is rolled back
    pass


class HeldTransaction:
    """One connection of the machine: a task that opens a transaction on a pooled connection of
    its own (Piccolo binds a transaction to the task that opened it), runs in it the writes it
    is sent, and keeps it open until it is told to commit or roll back."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.inbox: asyncio.Queue[tuple[Write | bool, asyncio.Future[None]]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.created: list[UUID] = []  # people created in the open transaction

    @property
    def open(self) -> bool:
        return self.task is not None

    async def write(self, step: Write) -> None:
        if self.task is None:
            self.task = asyncio.create_task(self._hold())
        await self._send(step)

    async def end(self, *, commit: bool) -> None:
        if self.task is not None:
            await self._send(commit)
            await self.task
            self.task = None

    async def _send(self, step: Write | bool) -> None:
        done = asyncio.get_running_loop().create_future()
        await self.inbox.put((step, done))
        await done

    async def _hold(self) -> None:
        ended: asyncio.Future[None] | None = None
        with suppress(_RolledBack):
            async with self.db.atomic():
                if self.db.kind == "postgres":  # a lock wait would hang the machine: fail instead
                    await self.db.engine.run_querystring(
                        QueryString("SET LOCAL lock_timeout = '2s'")
                    )
                while True:
                    step, done = await self.inbox.get()
                    if isinstance(step, bool):
                        ended = done
                        if step:
                            break
                        raise _RolledBack
                    try:
                        await step()
                    except Exception as error:
                        done.set_exception(error)
                        raise
                    done.set_result(None)
        assert ended is not None
        ended.set_result(None)


@dataclass
class Harness(sync.MachineHarness):
    """What every example shares, built once per engine, and the phone kept across them."""

    caller: Headers  # the phone: the leader of ward 1
    store: sync.Store
    # connection k writes only its own objects (rows no other connection locks): the people it
    # created and committed, and one person and one unit of the world each
    people: list[list[UUID]] = field(default_factory=list)
    units: list[UUID] = field(default_factory=list)


class ConcurrentSyncMachine(sync.HarnessedMachine):
    h: ClassVar[Harness]

    def __init__(self) -> None:
        super().__init__()
        self.connections = [HeldTransaction(self.h.db) for _ in range(CONNECTIONS)]
        self.opened: list[int] = []  # the connections holding a transaction, oldest first
        self.renames = 0

    def _may_open(self, k: int) -> bool:
        """SQLite's one writer: a second transaction would wait for the first (the loop's)."""
        return self.h.db.kind == "postgres" or not any(
            c.open for i, c in enumerate(self.connections) if i != k
        )

    def _write(self, k: int, step: Write) -> None:
        if self._may_open(k):
            if k not in self.opened:
                self.opened.append(k)
            self.run(self.connections[k].write(step))

    def _person(self, k: int, which: int) -> UUID:
        owned = self.h.people[k] + self.connections[k].created
        return owned[which % len(owned)]

    # --- writes, each in connection k's open transaction -----------------------------------

    @initialize()
    def long_transaction(self) -> None:
        """Each example starts with connection 0's transaction open and written to: the long
        transaction a pull must not read past (what the other rules do with it is drawn)."""
        self.rename_unit(0)

    @rule(k=connection, in_ward=st.booleans())
    def create_person(self, k: int, in_ward: bool) -> None:
        """A person joins, in the caller's ward (cell A) or outside it (cell B)."""
        home = self.h.world.cell_a if in_ward else self.h.world.cell_b
        person = make_person(home, "Ngô Văn Mới")

        async def create() -> None:
            await PiccoloOrgRepository().add_person(person, None)
            self.connections[k].created.append(person.id)

        self._write(k, create)

    @rule(k=connection, which=st.integers(0, 3))
    def rename_person(self, k: int, which: int) -> None:
        person_id = self._person(k, which)
        self.renames += 1
        name = f"Người đổi tên {self.renames}"
        self._write(k, lambda: _bump(PersonTable, person_id, {PersonTable.full_name: name}))

    @rule(k=connection, which=st.integers(0, 3))
    def move_person(self, k: int, which: int) -> None:
        """A person moves between cell A (in the caller's ward) and cell B (outside it)."""
        person_id, w = self._person(k, which), self.h.world

        async def move() -> None:
            row = await PersonTable.select(PersonTable.home_unit).where(PersonTable.id == person_id)
            home = w.cell_b.id if str(row[0]["home_unit"]) == str(w.cell_a.id) else w.cell_a.id
            await _bump(PersonTable, person_id, {PersonTable.home_unit: home})

        self._write(k, move)

    @rule(k=connection)
    def rename_unit(self, k: int) -> None:
        unit_id = self.h.units[k]
        self.renames += 1
        name = f"Đơn vị đổi tên {self.renames}"
        self._write(k, lambda: _bump(UnitTable, unit_id, {UnitTable.name: name}))

    @rule(k=connection)
    def commit(self, k: int) -> None:
        held_transaction = self.connections[k]
        if held_transaction.open:
            self.run(held_transaction.end(commit=True))
            self.h.people[k] += held_transaction.created
        self._closed(k)

    @rule(k=connection)
    def roll_back(self, k: int) -> None:
        self.run(self.connections[k].end(commit=False))
        self._closed(k)

    def _closed(self, k: int) -> None:
        self.connections[k].created = []
        if k in self.opened:
            self.opened.remove(k)

    @rule(hours=st.integers(1, 24))
    def advance_clock(self, hours: int) -> None:
        self.h.clock.advance(timedelta(hours=hours))

    # --- the phone ------------------------------------------------------------------------

    @precondition(lambda self: self._may_open(-1))
    @rule(limit=st.integers(1, 4))
    def pull(self, limit: int) -> None:
        page = self.run(sync.pull(self.h.client, self.h.caller, self.h.store.cursor, limit))
        self.h.store.apply(page)

    def teardown(self) -> None:
        """The transactions still open commit, newest first, a page pulled after each (the
        late-commit order); then the phone catches up and holds what the caller reads. The next
        example starts from here."""
        for k in reversed(self.opened):
            self.commit(k)
            self.pull(2)
        store = self.h.store
        self.run(store.sync(self.h.client, self.h.caller))
        view = self.run(sync.readable(self.h.client, self.h.caller, store))
        if sync.held(store) != view:  # later examples (and shrinking) start from a true phone
            self.h.store = sync.Store()
            self.run(self.h.store.sync(self.h.client, self.h.caller))
        assert sync.held(store) == view


async def _bump(
    table: type[PersonTable | UnitTable], object_id: UUID, values: dict[Any, object]
) -> None:
    """An update of one object that names a new version, as every write does."""
    await table.update({**values, table.version: table.version + 1}).where(table.id == object_id)


async def test_a_phone_pulling_amid_concurrent_transactions_holds_what_the_caller_can_read(
    committed: Database,
) -> None:
    world, clock = await build_world(), FakeClock()
    async with client_on(committed, clock) as client:
        caller = await login(client, world.leader_1)
        store = sync.Store()
        await store.sync(client, caller)
        harness = Harness(
            sync.Bridge(asyncio.get_running_loop()),
            client,
            committed,
            clock,
            world,
            caller,
            store,
            people=[[p.id] for p in (world.member_a, world.secretary_a, world.secretary_b)],
            units=[u.id for u in (world.ward1, world.cell_a, world.ward2)],
        )
        machine = type(
            f"ConcurrentSyncMachine_{committed.kind}",
            (ConcurrentSyncMachine,),
            {"h": harness},
        )
        limits = sync.machine_settings(EXAMPLES, STEPS)
        # the machine runs on a worker thread; its rules run their calls back on this loop
        await asyncio.to_thread(run_state_machine_as_test, machine, settings=limits)
