"""Moving an embedded (SQLite) database to PostgreSQL: ``chibo move --to postgresql://…``.

The target must be migrated by ``chibo migrate`` (the same migrations as the source) and hold no
rows. Everything happens in ONE PostgreSQL transaction: the tables in foreign-key order, each in
batches of COPY, the sequences set past the copied ids, then a row count and a checksum per table
read back on both sides; only when every table matches does it commit. A failure anywhere (the
connection, a value PostgreSQL refuses, a mismatch) rolls everything back and leaves the target
as empty as it was, so the command is simply run again. Uploaded files stay in the uploads folder
(point CHIBO_UPLOAD_DIR of the new deployment at it); their metadata is the ``attachment`` table.

Values are converted by the target column's type, because SQLite stores them otherwise:
timestamps as text with an offset, booleans as 0/1, UUIDs and JSON as text. The checksum is
sha256 over the rows in primary-key order (compared as text, bytewise, on both sides), each value
normalised the same way (times in UTC, JSON with sorted keys), so it compares meaning, not spelling.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from piccolo.columns import ForeignKey
from piccolo.table import Table

from db.tables import (
    ALL_TABLES,
    QualityCriteriaSetTable,
    SyncChangeTable,
    SyncDeliveredTable,
    SyncStateTable,
)

BATCH = 1_000
# Offline sync's change log is rebuilt by the target's own triggers as the rows arrive, and what
# each phone was handed is forgotten: the unit tree's epoch moves on, so every phone starts over
REBUILT: tuple[type[Table], ...] = (SyncChangeTable, SyncDeliveredTable)
# Tables a migration writes rows into (the default quality criteria, the sync epoch): the source
# has the same rows under the same ids, and the copy replaces them
WRITTEN_BY_MIGRATIONS: tuple[type[Table], ...] = (QualityCriteriaSetTable, SyncStateTable)
Convert = Callable[[Any], Any]


class MoveError(RuntimeError):
    """Refused or failed; the target was left as it was."""


@dataclass(frozen=True, slots=True)
class Moved:
    table: str
    rows: int
    checksum: str


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # PostgreSQL's data_type


def _timestamp(value: str | datetime) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    # a naive value was written by no code of ours; UTC is what every time is stored in
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _json(value: str | bytes) -> str:
    text = value if isinstance(value, str) else value.decode()
    orjson.loads(text)  # refuse what PostgreSQL would refuse, with the table's name
    return text


CONVERT: dict[str, Convert] = {
    "timestamp with time zone": _timestamp,
    "date": lambda value: value if isinstance(value, date) else date.fromisoformat(value),
    "boolean": bool,
    # asyncpg encodes a UUID's text itself; UUID(text) for each of ~100,000 ids cost seconds
    "uuid": str,
    "json": _json,
    "jsonb": _json,
    "integer": int,
    "bigint": int,
    "smallint": int,
    "double precision": float,
}


def normalised(value: Any) -> str:  # noqa: ANN401
    """One value as the checksum sees it, whichever engine it came from."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


class Checksum:
    def __init__(self, json_columns: Sequence[int]) -> None:
        self.digest, self.rows, self.json_columns = hashlib.sha256(), 0, set(json_columns)

    def add(self, row: Sequence[Any]) -> None:
        fields = [
            orjson.dumps(orjson.loads(value), option=orjson.OPT_SORT_KEYS).decode()
            if i in self.json_columns and value is not None
            else normalised(value)
            for i, value in enumerate(row)
        ]
        self.digest.update("\x1f".join(fields).encode())
        self.digest.update(b"\x1e")
        self.rows += 1

    def __str__(self) -> str:
        return self.digest.hexdigest()[:16]


def in_dependency_order(tables: Iterable[type[Table]]) -> list[type[Table]]:
    """Every table after the tables its foreign keys point at (a table's references to itself
    are ordered row by row instead, see ``_parents_first``)."""
    remaining = {table._meta.tablename: table for table in tables}  # noqa: SLF001
    ordered: list[type[Table]] = []
    while remaining:
        ready = [
            table
            for name, table in remaining.items()
            if not (_references(table) - {name}) & remaining.keys()
        ]
        if not ready:
            msg = f"foreign keys in a cycle among {sorted(remaining)}"
            raise MoveError(msg)
        for table in ready:
            ordered.append(table)
            del remaining[table._meta.tablename]  # noqa: SLF001
    return ordered


def _references(table: type[Table]) -> set[str]:
    return {
        column._foreign_key_meta.resolved_references._meta.tablename  # noqa: SLF001
        for column in table._meta.foreign_key_columns  # noqa: SLF001
    }


def _self_references(table: type[Table]) -> list[str]:
    name = table._meta.tablename  # noqa: SLF001
    return [
        column._meta.db_column_name  # noqa: SLF001
        for column in table._meta.foreign_key_columns  # noqa: SLF001
        if isinstance(column, ForeignKey)
        and column._foreign_key_meta.resolved_references._meta.tablename == name  # noqa: SLF001
    ]


async def move(
    source: Path,
    target_url: str,
    *,
    batch: int = BATCH,
    say: Callable[[str], None] = print,
) -> list[Moved]:
    """Copy every table of the SQLite database ``source`` into the migrated, empty PostgreSQL
    database ``target_url`` in one transaction; return each table's rows and checksum."""
    if not source.is_file():  # noqa: ASYNC240 - a command, nothing else runs meanwhile
        msg = f"no SQLite database at {source}"
        raise MoveError(msg)
    tables = in_dependency_order(table for table in ALL_TABLES if table not in REBUILT)
    started = time.perf_counter()
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as reading:
        try:
            target = await asyncpg.connect(target_url)
        except (OSError, asyncpg.PostgresError) as error:
            msg = f"cannot connect to the target: {error}"
            raise MoveError(msg) from error
        try:
            await _require_migrated_and_empty(reading, target, tables)
            async with target.transaction():
                await _clear_migration_rows(target)
                moved = [await _copy(reading, target, table, batch, say) for table in tables]
                await _advance_sequences(target, tables)
                await target.execute("UPDATE sync_state SET epoch = epoch + 1")
        finally:
            await target.close()
    total = sum(m.rows for m in moved)
    say(f"moved {total} rows of {len(moved)} tables in {time.perf_counter() - started:.1f} s")
    return moved


async def _require_migrated_and_empty(
    reading: sqlite3.Connection, target: asyncpg.Connection, tables: Sequence[type[Table]]
) -> None:
    if not await target.fetchval("SELECT to_regclass('migration') IS NOT NULL"):
        msg = "the target is not migrated: run `chibo migrate` against it first"
        raise MoveError(msg)
    ran = {row[0] for row in reading.execute("SELECT name FROM migration")}
    there = {row["name"] for row in await target.fetch("SELECT name FROM migration")}
    if ran != there:
        msg = (
            "the source and the target are not at the same migrations"
            f" (only the source: {sorted(ran - there)}, only the target: {sorted(there - ran)}):"
            " migrate both with this version of chibo first"
        )
        raise MoveError(msg)
    for table in tables:
        name = table._meta.tablename  # noqa: SLF001
        key = table._meta.primary_key._meta.db_column_name  # noqa: SLF001
        ids = {str(row[0]) for row in await target.fetch(f'SELECT "{key}" FROM "{name}"')}  # noqa: S608
        if table not in WRITTEN_BY_MIGRATIONS:
            ours: set[str] = set()
        else:
            ours = {str(row[0]) for row in reading.execute(f'SELECT "{key}" FROM "{name}"')}  # noqa: S608
        if ids - ours:
            msg = f"the target is not empty (table {name} has rows): move only into a new database"
            raise MoveError(msg)


async def _clear_migration_rows(target: asyncpg.Connection) -> None:
    """Delete what the migrations wrote, to be copied again from the source."""
    for table in WRITTEN_BY_MIGRATIONS:
        await target.execute(f'DELETE FROM "{table._meta.tablename}"')  # noqa: S608, SLF001


async def _columns(target: asyncpg.Connection, table: str) -> list[Column]:
    rows = await target.fetch(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        table,
    )
    return [Column(row["column_name"], row["data_type"]) for row in rows]


async def _copy(
    reading: sqlite3.Connection,
    target: asyncpg.Connection,
    table: type[Table],
    batch: int,
    say: Callable[[str], None],
) -> Moved:
    name = table._meta.tablename  # noqa: SLF001
    columns = await _columns(target, name)
    names = [column.name for column in columns]
    quoted = ", ".join(f'"{column}"' for column in names)
    key = table._meta.primary_key._meta.db_column_name  # noqa: SLF001
    # both sides in the order of the key as text, compared bytewise
    in_order = f'SELECT {quoted} FROM "{name}" ORDER BY CAST("{key}" AS TEXT)'  # noqa: S608
    rows: Iterable[Sequence[Any]] = reading.execute(in_order)
    parents = _self_references(table)
    if parents:
        rows = _parents_first(list(rows), names.index(key), [names.index(p) for p in parents])
    convert = _converter(columns)
    json_columns = [i for i, column in enumerate(columns) if column.type in {"json", "jsonb"}]
    source_sum = Checksum(json_columns)
    for chunk in _chunks(rows, batch):
        records = [convert(row) for row in chunk]
        if not parents:  # already in key order
            for record in records:
                source_sum.add(record)
        try:
            await target.copy_records_to_table(name, records=records, columns=names)
        except asyncpg.PostgresError as error:
            msg = f"table {name}: PostgreSQL refused a row ({error}); nothing was committed"
            raise MoveError(msg) from error
    if parents:  # copied parents first: read again in key order
        for row in reading.execute(in_order):
            source_sum.add(convert(row))
    target_sum = Checksum(json_columns)
    async for row in target.cursor(
        f'SELECT {quoted} FROM "{name}" ORDER BY "{key}"::text COLLATE "C"',  # noqa: S608
        prefetch=batch,
    ):
        target_sum.add(tuple(row))
    if (source_sum.rows, str(source_sum)) != (target_sum.rows, str(target_sum)):
        msg = (
            f"table {name}: {source_sum.rows} rows, checksum {source_sum} in the source but"
            f" {target_sum.rows} rows, {target_sum} in the target: nothing was committed"
        )
        raise MoveError(msg)
    say(f"{name:<26} {source_sum.rows:>9} rows  checksum {source_sum}  ok")
    return Moved(name, source_sum.rows, str(source_sum))


def _converter(columns: Sequence[Column]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A row as stored by SQLite -> the values PostgreSQL's columns take."""
    steps = [CONVERT.get(column.type) for column in columns]

    def convert(row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(
            value if step is None or value is None else step(value)
            for step, value in zip(steps, row, strict=True)
        )

    return convert


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parents_first(
    rows: list[Sequence[Any]], key: int, parents: Sequence[int]
) -> list[Sequence[Any]]:
    """Rows of a table that references itself (units), each after the rows it points at, so
    every batch's foreign keys hold when its COPY ends."""
    by_key = {row[key]: row for row in rows}
    placed: set[Any] = set()
    ordered: list[Sequence[Any]] = []

    def place(row: Sequence[Any]) -> None:
        stack = [row]
        while stack:
            current = stack[-1]
            waiting = [
                by_key[row_parent]
                for p in parents
                if (row_parent := current[p]) is not None
                and row_parent in by_key
                and row_parent not in placed
                and by_key[row_parent] not in stack
            ]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            if current[key] not in placed:
                placed.add(current[key])
                ordered.append(current)

    for row in rows:
        place(row)
    return ordered


async def _advance_sequences(target: asyncpg.Connection, tables: Sequence[type[Table]]) -> None:
    """Serial (identity) columns: the next id after the largest copied, as PostgreSQL would have
    it had the rows been inserted there."""
    for table in tables:
        name = table._meta.tablename  # noqa: SLF001
        for column in await _columns(target, name):
            sequence = await target.fetchval(
                "SELECT pg_get_serial_sequence($1, $2)", name, column.name
            )
            if sequence is not None:
                await target.execute(
                    f'SELECT setval($1, COALESCE((SELECT max("{column.name}") FROM "{name}"), 1),'  # noqa: S608
                    f' (SELECT max("{column.name}") FROM "{name}") IS NOT NULL)',
                    sequence,
                )
