"""The sync property, on both engines: after any sequence of writes (meetings made, moved and
cancelled, tasks, people moving cell, grants given and revoked, sealed inspections, the clock
moving past their start) interleaved with pulls of random page sizes, a phone that applied every
page in order and pulled until caught up holds exactly what the caller can read through the REST
API at that moment: the same objects, at the same versions.

Each example runs in a savepoint that is rolled back, over one world built per test; ``SYNC_
EXAMPLES`` sets the number of examples (bench/README.md: a longer soak)."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.engine import Database
from tests.api import meeting_calls as meet
from tests.api.helpers import Headers, if_match
from tests.api.sync_calls import Store, pull
from tests.factories import World, build_world, login
from tests.fakes import START, FakeClock

EXAMPLES = int(os.environ.get("SYNC_EXAMPLES", "100"))
TEMPLATE = {
    "name": "Mẫu kiểm tra",
    "items": [{"key": "k", "question": "Đủ?", "answerKind": "yes_no"}],
}
KINDS = {"meetings": "meetings", "tasks": "tasks", "people": "people", "inspections": "inspections"}

Step = tuple[Any, ...]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("meeting"), st.integers(1, 20)),
        st.tuples(st.just("move"), st.integers(0, 3), st.integers(1, 20)),
        st.tuples(st.just("cancel"), st.integers(0, 3)),
        st.tuples(st.just("task"), st.booleans()),
        st.tuples(st.just("person"), st.booleans()),
        st.tuples(st.just("grant"), st.booleans()),
        st.tuples(st.just("sealed"), st.integers(1, 48)),
        st.tuples(st.just("clock"), st.integers(1, 48)),
        st.tuples(st.just("pull"), st.integers(1, 4)),
    ),
    max_size=6,
)


@dataclass
class Scene:
    world: World
    admin: Headers
    leader: Headers
    secretary: Headers
    caller: Headers  # the phone: member_a
    template: str
    meetings: list[dict[str, Any]] = field(default_factory=list)
    known: dict[str, set[str]] = field(default_factory=dict)
    grant: str | None = None


class _Undo(Exception):  # noqa: N818 - not an error: rolls the example back
    pass


async def _meeting(client: httpx.AsyncClient, s: Scene, step: Step, clock: FakeClock) -> None:
    start = START + timedelta(days=3, hours=step[1])
    reply = await client.post(
        meet.MEETINGS, json=meet.meeting_body(s.world, start), headers=s.secretary
    )
    if reply.status_code == 201:
        s.meetings.append(reply.json())
        s.known["meetings"].add(reply.json()["id"])


async def _change_meeting(
    client: httpx.AsyncClient, s: Scene, step: Step, clock: FakeClock
) -> None:
    if not s.meetings:
        return
    meeting = s.meetings[step[1] % len(s.meetings)]
    url = f"{meet.MEETINGS}/{meeting['id']}"
    version = (await client.get(url, headers=s.secretary)).json()["version"]
    headers = if_match(s.secretary, version)
    if step[0] == "cancel":
        await client.post(f"{url}/cancel", json={"reason": "Trùng lịch"}, headers=headers)
        return
    start = START + timedelta(days=4, hours=step[2])
    await client.post(
        f"{url}/move",
        json={
            "plannedStart": meet.iso(start),
            "plannedEnd": meet.iso(start + timedelta(minutes=120)),
        },
        headers=headers,
    )


async def _task(client: httpx.AsyncClient, s: Scene, step: Step, clock: FakeClock) -> None:
    assignee = s.world.member_a if step[1] else s.world.secretary_a
    reply = await client.post(
        "/api/v1/tasks",
        json={
            "title": "Sửa đèn đường",
            "unitId": str(s.world.cell_a.id),
            "assigneeId": str(assignee.id),
            "dueOn": "2026-12-20",
        },
        headers=s.secretary,
    )
    if reply.status_code == 201:
        s.known["tasks"].add(reply.json()["id"])


async def _person(client: httpx.AsyncClient, s: Scene, step: Step, clock: FakeClock) -> None:
    """A member moves cell and back (a move out of the caller's view, or into it)."""
    person = s.world.secretary_a if step[1] else s.world.member_a
    url = f"/api/v1/people/{person.id}"
    version = (await client.get(url, headers=s.admin)).json()["version"]
    home = s.world.cell_b if version % 2 else s.world.cell_a
    await client.patch(url, json={"homeUnitId": str(home.id)}, headers=if_match(s.admin, version))


async def _grant(client: httpx.AsyncClient, s: Scene, step: Step, clock: FakeClock) -> None:
    """The caller is made a leader (of the ward, or of another cell), or stops being one."""
    if s.grant is not None:
        await client.post(f"/api/v1/grants/{s.grant}/revoke", headers=s.admin)
        s.grant = None
        return
    unit = s.world.ward1 if step[1] else s.world.cell_b
    reply = await client.post(
        "/api/v1/grants",
        json={"personId": str(s.world.member_a.id), "unitId": str(unit.id), "role": "leader"},
        headers=s.admin,
    )
    s.grant = reply.json()["id"]


async def _sealed(client: httpx.AsyncClient, s: Scene, step: Step, clock: FakeClock) -> None:
    start = clock.now() + timedelta(hours=step[1])
    reply = await client.post(
        "/api/v1/inspections",
        json={
            "targetId": str(s.world.cell_a.id),
            "kind": "surprise",
            "windowStart": start.isoformat(),
            "windowEnd": (start + timedelta(hours=8)).isoformat(),
            "topic": "Kiểm tra đột xuất",
            "leadId": str(s.world.inspector.id),
            "templateId": s.template,
        },
        headers=s.leader,
    )
    if reply.status_code == 201:
        s.known["inspections"].add(reply.json()["id"])


async def _clock(client: httpx.AsyncClient, s: Scene, step: Step, clock: FakeClock) -> None:
    clock.advance(timedelta(hours=step[1]))


WRITES = {
    "meeting": _meeting,
    "move": _change_meeting,
    "cancel": _change_meeting,
    "task": _task,
    "person": _person,
    "grant": _grant,
    "sealed": _sealed,
    "clock": _clock,
}


async def rest_view(client: httpx.AsyncClient, s: Scene) -> dict[str, dict[str, int | None]]:
    """What the caller reads through the REST API now: kind -> id -> version."""
    view: dict[str, dict[str, int | None]] = {}
    for kind, path in KINDS.items():
        for object_id in s.known[kind]:
            reply = await client.get(f"/api/v1/{path}/{object_id}", headers=s.caller)
            if reply.status_code == 200:
                view.setdefault(kind, {})[object_id] = reply.json().get("version")
    return view


def held(store: Store) -> dict[str, dict[str, int | None]]:
    return {
        kind: {i: version for i, (version, _) in objects.items()}
        for kind, objects in store.objects.items()
        if kind in KINDS and objects
    }


async def test_a_phone_that_applies_every_page_holds_what_the_caller_can_read(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    template = await client.post("/api/v1/checklist-templates", json=TEMPLATE, headers=leader)
    people = {
        str(p.id)
        for p in (
            world.admin,
            world.member_a,
            world.secretary_a,
            world.secretary_b,
            world.leader_1,
            world.leader_2,
            world.inspector,
        )
    }
    base = Scene(
        world,
        await login(client, world.admin),
        leader,
        await login(client, world.secretary_a),
        await login(client, world.member_a),
        template.json()["id"],
    )

    plans: list[list[Step]] = []

    # Hypothesis draws the plans (sync); each runs on the test's own loop and transaction.
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(plan=steps)
    def draw(plan: list[Step]) -> None:
        plans.append(plan)

    draw()
    # every example starts from the same world, so from the same first sync
    first = Store()
    await first.sync(client, base.caller)
    for plan in plans:
        clock.reset()
        s = Scene(**{**base.__dict__, "meetings": [], "grant": None})
        s.known = {"meetings": set(), "tasks": set(), "people": set(people), "inspections": set()}
        store = copy.deepcopy(first)
        try:
            async with db.atomic():
                for step in plan:
                    if step[0] == "pull":
                        store.apply(await pull(client, s.caller, store.cursor, limit=step[1]))
                    else:
                        await WRITES[step[0]](client, s, step, clock)
                await store.sync(client, s.caller, limit=3)
                assert held(store) == await rest_view(client, s), plan
                raise _Undo  # noqa: TRY301 - undoes the example's savepoint
        except _Undo:
            pass
