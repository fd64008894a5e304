"""Backup and restore of the embedded database (``chibo backup`` / ``chibo restore``).

A backup is a directory: ``chibo.sqlite3``, a copy made with SQLite's online backup API (one read
transaction over the WAL database, so it is consistent while the server writes on), and
``uploads/``, the attachment store copied after it. Attachments are content-addressed and written
before the row naming them commits, so every file the copied database names is in the copy.

On PostgreSQL the tools of the server do it better (``pg_dump``/``pg_restore``); ``postgres_advice``
says how, after checking that the ``pg_dump`` on this machine can read the server (its major
version must be at least the server's).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import asyncpg

DATABASE_FILE = "chibo.sqlite3"
UPLOADS_DIR = "uploads"


class BackupError(RuntimeError):
    """Refused or impossible: one sentence saying why, for the command's stderr."""


@dataclass(frozen=True, slots=True)
class Copied:
    tables: int
    files: int

    def __str__(self) -> str:
        return f"{self.tables} tables, {self.files} uploaded files"


def backup(database: Path, uploads: Path, target: Path) -> Copied:
    """Copy the live database and then the uploads into ``target``, a new or empty directory."""
    if not database.is_file():
        msg = f"no database at {database}"
        raise BackupError(msg)
    _require_empty_directory(target)
    target.mkdir(parents=True, exist_ok=True)
    tables = _copy_database(database, target / DATABASE_FILE)
    files = _copy_uploads(uploads, target / UPLOADS_DIR)
    return Copied(tables, files)


def restore(source: Path, database: Path, uploads: Path) -> Copied:
    """Restore a backup made by ``backup`` into a database that has no tables yet and an uploads
    folder that is empty; refuse anything else (a restore never merges into live data)."""
    copy = source / DATABASE_FILE
    if not copy.is_file():
        msg = f"{source} is not a chibo backup (no {DATABASE_FILE} in it)"
        raise BackupError(msg)
    if _tables(database):
        msg = f"{database} already holds a database: restore only into a new, empty one"
        raise BackupError(msg)
    if uploads.exists() and any(uploads.iterdir()):
        msg = f"{uploads} is not empty: restore only into an empty uploads folder"
        raise BackupError(msg)
    database.parent.mkdir(parents=True, exist_ok=True)
    temporary = database.with_name(f".{database.name}.restoring")
    temporary.unlink(missing_ok=True)
    tables = _copy_database(copy, temporary)
    temporary.replace(database)  # whole or not at all
    files = _copy_uploads(source / UPLOADS_DIR, uploads)
    return Copied(tables, files)


def integrity(database: Path) -> str:
    """SQLite's own check of a database file: "ok" or what is wrong."""
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    return "\n".join(str(row[0]) for row in rows)


def _copy_database(source: Path, target: Path) -> int:
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)  # all pages in one step: one consistent snapshot
        return len(_table_names(writing))


def _copy_uploads(source: Path, target: Path) -> int:
    target.mkdir(parents=True, exist_ok=True)
    if not source.is_dir():
        return 0
    files = 0
    for path in sorted(source.rglob("*")):
        # the store's half-written temporaries (".upload-…") are no attachments
        if path.is_file() and not path.name.startswith("."):
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            files += 1
    return files


def _require_empty_directory(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        msg = f"{target} exists and is not an empty directory: back up into a new one"
        raise BackupError(msg)


def _tables(database: Path) -> list[str]:
    if not database.exists() or database.stat().st_size == 0:
        return []
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return _table_names(connection)


def _table_names(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [str(row[0]) for row in rows]


# -- PostgreSQL -----------------------------------------------------------------------------


async def postgres_advice(url: str, pg_dump: str = "pg_dump") -> str:
    """How to back up and restore this PostgreSQL database with its own tools; BackupError when
    the ``pg_dump`` here is missing or older than the server (it would refuse to dump it)."""
    try:
        connection = await asyncpg.connect(url)
    except (OSError, asyncpg.PostgresError) as error:
        msg = f"cannot connect to the database: {error}"
        raise BackupError(msg) from error
    try:
        server = int(await connection.fetchval("SHOW server_version_num")) // 10_000
    finally:
        await connection.close()
    client = pg_dump_major(pg_dump)
    if client < server:
        msg = (
            f"{pg_dump} is version {client}, the server {server}: install the PostgreSQL"
            f" {server} client tools (pg_dump must be at least as new as the server)"
        )
        raise BackupError(msg)
    return (
        f"PostgreSQL {server}, {pg_dump} {client}: back up with the server's tools, e.g.\n"
        '  pg_dump --format=custom --file=chibo.dump "$CHIBO_DATABASE_URL"\n'
        "and copy the uploads folder (CHIBO_UPLOAD_DIR) after it. Restore into a new, empty\n"
        "database (never over a live one), then the uploads:\n"
        "  createdb chibo_restored\n"
        "  pg_restore --no-owner --exit-on-error --dbname=postgresql://…/chibo_restored \\\n"
        "    chibo.dump\n"
    )


def pg_dump_major(pg_dump: str = "pg_dump") -> int:
    """The major version of the ``pg_dump`` on PATH ("pg_dump (PostgreSQL) 15.4" -> 15)."""
    found = shutil.which(pg_dump)
    if found is None:
        msg = f"{pg_dump} not found: install the PostgreSQL client tools of the server's version"
        raise BackupError(msg)
    out = subprocess.run(  # noqa: S603 - the PostgreSQL tool found on PATH, fixed argument
        [found, "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if match is None:
        msg = f"cannot read the version of {found}: {out.strip()!r}"
        raise BackupError(msg)
    return int(match.group(1))
