"""Engines for db and api tests: SQLite always, PostgreSQL when CHIBO_TEST_POSTGRES_URL is set.

The schema is built once per engine by the real migrations; each test runs inside one transaction
that is rolled back, and the app under test runs on the test's own event loop, so handlers join
that transaction (see STACK-NOTES.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from chibo.bootstrap import Container, build_app
from chibo.settings import Settings
from db.engine import Database
from db.migrate import bind, migrate
from tests.fakes import FakeClock
from tests.scratch_databases import POSTGRES_URL, fresh_database, scratch_database

ENGINES = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
TEST_SECRET = "test-secret-key-that-is-long-enough-1234567890"


def services(db: Database, clock: FakeClock, settings: Settings | None = None) -> Container:
    """The program's services over the test's database and clock, built as the app builds them
    (for tests that call a use case or a job without HTTP)."""
    return Container(
        settings or Settings(database_url="sqlite:///unused", secret_key=TEST_SECRET), clock, db
    )


async def _opened(url: str) -> Database:
    database = Database(url)
    await database.open()
    await migrate(database)
    return database


@pytest.fixture(scope="session")
async def databases(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, Database]]:
    """Each engine opened and migrated once. With CHIBO_TEST_POSTGRES_URL set, a fresh database
    is created beside the one it names and dropped at the end; if PostgreSQL cannot be reached
    the run fails: the variable says it must be there."""
    path = tmp_path_factory.mktemp("sqlite") / "chibo.sqlite3"
    opened = {"sqlite": await _opened(f"sqlite:///{path}")}
    async with AsyncExitStack() as stack:
        if POSTGRES_URL:
            url = await stack.enter_async_context(scratch_database("chibo_test"))
            opened["postgres"] = await _opened(url)
        yield opened
        for database in opened.values():
            await database.close()


@pytest.fixture(params=ENGINES)
async def db(
    request: pytest.FixtureRequest, databases: dict[str, Database]
) -> AsyncIterator[Database]:
    """The engine for this test, inside a transaction rolled back at the end."""
    database = databases[request.param]
    bind(database)
    async with database.engine.transaction() as transaction:
        yield database
        await transaction.rollback()


# One clock and one app per engine and settings for the whole session: building a Litestar app
# costs up to a second, and every test resets the clock and runs in its own transaction anyway.
SHARED_CLOCK = FakeClock()
APPS: dict[tuple[int, Settings], Litestar] = {}


@pytest.fixture
def clock() -> FakeClock:
    SHARED_CLOCK.reset()
    return SHARED_CLOCK


@pytest.fixture
def settings() -> Settings:
    return Settings(database_url="sqlite:///unused", secret_key=TEST_SECRET)


@pytest.fixture
async def client(
    db: Database, clock: FakeClock, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the test's loop and transaction."""
    key = (id(db), settings)
    if key not in APPS:
        APPS[key] = build_app(settings, clock=clock, database=db)
    transport = httpx.ASGITransport(app=APPS[key], client=("10.0.0.1", 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as http:
        yield http


@pytest.fixture(params=ENGINES)
async def committed(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database of its own whose writes commit (no rollback around the test), so concurrent
    requests really meet, as in production."""
    async with fresh_database(request.param, tmp_path) as database:
        yield database
