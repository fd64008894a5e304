"""`chibo backup` / `chibo restore`: a consistent copy of a database that is being written to, the
uploads beside it, and a restore that never lands on live data."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from db.backup import DATABASE_FILE, BackupError, backup, integrity, postgres_advice, restore
from db.engine import sqlite_path
from db.tables import JobRunTable
from tests.scratch_databases import POSTGRES_URL, fresh_database

WRITERS = 4
WRITES_DURING_BACKUP = 50  # the writers go on until at least this many landed after the start


def job_names(database: Path) -> set[str]:
    with closing(sqlite3.connect(database)) as connection:
        return {row[0] for row in connection.execute("SELECT job FROM job_run")}


async def test_a_backup_taken_under_write_load_restores_every_acknowledged_write(
    tmp_path: Path,
) -> None:
    uploads = tmp_path / "uploads"
    (uploads / "ab").mkdir(parents=True)
    (uploads / "ab" / ("ab" + "0" * 62)).write_bytes(b"%PDF-1.7 minutes")
    (uploads / "ab" / ".upload-half-written").write_bytes(b"%PDF")
    async with fresh_database("sqlite", tmp_path) as db:
        acknowledged: list[str] = []
        backup_started = asyncio.Event()
        enough = asyncio.Event()
        after_start = 0

        async def writer(n: int) -> None:
            nonlocal after_start
            i = 0
            while not enough.is_set():
                name = f"w{n}-{i}"
                async with db.atomic():
                    await JobRunTable.insert(JobRunTable(job=name, outcome="ok"))
                acknowledged.append(name)  # the commit returned: acknowledged
                i += 1
                if backup_started.is_set():
                    after_start += 1
                    if after_start >= WRITES_DURING_BACKUP:
                        enough.set()

        writers = [asyncio.create_task(writer(n)) for n in range(WRITERS)]
        while len(acknowledged) < 200:  # noqa: ASYNC110 - a load building up, not a timer
            await asyncio.sleep(0)
        before = set(acknowledged)
        backup_started.set()
        copied = await asyncio.to_thread(backup, sqlite_path(db.url), uploads, tmp_path / "backup")
        await asyncio.gather(*writers)
        total = set(acknowledged)

    assert copied.files == 1
    restored, restored_uploads = tmp_path / "restored" / "chibo.sqlite3", tmp_path / "restored-up"
    restore(tmp_path / "backup", restored, restored_uploads)
    assert integrity(restored) == "ok"
    in_backup = job_names(restored)
    assert before <= in_backup  # nothing acknowledged before the backup began is missing
    assert in_backup <= total  # and nothing that was never written
    assert len(total) > len(before)  # the writers did go on meanwhile
    files = [p.relative_to(restored_uploads) for p in restored_uploads.rglob("*") if p.is_file()]
    assert files == [Path("ab") / ("ab" + "0" * 62)]


async def test_backup_and_restore_refuse_to_write_over_anything(tmp_path: Path) -> None:
    async with fresh_database("sqlite", tmp_path) as db:
        database = sqlite_path(db.url)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("someone's")
    with pytest.raises(BackupError, match="not an empty directory"):
        backup(database, tmp_path / "uploads", tmp_path / "taken")
    backup(database, tmp_path / "uploads", tmp_path / "backup")
    assert (tmp_path / "backup" / DATABASE_FILE).is_file()

    with pytest.raises(BackupError, match="already holds a database"):
        restore(tmp_path / "backup", database, tmp_path / "new-uploads")
    used_uploads = tmp_path / "used-uploads"
    used_uploads.mkdir()
    (used_uploads / "x").write_text("a file")
    with pytest.raises(BackupError, match="not empty"):
        restore(tmp_path / "backup", tmp_path / "new.sqlite3", used_uploads)
    assert not (tmp_path / "new.sqlite3").exists()
    with pytest.raises(BackupError, match="not a chibo backup"):
        restore(tmp_path / "taken", tmp_path / "new.sqlite3", tmp_path / "new-uploads")


def fake_pg_dump(directory: Path, version: str) -> str:
    script = directory / "pg_dump"
    script.write_text(f"#!/bin/sh\necho 'pg_dump (PostgreSQL) {version}'\n")
    script.chmod(0o755)
    return str(script)


async def test_on_postgresql_backup_says_how_and_refuses_an_older_pg_dump(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.skip("CHIBO_TEST_POSTGRES_URL is not set")
    advice = await postgres_advice(POSTGRES_URL, fake_pg_dump(tmp_path, "99.1"))
    assert "pg_dump --format=custom" in advice
    assert "pg_restore" in advice
    with pytest.raises(BackupError, match="at least as new as the server"):
        await postgres_advice(POSTGRES_URL, fake_pg_dump(tmp_path, "9.6.24"))
    with pytest.raises(BackupError, match="not found"):
        await postgres_advice(POSTGRES_URL, str(tmp_path / "no-such-pg_dump"))
