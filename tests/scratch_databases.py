"""A scratch PostgreSQL database beside CHIBO_TEST_POSTGRES_URL's, for tests whose writes must be
committed for other connections or processes to see (the per-test rollback cannot serve them),
and Piccolo's tables pointed at it for a while."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import asyncpg
import pytest
from piccolo.apps.migrations.tables import Migration
from piccolo.table import Table

from db import piccolo_conf
from db.engine import Database, Timeouts
from db.migrate import bind, migrate
from db.tables import ALL_TABLES

POSTGRES_URL = os.environ.get("CHIBO_TEST_POSTGRES_URL")
# A race test's requests may queue for SQLite's writer (or a pooled connection) longer than
# production's 3 s while three test workers share two cores (30 parallel logins: 7 answered 503
# in one run): what such a test checks is who wins, not how long one waits. The outage tests set
# their own short timeouts.
PATIENT = Timeouts(connect_ms=30_000, statement_ms=30_000, acquire_ms=30_000)


async def create_scratch(prefix: str, server: str) -> str:
    """An empty database beside the one ``server`` names; its URL."""
    name = f"{prefix}_{uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


async def drop_scratch(url: str, server: str) -> None:
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path[1:]}" WITH (FORCE)')
    finally:
        await admin.close()


@asynccontextmanager
async def scratch_database(prefix: str, server: str | None = POSTGRES_URL) -> AsyncIterator[str]:
    """Create an empty database beside the one ``server`` names, yield its URL, drop it. Skips
    the test without a server; with one, an unreachable server fails the test."""
    if not server:
        pytest.skip("CHIBO_TEST_POSTGRES_URL is not set")
    url = await create_scratch(prefix, server)
    try:
        yield url
    finally:
        await drop_scratch(url, server)


@asynccontextmanager
async def bound_to(
    url: str, *, migrated: bool = False, timeouts: Timeouts | None = None
) -> AsyncIterator[Database]:
    """The database opened (and migrated if asked) with every table on it; afterwards the tables
    go back to the engine they had, so the session's own databases are unaffected."""
    tables: tuple[type[Table], ...] = (*ALL_TABLES, Migration)
    saved_conf, saved = piccolo_conf.DB, {table: table._meta.db for table in tables}
    database = Database(url, timeouts)
    await database.open()
    try:
        if migrated:
            await migrate(database)
        bind(database)
        yield database
    finally:
        await database.close()
        piccolo_conf.DB = saved_conf
        for table, engine in saved.items():
            table._meta.db = engine


@asynccontextmanager
async def fresh_database(
    engine: str, directory: Path, postgres_url: str | None = POSTGRES_URL
) -> AsyncIterator[Database]:
    """A migrated database of its own, bound, whose writes commit (for concurrent requests and
    processes): a SQLite file in `directory`, or a PostgreSQL database created beside the one
    `postgres_url` names and dropped afterwards."""
    if engine == "sqlite":
        sqlite_url = f"sqlite:///{directory / 'chibo.sqlite3'}"
        async with bound_to(sqlite_url, migrated=True, timeouts=PATIENT) as db:
            yield db
        return
    async with (
        scratch_database("chibo_fresh", postgres_url) as url,
        bound_to(url, migrated=True, timeouts=PATIENT) as db,
    ):
        yield db
