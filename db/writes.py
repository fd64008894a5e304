"""Writes sent together: a unit of work's statements run as one transaction in one go.

A ``Write`` is one statement written once as SQL (``{}`` for each bound value). A list of them runs
in order as one transaction (a savepoint inside an open one): on SQLite in ONE hop to the writer
connection's thread, so the single writer's lock is held for that hop only (decision 0011); on
PostgreSQL on one connection. A write that must touch a row (``when_missing``) and touches none
undoes the whole list; its ``when_missing`` then says what to raise.

The engines run them (db/engine.py: ``run_writes``, ``Database.batched``); this module holds what
does not depend on an engine class.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

SAVEPOINT = "chibo_writes"


@dataclass(frozen=True, slots=True)
class Write:
    template: str  # SQL with ``{}`` for each value: no other braces
    args: Sequence[Any]
    # the write must touch a row (the statement says RETURNING); if it touches none, every write
    # of its list is undone and this tells the error to raise (it may read the database)
    when_missing: Callable[[], Awaitable[Exception]] | None = field(default=None, compare=False)

    def sqlite(self) -> str:
        return self.template.format(*["?"] * len(self.args))

    def postgres(self) -> str:
        return self.template.format(*[f"${n}" for n in range(1, len(self.args) + 1)])


# the writes of the open ``Database.batched()`` block, sent when it ends
PENDING: ContextVar[list[Write] | None] = ContextVar("chibo_pending_writes", default=None)


def apply_here(
    connection: sqlite3.Connection, writes: Sequence[Write], *, nested: bool
) -> int | None:
    """Run ``writes`` as one transaction (a savepoint when ``nested``) on ``connection``, in the
    thread that owns it. Returns the index of the write that touched no row (everything undone),
    else None (committed, or released into the open transaction)."""
    connection.execute(f"SAVEPOINT {SAVEPOINT}" if nested else "BEGIN IMMEDIATE")
    try:
        for index, write in enumerate(writes):
            rows = connection.execute(write.sqlite(), write.args).fetchall()
            if write.when_missing is not None and not rows:
                _undo(connection, nested=nested)
                return index
        connection.execute(f"RELEASE {SAVEPOINT}" if nested else "COMMIT")
    except BaseException:
        with suppress(sqlite3.Error):  # the error that got here is the one to tell
            _undo(connection, nested=nested)
        raise
    return None


def _undo(connection: sqlite3.Connection, *, nested: bool) -> None:
    if nested:
        connection.execute(f"ROLLBACK TO {SAVEPOINT}")
        connection.execute(f"RELEASE {SAVEPOINT}")
    elif connection.in_transaction:
        connection.execute("ROLLBACK")


async def apply_postgres(connection: Any, writes: Sequence[Write], *, nested: bool) -> int | None:  # noqa: ANN401 - asyncpg's connection proxy is untyped
    """``apply_here`` on an asyncpg connection: BEGIN, each write, COMMIT (or a savepoint); a
    single write alone is its own transaction, without the two round trips."""
    if len(writes) == 1 and not nested:
        rows = await connection.fetch(writes[0].postgres(), *writes[0].args)
        return 0 if writes[0].when_missing is not None and not rows else None
    await connection.execute(f"SAVEPOINT {SAVEPOINT}" if nested else "BEGIN")
    try:
        for index, write in enumerate(writes):
            rows = await connection.fetch(write.postgres(), *write.args)
            if write.when_missing is not None and not rows:
                await _undo_postgres(connection, nested=nested)
                return index
        await connection.execute(f"RELEASE {SAVEPOINT}" if nested else "COMMIT")
    except BaseException:
        with suppress(Exception):  # a lost connection is closed by the caller instead
            await _undo_postgres(connection, nested=nested)
        raise
    return None


async def _undo_postgres(connection: Any, *, nested: bool) -> None:  # noqa: ANN401
    if nested:
        await connection.execute(f"ROLLBACK TO {SAVEPOINT}")
        await connection.execute(f"RELEASE {SAVEPOINT}")
    elif not connection.is_closed():
        await connection.execute("ROLLBACK")
