"""The fast reads (api/http/fast_reads.py, decision 0022) answer exactly as Litestar would.

- Over callers (every role, another ward's, a temporary password, a revoked session, a forged or
  malformed token, none) and query shapes (good, out of range, malformed, escaped, repeated,
  unknown, a real cursor and a forged one, another ward's unit), the app's reply equals — status,
  headers, bytes — the reply of the same app without the fast reads (the same request id sent to
  both: problem details carry it).
- The shapes a phone sends are really answered there (the answer called, nothing declined), and
  what they cannot answer is declined and counted.
- The app has no middleware, guard or hook but those the fast reads stand in for, and each fast
  route is a route of the app with the parameters it serves: a middleware added later that the
  fast reads would skip fails here first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any
from uuid import uuid4

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from prometheus_client import REGISTRY

import api.app
from api.http.auth import WITH_TEMPORARY_PASSWORD, temporary_password_guard
from api.http.fast_reads import FastRead
from api.http.strict import StrictInput
from chibo.bootstrap import build_app
from chibo.settings import Settings
from db.engine import Database
from domain.meetings.model import MeetingKind, MeetingStatus
from domain.tasks.model import Priority, TaskSource, TaskStatus
from tests.api.meeting_calls import DEC_4, MEETINGS, create, meeting_body
from tests.api.task_calls import TASKS, new_task
from tests.factories import World, build_world, login
from tests.fakes import FakeClock

ME, PEOPLE = "/api/v1/me", "/api/v1/people"
SLOW_APPS: dict[int, Litestar] = {}
Headers = list[tuple[str, str]]


@pytest.fixture
async def slow(
    db: Database, clock: FakeClock, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """The same app on the same database and clock, without the fast reads."""
    if id(db) not in SLOW_APPS:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(api.app, "_fast_reads", lambda _: ())
            SLOW_APPS[id(db)] = build_app(settings, clock=clock, database=db)
    transport = httpx.ASGITransport(app=SLOW_APPS[id(db)], client=("10.0.0.1", 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as http:
        yield http


@dataclasses.dataclass
class Scene:
    world: World
    callers: dict[str, Headers]
    cursors: dict[str, str]


async def scene(client: httpx.AsyncClient) -> Scene:
    world = await build_world()
    leader = await login(client, world.leader_1)
    secretary = await login(client, world.secretary_a)
    for day in range(3):
        await create(client, secretary, meeting_body(world, DEC_4.replace(day=4 + day)))
        await new_task(client, leader, world.cell_a, world.secretary_a, title=f"Việc {day}")
    admin = await login(client, world.admin)
    made = await client.post(
        PEOPLE,
        json={
            "homeUnitId": str(world.cell_a.id),
            "fullName": "Ngô Thị Mai",
            "phone": "+84987650001",
            "password": "giay-bao-so-0417",
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    signed = await client.post(
        "/api/v1/auth/login", json={"phone": "+84987650001", "password": "giay-bao-so-0417"}
    )
    assert signed.json()["passwordChangeRequired"] is True
    revoked = await login(client, world.leader_1)
    assert (await client.post("/api/v1/auth/logout", headers=revoked)).status_code == 204
    token = leader["Authorization"].removeprefix("Bearer ")
    callers = {
        name: list((await login(client, person)).items())
        for name, person in (
            ("leader", world.leader_1),
            ("other_leader", world.leader_2),
            ("secretary", world.secretary_a),
            ("other_secretary", world.secretary_b),
            ("member", world.member_a),
            ("inspector", world.inspector),
        )
    }
    callers |= {
        "admin": list(admin.items()),
        "temporary": [("Authorization", f"Bearer {signed.json()['accessToken']}")],
        "revoked": list(revoked.items()),
        "forged": [("Authorization", f"Bearer {token[:-4]}AAAA")],
        "garbage": [("Authorization", "Bearer abc.def.ghi")],
        "lower_case": [("Authorization", f"bearer {token}")],
        "twice": [("Authorization", f"Bearer {token}")] * 2,
        "none": [],
    }
    cursors = {}
    for path, query, who in (
        (PEOPLE, f"limit=1&unitId={world.ward1.id}", leader),
        (TASKS, f"limit=1&unitId={world.ward1.id}", leader),
        (MEETINGS, f"limit=1&cellId={world.cell_a.id}", secretary),
    ):
        page = await client.get(f"{path}?{query}", headers=who)
        assert page.status_code == 200, page.text
        cursors[path] = page.json()["nextCursor"]
    return Scene(world, callers, cursors)


def queries(scene: Scene, path: str) -> list[str]:
    """Query strings for ``path``: the usual shapes and the unusual."""
    w = scene.world
    if path == ME:
        return ["", "limit=1", "x=1"]
    cursor = scene.cursors[path]
    shapes = [
        "",
        "limit=1",
        "limit=100",
        "limit=101",
        "limit=0",
        "limit=020",
        "limit=abc",
        "limit=",
        "limit",
        "limit=1&limit=2",
        f"cursor={cursor}",
        f"limit=1&cursor={cursor}",
        "cursor=zzz",
        "cursor=",
        "limit=%31",
        "limit=+1",
        "unknown=1",
        f"limit=2&unitId={w.ward1.id}",
        f"unitId={w.ward2.id}",
        f"unitId={w.cell_a.id}",
        f"unitId={uuid4()}",
        f"unitId={str(w.ward1.id).upper()}",
        f"unitId={w.ward1.id.hex}",
        "unitId=x",
    ]
    if path == TASKS:
        shapes += [
            *(f"status={s.value}" for s in TaskStatus),
            f"source={next(iter(TaskSource)).value}&priority={next(iter(Priority)).value}",
            "status=bogus",
            f"status=open&unitId={w.ward1.id}&limit=1&cursor={cursor}",
            "overdue=true",
        ]
    if path == MEETINGS:
        shapes += [
            f"cellId={w.cell_a.id}",
            f"cellId={w.cell_b.id}",
            f"cellId={w.cell_a.id}&month=2026-12",
            "month=2026-13",
            "month=1999-12",
            *(f"status={s.value}" for s in MeetingStatus),
            *(f"kind={k.value}&cellId={w.cell_a.id}" for k in MeetingKind),
            "kind=bogus",
        ]
    return shapes


def requests(scene: Scene) -> list[tuple[str, str, Headers]]:
    """Every query shape for three callers, and every caller for a few shapes."""
    found = []
    for path in (ME, PEOPLE, MEETINGS, TASKS):
        shapes = queries(scene, path)
        for who in ("leader", "secretary", "other_leader"):
            found += [(path, query, scene.callers[who]) for query in shapes]
        for headers in scene.callers.values():
            found += [(path, query, headers) for query in shapes[:2]]
    return found


def seen(reply: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    return reply.status_code, reply.headers.multi_items(), reply.content


async def test_every_reply_is_the_one_litestar_gives(
    client: httpx.AsyncClient, slow: httpx.AsyncClient
) -> None:
    here = await scene(client)
    statuses: set[int] = set()
    for n, (path, query, headers) in enumerate(requests(here)):
        language = [("Accept-Language", "en")] if n % 2 else []
        language.append(("X-Request-Id", f"request-{n}"))  # problem details carry it
        url = f"{path}?{query}" if query else path
        fast = await client.get(url, headers=headers + language)
        full = await slow.get(url, headers=headers + language)
        assert seen(fast) == seen(full), (url, headers)
        statuses.add(fast.status_code)
    assert {200, 401, 403, 404, 422} <= statuses  # the matrix reaches every kind of answer


def counted() -> Callable[[Any], tuple[FastRead, ...]]:
    """``api.app._fast_reads`` with each answer counting its calls in ``calls``."""
    made = api.app._fast_reads

    def fast_reads(services: Any) -> tuple[FastRead, ...]:
        def spied(route: FastRead) -> FastRead:
            async def answer(*args: Any, **kwargs: Any) -> Any:
                CALLS[route.path] = CALLS.get(route.path, 0) + 1
                return await route.answer(*args, **kwargs)

            return dataclasses.replace(route, answer=answer)

        return tuple(spied(route) for route in made(services))

    return fast_reads


CALLS: dict[str, int] = {}


def declined(path: str) -> float:
    return REGISTRY.get_sample_value("chibo_fast_reads_declined_total", {"route": path}) or 0.0


async def test_a_phones_usual_reads_are_answered_there_and_the_rest_declined(
    db: Database, clock: FakeClock, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api.app, "_fast_reads", counted())
    app = build_app(settings, clock=clock, database=db)
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as client:
        here = await scene(client)
        w = here.world
        answered = [
            (ME, "", "temporary"),
            (ME, "", "member"),
            (PEOPLE, f"limit=20&unitId={w.ward1.id}", "leader"),
            (PEOPLE, f"cursor={here.cursors[PEOPLE]}&limit=1&unitId={w.ward1.id}", "leader"),
            (MEETINGS, f"limit=20&cellId={w.cell_a.id}", "secretary"),
            (MEETINGS, f"cursor={here.cursors[MEETINGS]}&month=2026-12", "secretary"),
            (TASKS, f"limit=20&unitId={w.ward1.id}&status=open", "leader"),
            (TASKS, "", "inspector"),
        ]
        left = [
            (PEOPLE, "limit=500", "leader", 422),
            (PEOPLE, f"unitId={w.ward2.id}", "leader", 404),
            (TASKS, "", "temporary", 403),
            (TASKS, "overdue=true", "leader", 200),
            (MEETINGS, "", "revoked", 401),
            (ME, "", "garbage", 401),
        ]
        for path, query, who in answered:
            before = CALLS.get(path, 0), declined(path)
            reply = await client.get(f"{path}?{query}", headers=here.callers[who])
            assert reply.status_code == 200, reply.text
            assert (CALLS.get(path, 0), declined(path)) == (before[0] + 1, before[1])
        for path, query, who, status in left:
            before_declined = declined(path)
            reply = await client.get(f"{path}?{query}", headers=here.callers[who])
            assert reply.status_code == status, reply.text
            assert declined(path) == before_declined + 1


def test_the_app_has_nothing_the_fast_reads_would_skip() -> None:
    """What Litestar runs for these routes before their handler: our two middlewares (neither
    acts on a GET: OPTIONS and the Idempotency-Key of a POST), JWT authentication (the fast
    reads check the same token the same way), the temporary password guard (the fast reads
    decline such a caller unless the route allows it) and StrictInput (the fast reads accept only
    values it passes). Anything else added to the app or to these routes fails here."""
    app = build_app(Settings(database_url="sqlite:///unused", secret_key="x" * 32))
    names = sorted(_name(getattr(m, "middleware", m)) for m in app.middleware)
    assert names == [
        "IdempotencyMiddleware",
        "JWTAuthenticationMiddleware",
        "options_allow_middleware",
    ]
    assert app.guards == [temporary_password_guard]
    assert isinstance(app.before_request, StrictInput)
    assert app.after_request is None
    assert app.before_send == []
    schema = app.openapi_schema.to_schema()
    for fast in api.app._fast_reads(app_services_stub()):
        (handler,) = [
            h
            for route in app.routes
            if isinstance(route, HTTPRoute) and route.path == fast.path
            for h in route.route_handlers
            if "GET" in h.http_methods
        ]
        assert handler.resolve_guards() == [temporary_password_guard]
        assert len(handler.resolve_middleware()) == len(app.middleware)
        assert handler.resolve_dependencies().keys() >= {"actor"}
        assert bool(handler.opt.get(WITH_TEMPORARY_PASSWORD)) == fast.with_temporary_password
        served = {p["name"] for p in schema["paths"][fast.path]["get"].get("parameters", [])}
        assert set(fast.query) <= served, fast.path


def _name(middleware: object) -> str:
    return str(getattr(middleware, "__name__", type(middleware).__name__))


def app_services_stub() -> Any:
    """Services whose methods are never called (the routes' table only names them)."""

    class Stub:
        def __getattr__(self, name: str) -> Callable[[str | None], None]:
            return lambda _: None

    return Stub()
