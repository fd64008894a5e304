"""Schemathesis over every operation of the served OpenAPI document, in process, all checks,
every phase (examples, coverage, fuzzing, and stateful sequences that follow the document's links
from each create to its reads), on both engines.

Schemathesis drives an ASGI app from one event loop thread of its own, and Piccolo's PostgreSQL
pool is bound to one loop (STACK-NOTES.md), so the app owns its database here: a fresh SQLite
file or PostgreSQL scratch database, migrated and seeded with the factory world on a private loop,
then opened by the app's lifespan on schemathesis's loop.

Requests carry the admin's token (the admin may call everything), each case a session of its own,
so a generated Logout or a revoked session never leaves the next case without a caller. The
generation is derandomized with a fixed seed: CI sees the same cases every run.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

import pytest
import schemathesis
import schemathesis.engine
from litestar import Litestar
from schemathesis.engine import Status, events
from schemathesis.engine.run import PhaseName
from schemathesis.python import asgi

from api.http.auth import make_jwt_auth
from chibo.bootstrap import build_app
from chibo.settings import Settings
from db.engine import Database
from db.migrate import migrate
from db.tables import DeviceSessionTable
from domain.auth.model import new_salt
from tests.conftest import ENGINES, TEST_SECRET
from tests.factories import build_world
from tests.scratch_databases import POSTGRES_URL, create_scratch, drop_scratch

T = TypeVar("T")
OPENAPI = "/api/docs/openapi.json"
SEED = 20261127
MAX_EXAMPLES = 5
SESSIONS = 4000  # more than the cases generated; each case takes the next one

CONFIG = {
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    # The stateful phase walks the document's links only: links inferred from names guess wrong
    # here (a device is deleted by its push token, not by the id RegisterDevice answers).
    "phases": {"stateful": {"max-steps": 20, "inference": {"algorithms": []}}},
    "checks": {
        # Beyond what a schema can say, a well-formed request can break a rule of the domain
        # (a cell cannot hold units, a membership needs a cell, an exempt member needs the
        # resolution date ...): DESIGN.md answers those 422 with a problem `code`.
        # Updates carry If-Match (required in the document); a generated value never names the
        # stored version, so a well-formed update to an existing record answers 412.
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422", "429"]
        },
        # A missing If-Match answers 428 Precondition Required (RFC 6585), the status for it.
        "missing_required_header": {
            "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
        },
    },
    # A sync cursor is signed by the server: one it did not hand out is 400 sync_cursor_invalid
    # (issue #17), and no schema can tell a signed cursor from a well-formed string.
    "operations": [
        {
            "include-operation-id": "SyncPull",
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422", "429"]
                }
            },
        }
    ],
}


# Without a token every protected operation answers 401 before its input is read, so the
# boundary values of the coverage phase and the stateful walks (whose creates all fail) test the
# same refusal again and again: the anonymous run keeps examples and fuzzing (the public
# operations - login, refresh, health - are exercised in full by the admin's run too).
ANONYMOUS_CONFIG = {
    **CONFIG,
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
}


def run_in_thread(coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run on a private loop: the test session's loop must stay untouched."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine()).result()


async def seed(settings_: Settings) -> list[str]:
    """Migrate, build the factory world and open admin sessions; return their access tokens."""
    database = Database(settings_.database_url)
    await database.open()
    try:
        await migrate(database)
        world = await build_world()
        now = datetime.now(UTC)
        sessions = [
            DeviceSessionTable(
                id=uuid4(),
                person=world.admin.id,
                device_name="schemathesis",
                generation=0,
                salt=new_salt(),
                created_at=now,
                last_used_at=now,
                expires_at=now + timedelta(days=1),
            )
            for _ in range(SESSIONS)
        ]
        for start in range(0, SESSIONS, 500):
            await DeviceSessionTable.insert(*sessions[start : start + 500])
    finally:
        await database.close()
    jwt = make_jwt_auth(settings_.secret_key, [])
    return [
        jwt.create_token(
            identifier=str(world.admin.id),
            token_expiration=timedelta(hours=1),
            token_extras={"sid": str(session.id)},
        )
        for session in sessions
    ]


@contextmanager
def fresh_database(engine: str, root: Path) -> Iterator[str]:
    """The URL of an empty database of ``engine`` for this module."""
    if engine == "sqlite":
        yield f"sqlite:///{root / 'chibo.sqlite3'}"
        return
    assert POSTGRES_URL is not None  # the engine is listed only when it is set
    server = POSTGRES_URL
    url = run_in_thread(lambda: create_scratch("chibo_schemathesis", server))
    try:
        yield url
    finally:
        run_in_thread(lambda: drop_scratch(url, server))


@pytest.fixture(scope="module", params=ENGINES)
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Litestar, list[str]]]:
    """The app on a fresh database of the engine, and the admin's access tokens."""
    root: Path = tmp_path_factory.mktemp("schemathesis")
    with fresh_database(request.param, root) as url:
        settings_ = Settings(
            database_url=url, secret_key=TEST_SECRET, upload_dir=str(root / "uploads")
        )
        tokens = run_in_thread(lambda: seed(settings_))
        yield build_app(settings_), tokens  # owns its database: opened on schemathesis's loop
        asgi.shutdown_lifespans()


def load(app: Litestar, tokens: list[str] | None) -> schemathesis.BaseSchema:
    config = CONFIG if tokens is not None else ANONYMOUS_CONFIG
    schema = schemathesis.openapi.from_asgi(
        OPENAPI, app, config=schemathesis.Config.from_dict(config)
    )
    if tokens is not None:
        pool = itertools.cycle(tokens)

        class FreshAdminSession:
            """A session of its own per case (see the module docstring)."""

            def get(self, _case: schemathesis.Case[Any], _context: schemathesis.AuthContext) -> str:
                return next(pool)

            def set(
                self, case: schemathesis.Case[Any], data: str, _context: schemathesis.AuthContext
            ) -> None:
                case.headers["Authorization"] = f"Bearer {data}"

        schema.auth(refresh_interval=None)(FreshAdminSession)
    return schema


@dataclass
class Run:
    problems: list[str] = field(default_factory=list)
    stateful_links: int = 0  # links between operations the stateful phase walked
    stateful_scenarios: int = 0


def run(schema: schemathesis.BaseSchema) -> Run:
    """Run every phase (examples, coverage, fuzzing, stateful) and describe each failure."""
    result = Run()
    found = result.problems
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.PhaseStarted) and event.payload is not None:
            result.stateful_links = event.payload.transitions_selected
        if isinstance(event, events.ScenarioFinished):
            if event.phase is PhaseName.STATEFUL_TESTING:
                result.stateful_scenarios += 1
            for checks in event.recorder.checks.values():
                found.extend(
                    f"{event.recorder.label} [{event.phase.value}] {check.name}: "
                    f"{check.failure_info.failure.title}\n{check.failure_info.code_sample}"
                    for check in checks
                    if check.status is Status.FAILURE and check.failure_info is not None
                )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            found.append(f"error: {event!r}")
        elif isinstance(event, events.EngineFinished):
            found.extend(f"after run: {failure.title}" for failure in event.failures)
    result.problems = sorted(set(found))
    return result


def test_every_operation_as_admin(app: tuple[Litestar, list[str]]) -> None:
    result = run(load(*app))
    assert not result.problems, "\n\n".join(result.problems)
    # The stateful phase follows the document's links from each create to its reads.
    assert result.stateful_links >= 10
    assert result.stateful_scenarios > 0


def test_every_operation_anonymously(app: tuple[Litestar, list[str]]) -> None:
    result = run(load(app[0], None))
    assert not result.problems, "\n\n".join(result.problems)
