"""The sync property, on both engines, as a Hypothesis state machine: after any interleaving of
writes by several sessions (meetings created, rescheduled and cancelled, tasks and the
notifications they send, people renamed and moving cell, memberships made and ended, grants given
and revoked, the caller's cell moving to another ward, sealed inspections revealed by the clock
or by the inspector's check-in, the change log compacted) and pulls of random page sizes, a
phone that applied every page in order and pulled until caught up holds exactly what the caller
can read through the REST API at that moment: the same objects, at the same versions.

Cheap by construction: one world and one app per engine, built once; each example runs inside a
savepoint of the test's transaction and is rolled back in ``teardown``, and starts from a copy of
the same first sync. Hypothesis runs the machine on a worker thread; every rule runs its calls on
the test's own loop and transaction (``Bridge``). ``SYNC_EXAMPLES`` raises the number of
examples (bench/README.md: a longer soak).

Writes here come from several sessions on the test's one connection (the rollback fixture); the
real concurrent-connection trap (a transaction that commits after a later one) is covered on
committed databases by tests/api/test_sync_concurrency.py (a smaller machine whose connections
hold transactions open) and tests/api/test_sync_late_commit.py.
"""

from __future__ import annotations

import asyncio
import copy
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar
from uuid import UUID

import httpx
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import rule, run_state_machine_as_test
from piccolo.querystring import QueryString

from db.engine import Database
from db.repositories.sync import SyncLog
from tests.api import meeting_calls as meet
from tests.api.helpers import Headers, if_match
from tests.api.sync_calls import (
    Bridge,
    HarnessedMachine,
    MachineHarness,
    Store,
    held,
    machine_settings,
    pull,
    readable,
)
from tests.factories import build_world, login
from tests.fakes import START, FakeClock

EXAMPLES = int(os.environ.get("SYNC_EXAMPLES", "500"))
# the examples run as PARTS tests of EXAMPLES / PARTS each (each drawn at random on its own), so
# `make test`'s workers (pytest-xdist) share them out
PARTS = 5
STEPS = int(os.environ.get("SYNC_STEPS", "8"))
TEMPLATE = {
    "name": "Mẫu kiểm tra",
    "items": [{"key": "k", "question": "Đủ?", "answerKind": "yes_no"}],
}


@dataclass
class Harness(MachineHarness):
    """What every example shares, built once per engine."""

    admin: Headers
    leader: Headers
    secretary: Headers
    inspector: Headers
    caller: Headers  # the phone: member_a
    template: str
    first: Store  # the caller's first sync of the untouched world


class SyncMachine(HarnessedMachine):
    h: ClassVar[Harness]

    def __init__(self) -> None:
        super().__init__()
        self.client, self.w = self.h.client, self.h.world
        self.run(self._sql("SAVEPOINT sync_example"))
        self.store = copy.deepcopy(self.h.first)
        self.meetings: list[str] = []
        self.inspections: list[str] = []
        self.memberships: list[str] = []
        self.grant_id: str | None = None
        self.versions: dict[str, int] = {}  # object url -> the version its last reply named
        self.moved: set[UUID] = set()  # people now kept in cell B
        self.renames = 0

    async def _sql(self, sql: str) -> None:
        await self.h.db.engine.run_querystring(QueryString(sql))

    def teardown(self) -> None:
        try:
            self.converge()
        finally:
            self.run(self._sql("ROLLBACK TO SAVEPOINT sync_example"))
            self.run(self._sql("RELEASE SAVEPOINT sync_example"))

    def _send(
        self, method: str, url: str, headers: Headers, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        reply = self.run(self.client.request(method, url, json=body, headers=headers))
        assert reply.status_code < 500, reply.text
        return reply

    def _write(
        self, url: str, action: str, headers: Headers, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        """A conditional write on the object at ``url`` (``action``: its sub-path, or "" for a
        PATCH), on the version its last reply named (a GET only when unknown or stale)."""
        method, target = ("POST", f"{url}/{action}") if action else ("PATCH", url)
        for _ in range(2):
            if url not in self.versions:
                self.versions[url] = self._send("GET", url, headers).json()["version"]
            reply = self._send(method, target, if_match(headers, self.versions.pop(url)), body)
            if reply.status_code != 412:
                break
        etag = reply.headers.get("etag", "").strip('W/"')
        if etag.isdigit():
            self.versions[url] = int(etag)
        return reply

    @staticmethod
    def _created(reply: httpx.Response, into: list[str]) -> None:
        if reply.status_code in (200, 201):
            into.append(reply.json()["id"])

    # --- writes ---------------------------------------------------------------------------

    @rule(hour=st.integers(1, 48))
    def create_meeting(self, hour: int) -> None:
        start = START + timedelta(days=3, hours=hour)
        body = meet.meeting_body(self.w, start)
        reply = self._send("POST", meet.MEETINGS, self.h.secretary, body)
        self._created(reply, self.meetings)

    @rule(which=st.integers(0, 3), hour=st.integers(1, 48))
    def reschedule_meeting(self, which: int, hour: int) -> None:
        if self.meetings:
            url = f"{meet.MEETINGS}/{self.meetings[which % len(self.meetings)]}"
            start = START + timedelta(days=4, hours=hour)
            body = {
                "plannedStart": meet.iso(start),
                "plannedEnd": meet.iso(start + timedelta(minutes=120)),
                "reason": "Trùng lịch",
            }
            self._write(url, "move", self.h.secretary, body)

    @rule(which=st.integers(0, 3))
    def cancel_meeting(self, which: int) -> None:
        if self.meetings:
            url = f"{meet.MEETINGS}/{self.meetings[which % len(self.meetings)]}"
            self._write(url, "cancel", self.h.secretary, {"reason": "Trùng lịch"})

    @rule(to_caller=st.booleans())
    def create_task(self, to_caller: bool) -> None:
        assignee = self.w.member_a if to_caller else self.w.secretary_a
        body = {
            "title": "Sửa đèn đường",
            "unitId": str(self.w.cell_a.id),
            "assigneeId": str(assignee.id),
            "dueOn": "2026-12-20",
        }
        self._send("POST", "/api/v1/tasks", self.h.secretary, body)

    @rule(caller=st.booleans(), rename=st.booleans())
    def update_person(self, caller: bool, rename: bool) -> None:
        """A person is renamed, or moves cell (A -> B or back): out of the caller's view or in."""
        person = self.w.member_a if caller else self.w.secretary_a
        url = f"/api/v1/people/{person.id}"
        if rename:
            self.renames += 1
            body = {"fullName": f"{person.full_name} {self.renames}"}
        else:
            home = self.w.cell_a if person.id in self.moved else self.w.cell_b
            body = {"homeUnitId": str(home.id)}
        reply = self._write(url, "", self.h.admin, body)
        if not rename and reply.status_code == 200:
            self.moved ^= {person.id}

    @rule(cell_a=st.booleans())
    def create_membership(self, cell_a: bool) -> None:
        """Secretary B joins cell A (into the caller's view) or cell B (outside it)."""
        body = {
            "personId": str(self.w.secretary_b.id),
            "cellId": str((self.w.cell_a if cell_a else self.w.cell_b).id),
            "kind": "full",
            "joinedOn": "2020-01-01",
        }
        reply = self._send("POST", "/api/v1/memberships", self.h.admin, body)
        self._created(reply, self.memberships)

    @rule()
    def end_membership(self) -> None:
        """The delete of the org: a membership ends (the latest made in this example)."""
        if self.memberships:
            url = f"/api/v1/memberships/{self.memberships.pop()}/end"
            self._send("POST", url, self.h.admin, {"on": "2026-12-01"})

    @rule(ward=st.booleans())
    def grant(self, ward: bool) -> None:
        """The caller is made a leader (of the ward, or of another cell), or stops being one."""
        if self.grant_id is not None:
            self._send("POST", f"/api/v1/grants/{self.grant_id}/revoke", self.h.admin)
            self.grant_id = None
            return
        unit = self.w.ward1 if ward else self.w.cell_b
        body = {"personId": str(self.w.member_a.id), "unitId": str(unit.id), "role": "leader"}
        reply = self._send("POST", "/api/v1/grants", self.h.admin, body)
        if reply.status_code == 201:
            self.grant_id = reply.json()["id"]

    @rule()
    def move_unit(self) -> None:
        """Cell A moves to the other ward (a reorganisation) and, next time, back."""
        url = f"/api/v1/units/{self.w.cell_a.id}"
        parent = self._send("GET", url, self.h.admin).json()["parentId"]
        target = self.w.ward2 if parent == str(self.w.ward1.id) else self.w.ward1
        self._send("POST", f"{url}/move", self.h.admin, {"parentId": str(target.id)})

    @rule(hours=st.integers(0, 24))
    def seal_inspection(self, hours: int) -> None:
        start = self.h.clock.now() + timedelta(hours=hours)
        body = {
            "targetId": str(self.w.cell_a.id),
            "kind": "surprise",
            "windowStart": start.isoformat(),
            "windowEnd": (start + timedelta(hours=8)).isoformat(),
            "topic": "Kiểm tra đột xuất",
            "leadId": str(self.w.inspector.id),
            "templateId": self.h.template,
        }
        reply = self._send("POST", "/api/v1/inspections", self.h.leader, body)
        self._created(reply, self.inspections)

    @rule(which=st.integers(0, 3))
    def check_in(self, which: int) -> None:
        """The inspector checks in: reveals a sealed inspection (if its window is open)."""
        if self.inspections:
            url = f"/api/v1/inspections/{self.inspections[which % len(self.inspections)]}"
            self._write(url, "check-in", self.h.inspector, {})

    @rule()
    def compact(self) -> None:
        """Housekeeping compacts the change log up to its previous mark (no retention here):
        a phone whose cursor is below the new floor starts over."""
        now = self.h.clock.now()
        self.run(SyncLog(self.h.db).compact(now, now))

    @rule(hours=st.integers(1, 24))
    def advance_clock(self, hours: int) -> None:
        self.h.clock.advance(timedelta(hours=hours))

    # --- the phone ------------------------------------------------------------------------

    @rule(limit=st.integers(1, 4))
    def pull(self, limit: int) -> None:
        self.store.apply(self.run(pull(self.client, self.h.caller, self.store.cursor, limit)))

    def converge(self) -> None:
        """Pull until caught up: the phone holds what the caller can read now. Checked once, at
        the end of each example (an early state is the end of a shorter example: Hypothesis
        draws those too), because reading the REST view is most of an example's cost."""
        self.run(self.store.sync(self.client, self.h.caller))
        assert held(self.store) == self.run(readable(self.client, self.h.caller, self.store))


async def _harness(client: httpx.AsyncClient, db: Database, clock: FakeClock) -> Harness:
    world = await build_world()
    leader = await login(client, world.leader_1)
    template = await client.post("/api/v1/checklist-templates", json=TEMPLATE, headers=leader)
    assert template.status_code == 201, template.text
    caller = await login(client, world.member_a)
    first = Store()
    await first.sync(client, caller)
    return Harness(
        Bridge(asyncio.get_running_loop()),
        client,
        db,
        clock,
        world,
        await login(client, world.admin),
        leader,
        await login(client, world.secretary_a),
        await login(client, world.inspector),
        caller,
        template.json()["id"],
        first,
    )


@pytest.mark.parametrize("part", range(PARTS))
async def test_a_phone_that_applies_every_page_holds_what_the_caller_can_read(
    client: httpx.AsyncClient, db: Database, clock: FakeClock, part: int
) -> None:
    del part  # each part draws its own examples
    harness = await _harness(client, db, clock)
    machine = type(f"SyncMachine_{db.kind}", (SyncMachine,), {"h": harness})
    limits = machine_settings(-(-EXAMPLES // PARTS), STEPS)
    # the machine runs on a worker thread (a copy of this task's context: its transaction);
    # its rules run their calls back on this loop
    await asyncio.to_thread(run_state_machine_as_test, machine, settings=limits)
