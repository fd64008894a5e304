"""Database engines and the one way to open a write transaction.

SQLite (embedded default): Piccolo opens a connection, and a thread, per query. Here the engine
keeps a few reader connections open, and one writer connection on which every transaction runs,
one at a time behind an asyncio lock (``BEGIN IMMEDIATE``), so concurrent writers queue instead of
failing with "database is locked". WAL lets the readers go on meanwhile.

PostgreSQL: Piccolo's engine with its connection pool, opened and closed with the app.

Both: every statement, transaction and checkout runs under the engine's ``Guard`` (db/outage.py)
and within ``Timeouts``, so a database that is down, frozen or locked answers a 503 within
seconds instead of a 500 or a hung request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString
from piccolo.table import Table

from db.outage import Guard, is_unavailable
from domain.errors import UnavailableError

SQLITE_READERS = 4
# no floor of idle connections: asyncpg keeps one by reconnecting in the background, and logs a
# traceback for every failed try while the server is down (connections opened on demand stay
# open for asyncpg's idle lifetime, 5 minutes, so a busy app keeps its connections anyway)
POOL_MIN, POOL_MAX = 0, 20


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long to wait for the database before answering 503 (CHIBO_DATABASE_*_MS)."""

    connect_ms: int = 3_000  # open a connection (PostgreSQL)
    statement_ms: int = 5_000  # one statement; on SQLite also the wait for another process's lock
    acquire_ms: int = 3_000  # wait for a free pooled connection, or for SQLite's writer
    retry_after_seconds: int = 5  # what a 503 tells the phone

    def __post_init__(self) -> None:
        if min(self.connect_ms, self.statement_ms, self.acquire_ms, self.retry_after_seconds) < 1:
            msg = "database timeouts must be positive"
            raise ValueError(msg)

    @property
    def acquire(self) -> float:
        return self.acquire_ms / 1000


class SQLiteWriterTransaction(SQLiteTransaction):
    """A transaction on the engine's single writer connection, held under its lock."""

    engine: PersistentSQLiteEngine

    def __init__(self, engine: PersistentSQLiteEngine) -> None:
        super().__init__(engine=engine, transaction_type=TransactionType.immediate)

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        with self.engine.guard():
            async with asyncio.timeout(self.engine.timeouts.acquire):
                await self.engine.writer_lock.acquire()
            try:
                self.connection = self.engine.writer()
                await self.begin()  # type: ignore[no-untyped-call]
            except BaseException:
                self.engine.writer_lock.release()
                raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if self._parent:
            return exception is None
        try:
            with self.engine.guard():
                await self._finish(exception)
        finally:
            self.engine.current_transaction.reset(self.context)
            self.engine.writer_lock.release()
        return exception is None

    async def _finish(self, exception: BaseException | None) -> None:
        if exception is not None or self._rolled_back:
            if not self._rolled_back:
                await self.rollback()  # type: ignore[no-untyped-call]
        elif not self._committed:
            try:
                await self.commit()  # type: ignore[no-untyped-call]
            except BaseException:
                await self.rollback()  # type: ignore[no-untyped-call]
                raise


class PersistentSQLiteEngine(SQLiteEngine):
    """SQLite with connections kept open for the life of the process (see module doc)."""

    def __init__(self, path: str, timeouts: Timeouts) -> None:
        super().__init__(path=path, timeout=timeouts.statement_ms / 1000)  # the busy timeout
        self.timeouts = timeouts
        self.guard = Guard(timeouts.retry_after_seconds)
        self.writer_lock = asyncio.Lock()
        self._writer: aiosqlite.Connection | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all: list[aiosqlite.Connection] = []

    async def open(self) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.writer_lock = asyncio.Lock()
        self._readers = asyncio.Queue()
        self._writer = await self._connect()
        await _pragma(self._writer, "journal_mode = WAL")
        for _ in range(SQLITE_READERS):
            self._readers.put_nowait(await self._connect())

    async def close(self) -> None:
        for connection in self._all:
            await connection.close()
        self._all.clear()
        self._writer = None

    async def _connect(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        for pragma in ("foreign_keys = 1", "synchronous = NORMAL"):
            await _pragma(connection, pragma)
        self._all.append(connection)
        return connection

    def writer(self) -> aiosqlite.Connection:
        if self._writer is None:
            msg = "the SQLite engine is not open"
            raise RuntimeError(msg)
        return self._writer

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,  # noqa: ARG002
        allow_nested: bool = True,  # noqa: ARG002
    ) -> SQLiteTransaction:
        return SQLiteWriterTransaction(self)

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",  # noqa: ARG002
        table: type[Table] | None = None,  # noqa: ARG002
    ) -> list[dict[str, Any]]:
        with self.guard(heals=False):
            async with asyncio.timeout(self.timeouts.acquire):
                connection = await self._readers.get()
            try:
                # one hop to the connection's thread (execute, fetch and close there), not three
                rows: list[dict[str, Any]] = list(
                    await connection.execute_fetchall(query, args or [])  # type: ignore[arg-type]
                )
                if connection.in_transaction:
                    await connection.commit()
                return rows
            finally:
                self._readers.put_nowait(connection)

    async def _run_in_existing_connection(
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",  # noqa: ARG002
        table: type[Table] | None = None,  # noqa: ARG002
    ) -> list[dict[str, Any]]:
        with self.guard():
            return list(await connection.execute_fetchall(query, args or []))  # type: ignore[arg-type]


async def _pragma(connection: aiosqlite.Connection, pragma: str) -> None:
    async with connection.execute(f"PRAGMA {pragma}") as cursor:
        await cursor.fetchall()


class GuardedPostgresTransaction(PostgresTransaction):
    """Piccolo's transaction with a bounded checkout, and a connection that always goes back to
    the pool: Piccolo's leaks it when BEGIN or COMMIT fails, and a frozen server then drained
    the pool for good."""

    engine: GuardedPostgresEngine

    async def __aenter__(self) -> PostgresTransaction:
        if self._parent is not None:
            return self._parent
        with self.engine.guard():
            self.connection = await self.engine.checkout()
            try:
                self.transaction = self.connection.transaction()
                await self.begin()  # type: ignore[no-untyped-call]
            except BaseException:
                await self.engine.give_back(self.connection, broken=True)
                raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if self._parent:
            return exception is None
        # a statement that timed out left the server busy or gone: closing the connection rolls
        # back without waiting for it again
        broken = isinstance(exception, UnavailableError)
        try:
            if not broken:
                with self.engine.guard():
                    await self._finish(exception)
        except BaseException:
            broken = True
            raise
        finally:
            await self.engine.give_back(self.connection, broken=broken)
            self.engine.current_transaction.reset(self.context)
        return exception is None

    async def _finish(self, exception: BaseException | None) -> None:
        if exception is not None:
            if not self._rolled_back:
                await self.rollback()  # type: ignore[no-untyped-call]
        elif not self._committed and not self._rolled_back:
            await self.commit()  # type: ignore[no-untyped-call]


class GuardedPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine within ``Timeouts`` and under a ``Guard``."""

    def __init__(self, dsn: str, timeouts: Timeouts) -> None:
        super().__init__(
            config={
                "dsn": dsn,
                "timeout": timeouts.connect_ms / 1000,
                "command_timeout": timeouts.statement_ms / 1000,
            }
        )
        self.timeouts = timeouts
        self.guard = Guard(timeouts.retry_after_seconds)

    async def checkout(self) -> Any:  # noqa: ANN401 - asyncpg's pool proxy is untyped
        if self.pool is None:
            return await self.get_new_connection()
        return await self.pool.acquire(timeout=self.timeouts.acquire)

    async def give_back(self, connection: Any, *, broken: bool) -> None:  # noqa: ANN401
        """Return a checked-out connection; a broken one is closed at once (the server rolls
        back), not reset over a link that may hang. Errors here are not the caller's: a lost
        connection has already left the pool, and a failed reset has been terminated by
        asyncpg (the pool opens a new one)."""
        with suppress(Exception):
            if broken:
                connection.terminate()
            if self.pool is None:
                await connection.close()
            else:
                await self.pool.release(connection)  # bounded by the checkout's timeout

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return GuardedPostgresTransaction(engine=self, allow_nested=allow_nested)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True) -> Any:  # noqa: ANN401
        with self.guard():
            return await super().run_querystring(querystring, in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:  # noqa: ANN401
        with self.guard():
            return await super().run_ddl(ddl, in_pool)

    async def _run_in_pool(self, query: str, args: Any = None) -> Any:  # noqa: ANN401
        connection = await self.checkout()
        broken = True
        try:
            response = await connection.fetch(query, *(args or []))
            broken = False
        except Exception as error:
            broken = is_unavailable(error)
            raise
        finally:
            await self.give_back(connection, broken=broken)
        return response


class Database:
    """The engine of this process, its life cycle, and atomic units of work."""

    def __init__(self, url: str, timeouts: Timeouts | None = None) -> None:
        self.url = url
        self.timeouts = timeouts or Timeouts()
        engine = engine_for(url, self.timeouts)
        self.guard = engine.guard
        self.engine: Engine[Any] = engine

    @property
    def kind(self) -> str:
        return "postgres" if isinstance(self.engine, PostgresEngine) else "sqlite"

    async def open(self) -> None:
        if isinstance(self.engine, PersistentSQLiteEngine):
            await self.engine.open()
        elif isinstance(self.engine, PostgresEngine):
            await self.engine.start_connection_pool(min_size=POOL_MIN, max_size=POOL_MAX)
            await self.engine.run_querystring(QueryString("SELECT 1"))  # a bad URL fails here

    async def close(self) -> None:
        if isinstance(self.engine, PersistentSQLiteEngine):
            await self.engine.close()
        elif isinstance(self.engine, PostgresEngine):
            await self.engine.close_connection_pool()

    async def ping(self) -> bool:
        """Whether the database answers, within the checkout timeout (readiness must be fast)."""
        try:
            async with asyncio.timeout(self.timeouts.acquire):
                await self.engine.run_querystring(QueryString("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means not ready
            return False
        return True

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[None]:
        """One unit of work. Inside another one it becomes a savepoint, so a failure still
        leaves nothing half-written (and tests that wrap everything in a transaction see it)."""
        current = self.engine.current_transaction.get()
        if current is None:
            async with self.engine.transaction():
                yield
            return
        with self.guard():
            savepoint = await current.savepoint()
        try:
            yield
        except BaseException:
            with self.guard():
                await savepoint.rollback_to()
            raise
        with self.guard():
            await savepoint.release()


def engine_for(url: str, timeouts: Timeouts) -> PersistentSQLiteEngine | GuardedPostgresEngine:
    parts = urlsplit(url)
    if parts.scheme == "sqlite" and url.startswith("sqlite:///"):
        return PersistentSQLiteEngine(str(sqlite_path(url)), timeouts)
    if parts.scheme in {"postgresql", "postgres"}:
        return GuardedPostgresEngine(url, timeouts)
    msg = f"unsupported database URL scheme {parts.scheme!r}"
    raise ValueError(msg)


def sqlite_path(url: str) -> Path:
    """The file of sqlite:///relative/path or sqlite:////absolute/path (SQLAlchemy's spelling)."""
    return Path(unquote(url.removeprefix("sqlite:///")))
