"""Database engines and the one way to open a write transaction.

SQLite (embedded default): Piccolo opens a connection, and a thread, per query. Here the engine
keeps a few reader connections open, and one writer connection on which every transaction runs,
one at a time behind an asyncio lock (``BEGIN IMMEDIATE``), so concurrent writers queue instead of
failing with "database is locked". WAL lets the readers go on meanwhile. The short reads of every
request (``run_bounded``: the caller's session, a page of a list) run on the event loop's own
thread instead, on a read-only connection of their own (decision 0021).

PostgreSQL: Piccolo's engine with its connection pool, opened and closed with the app.

Both: a unit of work may also send its writes together (``Database.batched``, db/writes.py): they
run as one transaction in one hop to SQLite's writer thread, or on one PostgreSQL connection.

Both: every statement, transaction and checkout runs under the engine's ``Guard`` (db/outage.py)
and within ``Timeouts``, so a database that is down, frozen or locked answers a 503 within
seconds instead of a 500 or a hung request.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from functools import lru_cache
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

from db import sqlite_values
from db.outage import Guard, is_unavailable
from db.writes import PENDING, Write, apply_here, apply_postgres
from domain.errors import UnavailableError

SQLITE_READERS = 4
# how long a read on the event loop's thread may wait for a lock before a reader takes it over
INLINE_BUSY_SECONDS = 0.01
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


@dataclass(frozen=True, slots=True)
class PoolUse:
    """Connections open, in use, at most; and transactions waiting for SQLite's one writer."""

    size: int = 0
    in_use: int = 0
    max_size: int = 0
    writer_waiting: int = 0


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
        sqlite_values.register()
        self.timeouts = timeouts
        self.guard = Guard(timeouts.retry_after_seconds)
        self.writer_lock = asyncio.Lock()
        self._writer: aiosqlite.Connection | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all: list[aiosqlite.Connection] = []
        self._inline: sqlite3.Connection | None = None

    async def open(self) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.writer_lock = asyncio.Lock()
        self._readers = asyncio.Queue()
        self._writer = await self._connect()
        await _pragma(self._writer, "journal_mode = WAL")
        for _ in range(SQLITE_READERS):
            self._readers.put_nowait(await self._connect())
        inline = sqlite3.connect(
            **{**self.connection_kwargs, "timeout": INLINE_BUSY_SECONDS}, check_same_thread=False
        )
        inline.execute("PRAGMA query_only = 1")
        self._inline = inline

    async def close(self) -> None:
        if self._inline is not None:
            self._inline.close()
            self._inline = None
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

    def connection_use(self) -> PoolUse:
        """The writer and the readers: open, busy; and the transactions queued for the writer."""
        lock = self.writer_lock
        # asyncio.Lock keeps its queue private; the count of waiters is what a queue gauge needs
        waiting = len(getattr(lock, "_waiters", None) or ())
        readers = len(self._all) - 1 if self._all else 0
        return PoolUse(
            size=len(self._all),
            in_use=(readers - self._readers.qsize()) + int(lock.locked()),
            max_size=len(self._all),
            writer_waiting=waiting,
        )

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,  # noqa: ARG002
        allow_nested: bool = True,  # noqa: ARG002
    ) -> SQLiteTransaction:
        return SQLiteWriterTransaction(self)

    async def run_writes(self, writes: Sequence[Write]) -> int | None:
        """``writes`` as one transaction in ONE hop to the writer's thread, holding its lock for
        that hop only; inside an open transaction, as a savepoint of it in one hop on its
        connection. Returns what ``apply_here`` returns."""
        current = self.current_transaction.get()
        if current is not None:
            with self.guard():
                return await _in_thread(current.connection, writes, nested=True)
        with self.guard():
            async with asyncio.timeout(self.timeouts.acquire):
                await self.writer_lock.acquire()
            try:
                return await _in_thread(self.writer(), writes, nested=False)
            finally:
                self.writer_lock.release()

    async def run_bounded(self, template: str, values: Sequence[Any]) -> list[dict[str, Any]]:
        """A read bounded by index seeks and a LIMIT, tens of microseconds of SQLite's work, on
        the event loop's own thread: the hop to a reader's thread and back (two thread switches
        and a contended GIL twice) cost several times the statement, on every request. Inside a
        transaction it reads on the transaction's connection, as any statement. A read that
        fails here (busy past ``INLINE_BUSY_SECONDS``: another process recovering or truncating
        the WAL; or worse) is run again by a reader, which waits off the loop and translates
        what fails as every statement does."""
        if self._inline is None or self.current_transaction.get() is not None:
            rows: list[dict[str, Any]] = await self.run_querystring(QueryString(template, *values))
            return rows
        self.get_query_id()  # counted as every statement is
        query, args = compiled_text(template, self.engine_type, len(values)), list(values)
        try:
            cursor = self._inline.execute(query, args)
            rows = cursor.fetchall()
        except sqlite3.Error:
            return await self._run_in_new_connection(query, args)
        # rows as Piccolo's ``dict_factory`` makes them, its names taken once per statement
        # rather than once per row (~1 µs a row)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in rows]

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


async def run_bounded(
    engine: Engine[Any], template: str, values: Sequence[Any]
) -> list[dict[str, Any]]:
    """A read bounded by index seeks and a LIMIT (the caller's session and grants, a page of a
    list, a profile): ``template`` with a ``{}`` per value, as Piccolo's ``QueryString`` writes
    it, and plain ``values`` (no column, no nested query). On SQLite on the event loop's thread
    (``PersistentSQLiteEngine.run_bounded``), on PostgreSQL on a pooled connection as any
    statement; on both its SQL text compiled once per template (``compiled_text``) and no
    ``QueryString`` made (its scan of the values, two ABC checks a value, was a few per cent of
    ``/me``). Never a read whose cost grows with the data (a report, a sync pull, an export): on
    SQLite it would stop every other request while it runs."""
    if isinstance(engine, PersistentSQLiteEngine | GuardedPostgresEngine):
        rows: list[dict[str, Any]] = await engine.run_bounded(template, values)
    else:
        rows = await engine.run_querystring(QueryString(template, *values))
    return rows


@lru_cache(maxsize=1024)
def compiled_text(template: str, engine_type: str, count: int) -> str:
    """Piccolo's SQL text of a template of ``count`` plain values: it depends only on those, and
    compiling it was ~15 µs of every short read."""
    return QueryString(template, *([None] * count)).compile_string(engine_type)[0]


async def _in_thread(
    connection: aiosqlite.Connection, writes: Sequence[Write], *, nested: bool
) -> int | None:
    # aiosqlite runs a function on the connection's own thread only through this private door
    missed: int | None = await connection._execute(  # type: ignore[no-untyped-call]  # noqa: SLF001
        apply_here,
        connection._conn,  # noqa: SLF001
        writes,
        nested=nested,
    )
    return missed


async def _pragma(connection: aiosqlite.Connection, pragma: str) -> None:
    async with connection.execute(f"PRAGMA {pragma}") as cursor:
        await cursor.fetchall()


async def keep_session(connection: Any) -> None:  # noqa: ANN401 - an asyncpg connection
    """The pool's reset: nothing. asyncpg's default sends ``pg_advisory_unlock_all()``, ``RESET
    ALL`` and friends, one more round trip after every statement run outside a transaction. No
    pooled connection keeps session state (the scheduler's leader lock has its own connection,
    schedules/runner.py; other locks are transaction-level), and asyncpg still rolls back a
    transaction left open before calling this. Never ``SET`` or lock at session level on a
    pooled connection."""
    del connection


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

    def connection_use(self) -> PoolUse:
        """The pool's connections: open, checked out, at most (nothing before it is opened)."""
        if self.pool is None:
            return PoolUse()
        size = self.pool.get_size()
        return PoolUse(
            size=size, in_use=size - self.pool.get_idle_size(), max_size=self.pool.get_max_size()
        )

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

    async def run_bounded(self, template: str, values: Sequence[Any]) -> Any:  # noqa: ANN401 - asyncpg's rows
        """A short read of every request, its SQL text compiled once per template (see
        ``run_bounded`` below); inside a transaction, as any statement."""
        if self.pool is None or self.current_transaction.get() is not None:
            return await self.run_querystring(QueryString(template, *values))
        self.get_query_id()
        query = compiled_text(template, self.engine_type, len(values))
        with self.guard():
            return await self._run_in_pool(query, list(values))

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


async def _run_postgres_writes(
    engine: GuardedPostgresEngine, writes: Sequence[Write]
) -> int | None:
    """``writes`` as one transaction on one pooled connection (a savepoint inside an open one)."""
    current = engine.current_transaction.get()
    with engine.guard():
        if current is not None:
            return await apply_postgres(current.connection, writes, nested=True)
        connection = await engine.checkout()
        broken = True
        try:
            missed = await apply_postgres(connection, writes, nested=False)
            broken = False
        except Exception as error:
            broken = is_unavailable(error)
            raise
        finally:
            await engine.give_back(connection, broken=broken)
    return missed


async def run_writes(engine: Engine[Any], writes: Sequence[Write]) -> None:
    """Run ``writes`` together now (db/writes.py); a write that touched no row raises what its
    ``when_missing`` says, after everything was undone."""
    if not writes:
        return
    if isinstance(engine, PersistentSQLiteEngine):
        missed = await engine.run_writes(writes)
    elif isinstance(engine, GuardedPostgresEngine):
        missed = await _run_postgres_writes(engine, writes)
    else:
        msg = f"no writes on {type(engine).__name__}"
        raise TypeError(msg)
    when_missing = None if missed is None else writes[missed].when_missing
    if when_missing is not None:
        raise await when_missing()


async def write(engine: Engine[Any], statement: Write) -> None:
    """Run ``statement`` now, or, inside ``Database.batched()``, with the block's other writes
    when it ends."""
    pending = PENDING.get()
    if pending is None:
        await run_writes(engine, [statement])
    else:
        pending.append(statement)


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
            await self.engine.start_connection_pool(
                min_size=POOL_MIN, max_size=POOL_MAX, reset=keep_session
            )
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
        leaves nothing half-written (and tests that wrap everything in a transaction see it).
        Writes sent through ``write()`` inside it run at once, in it, even in a task started
        inside a batched block (which would otherwise collect them)."""
        token = PENDING.set(None)
        try:
            async with self._transaction_or_savepoint():
                yield
        finally:
            PENDING.reset(token)

    @asynccontextmanager
    async def _transaction_or_savepoint(self) -> AsyncIterator[None]:
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

    @asynccontextmanager
    async def batched(self) -> AsyncIterator[None]:
        """One unit of work whose writes go together: reads inside run at once (outside SQLite's
        writer lock when no transaction is open), and the writes sent through ``write()`` run
        when the block ends, in order, as one transaction in one hop (db/writes.py). Nothing is
        written if the block fails. A writer that needs a write's result, or writes any other
        way, uses ``atomic()`` instead. Inside another batched block it joins that one."""
        if PENDING.get() is not None:
            yield
            return
        pending: list[Write] = []
        token = PENDING.set(pending)
        try:
            yield
        finally:
            PENDING.reset(token)
        await run_writes(self.engine, pending)


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
