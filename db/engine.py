"""Database engines and the one way to open a write transaction.

SQLite (embedded default): Piccolo opens a connection, and a thread, per query. Here the engine
keeps a few reader connections open, and one writer connection on which every transaction runs,
one at a time behind an asyncio lock (``BEGIN IMMEDIATE``), so concurrent writers queue instead of
failing with "database is locked". WAL lets the readers go on meanwhile.

PostgreSQL: Piccolo's engine with its connection pool, opened and closed with the app.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString
from piccolo.table import Table

SQLITE_READERS = 4
SQLITE_BUSY_TIMEOUT_MS = 10_000


class SQLiteWriterTransaction(SQLiteTransaction):
    """A transaction on the engine's single writer connection, held under its lock."""

    engine: PersistentSQLiteEngine

    def __init__(self, engine: PersistentSQLiteEngine) -> None:
        super().__init__(engine=engine, transaction_type=TransactionType.immediate)

    async def get_connection(self) -> aiosqlite.Connection:
        await self.engine.writer_lock.acquire()
        return self.engine.writer()

    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception is not None or self._rolled_back:
                if not self._rolled_back:
                    await self.rollback()  # type: ignore[no-untyped-call]
            elif not self._committed:
                try:
                    await self.commit()  # type: ignore[no-untyped-call]
                except BaseException:
                    await self.rollback()  # type: ignore[no-untyped-call]
                    raise
        finally:
            self.engine.current_transaction.reset(self.context)
            self.engine.writer_lock.release()
        return exception is None


class PersistentSQLiteEngine(SQLiteEngine):
    """SQLite with connections kept open for the life of the process (see module doc)."""

    def __init__(self, path: str) -> None:
        super().__init__(path=path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
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
        connection = await self._readers.get()
        try:
            # one hop to the connection's thread (execute, fetch and close there), not three
            rows: list[dict[str, Any]] = list(await connection.execute_fetchall(query, args or []))  # type: ignore[arg-type]
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
        return list(await connection.execute_fetchall(query, args or []))  # type: ignore[arg-type]


async def _pragma(connection: aiosqlite.Connection, pragma: str) -> None:
    async with connection.execute(f"PRAGMA {pragma}") as cursor:
        await cursor.fetchall()


class Database:
    """The engine of this process, its life cycle, and atomic units of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine[Any] = engine_for(url)

    @property
    def kind(self) -> str:
        return "postgres" if isinstance(self.engine, PostgresEngine) else "sqlite"

    async def open(self) -> None:
        if isinstance(self.engine, PersistentSQLiteEngine):
            await self.engine.open()
        elif isinstance(self.engine, PostgresEngine):
            await self.engine.start_connection_pool(min_size=2, max_size=20)

    async def close(self) -> None:
        if isinstance(self.engine, PersistentSQLiteEngine):
            await self.engine.close()
        elif isinstance(self.engine, PostgresEngine):
            await self.engine.close_connection_pool()

    async def ping(self) -> bool:
        try:
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
        savepoint = await current.savepoint()
        try:
            yield
        except BaseException:
            await savepoint.rollback_to()
            raise
        await savepoint.release()


def engine_for(url: str) -> Engine[Any]:
    parts = urlsplit(url)
    if parts.scheme == "sqlite" and url.startswith("sqlite:///"):
        # sqlite:///relative/path or sqlite:////absolute/path, as SQLAlchemy spells them
        return PersistentSQLiteEngine(path=unquote(url.removeprefix("sqlite:///")))
    if parts.scheme in {"postgresql", "postgres"}:
        return PostgresEngine(config={"dsn": url})
    msg = f"unsupported database URL scheme {parts.scheme!r}"
    raise ValueError(msg)
