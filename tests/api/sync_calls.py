"""The sync calls the sync tests share: a pull, pulling until caught up, the phone's store
that applies pages the way the README tells the mobile team to, and what the caller reads
through the REST API to compare it with."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import httpx
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine

from db.engine import Database
from tests.api.helpers import Headers
from tests.api.org_calls import all_pages
from tests.factories import World
from tests.fakes import FakeClock

PULL = "/api/v1/sync/pull"
PUSH = "/api/v1/sync/push"
# kind in the pull's ``changes`` -> the REST path of its list and reads
PATHS = {
    "units": "units",
    "people": "people",
    "memberships": "memberships",
    "leaderAssignments": "leader-assignments",
    "meetings": "meetings",
    "tasks": "tasks",
    "inspections": "inspections",
    "notifications": "me/notifications",
}

T = TypeVar("T")


class Bridge:
    """Runs a coroutine on the test's loop (and so in its transaction, if any) from the thread
    Hypothesis runs a state machine on."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def __call__(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()


@dataclass
class MachineHarness:
    """What every example of a sync state machine shares, built once per engine: the bridge to
    the test's loop, the app, its database and clock, the world."""

    run: Bridge
    client: httpx.AsyncClient
    db: Database
    clock: FakeClock
    world: World


class HarnessedMachine(RuleBasedStateMachine):
    """A sync state machine on the harness its test built (set on the subclass the test makes
    for its engine); every example starts at the clock's start."""

    h: ClassVar[MachineHarness]

    def __init__(self) -> None:
        super().__init__()
        self.run = self.h.run
        self.h.clock.reset()


def machine_settings(examples: int, steps: int) -> settings:
    """A sync state machine's Hypothesis settings: no deadline (the engines' speed varies), no
    health checks (slow data generation is the I/O), no example database (the world is new
    each run)."""
    return settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )


async def pull(
    client: httpx.AsyncClient, headers: Headers, cursor: str | None = None, limit: int = 500
) -> dict[str, Any]:
    params: dict[str, str | int] = {"limit": limit}
    if cursor is not None:
        params["cursor"] = cursor
    reply = await client.get(PULL, params=params, headers=headers)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


@dataclass
class Store:
    """A phone's synced objects: kind -> id -> (version, data)."""

    cursor: str | None = None
    objects: dict[str, dict[str, tuple[int | None, Any]]] = field(default_factory=dict)

    def apply(self, page: dict[str, Any]) -> None:
        if page["reset"]:
            self.objects.clear()
        for kind, changes in page["changes"].items():
            held = self.objects.setdefault(kind, {})
            for item in changes["upserted"]:
                known = held.get(item["id"])
                if known is None or known[0] is None or (item["version"] or 0) >= known[0]:
                    held[item["id"]] = (item["version"], item["data"])
            for removed in changes["removed"]:
                held.pop(removed, None)
        self.objects = {k: v for k, v in self.objects.items() if v}
        self.cursor = page["cursor"]

    async def sync(self, client: httpx.AsyncClient, headers: Headers, limit: int = 500) -> int:
        """Pull until caught up; the number of requests."""
        requests = 0
        while True:
            page = await pull(client, headers, self.cursor, limit)
            self.apply(page)
            requests += 1
            if not page["hasMore"]:
                return requests

    def ids(self, kind: str) -> set[str]:
        return set(self.objects.get(kind, {}))


def held(store: Store) -> dict[str, dict[str, int | None]]:
    """What the phone holds, kind -> id -> version (the kinds ``readable`` reads)."""
    return {
        kind: {i: version for i, (version, _) in objects.items()}
        for kind, objects in store.objects.items()
        if kind in PATHS and objects
    }


async def readable(
    client: httpx.AsyncClient, headers: Headers, store: Store
) -> dict[str, dict[str, int | None]]:
    """What the caller reads through the REST API now, kind -> id -> version: one list
    operation per kind, and a GET of each object ``store`` holds that the lists leave out (a
    member reads their own record and membership, but lists no people)."""
    view: dict[str, dict[str, int | None]] = {}
    for kind, path in PATHS.items():
        items = await all_pages(client, headers, f"/api/v1/{path}", limit="100")
        view[kind] = {item["id"]: item.get("version") for item in items}
    for kind, objects in store.objects.items():
        for object_id in objects.keys() - view.get(kind, {}).keys():
            reply = await client.get(
                f"/api/v1/{PATHS.get(kind, kind)}/{object_id}", headers=headers
            )
            if reply.status_code == 200:
                view.setdefault(kind, {})[object_id] = reply.json().get("version")
    return {kind: objects for kind, objects in view.items() if objects}
