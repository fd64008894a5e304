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


def _frame(
    writes: Sequence[Write], *, nested: bool, begin: str = "BEGIN"
) -> tuple[str, str, tuple[str, ...]]:
    """How to open, close and undo the transaction of ``writes``: a single write is atomic by
    itself and runs alone, without the two extra statements (round trips on PostgreSQL)."""
    if len(writes) == 1:
        return "", "", ()
    if nested:
        return (
            f"SAVEPOINT {SAVEPOINT}",
            f"RELEASE {SAVEPOINT}",
            (f"ROLLBACK TO {SAVEPOINT}", f"RELEASE {SAVEPOINT}"),
        )
    return begin, "COMMIT", ("ROLLBACK",)


def apply_here(
    connection: sqlite3.Connection, writes: Sequence[Write], *, nested: bool
) -> int | None:
    """Run ``writes`` as one transaction (a savepoint when ``nested``) on ``connection``, in the
    thread that owns it. Returns the index of the write that touched no row (everything undone),
    else None (committed, or released into the open transaction)."""
    begin, end, undo = _frame(writes, nested=nested, begin="BEGIN IMMEDIATE")
    if begin:
        connection.execute(begin)
    try:
        for index, write in enumerate(writes):
            rows = connection.execute(write.sqlite(), write.args).fetchall()
            if write.when_missing is not None and not rows:
                for statement in undo:
                    connection.execute(statement)
                return index
        if end:
            connection.execute(end)
    except BaseException:
        with suppress(sqlite3.Error):  # the error that got here is the one to tell
            for statement in undo:
                connection.execute(statement)
        raise
    return None


async def apply_postgres(connection: Any, writes: Sequence[Write], *, nested: bool) -> int | None:  # noqa: ANN401 - asyncpg's connection proxy is untyped
    """``apply_here`` on an asyncpg connection."""
    begin, end, undo = _frame(writes, nested=nested)
    if begin:
        await connection.execute(begin)
    try:
        for index, write in enumerate(writes):
            rows = await connection.fetch(write.postgres(), *write.args)
            if write.when_missing is not None and not rows:
                for statement in undo:
                    await connection.execute(statement)
                return index
        if end:
            await connection.execute(end)
    except BaseException:
        with suppress(Exception):  # a lost connection is closed by the caller instead
            for statement in undo:
                await connection.execute(statement)
        raise
    return None
