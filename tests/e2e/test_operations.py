"""`chibo backup`, `chibo restore` and `chibo move` on the demo data, run as an operator runs
them: what they print, and their refusals (exit 2, one line)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import asyncpg
import pytest

from db.move import REBUILT
from db.tables import ALL_TABLES
from tests.processes import CHIBO, COMMAND_SECONDS, chibo
from tests.scratch_databases import scratch_database

SECRET = "e2e-secret-key-that-is-long-enough-0123456789"


def refused(*args: str, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(CHIBO), *args], env=env, cwd=cwd, capture_output=True, text=True,
        timeout=COMMAND_SECONDS, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    return done.stderr


def counts(database: Path) -> dict[str, int]:
    with closing(sqlite3.connect(database)) as connection:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )]  # fmt: skip
        return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
                for name in names}  # fmt: skip


@pytest.fixture
def demo(tmp_path: Path) -> dict[str, str]:
    """The environment of a ward whose database holds the demo, with one uploaded file."""
    env = {
        **os.environ,
        "CHIBO_DATABASE_URL": f"sqlite:///{tmp_path / 'ward.sqlite3'}",
        "CHIBO_UPLOAD_DIR": str(tmp_path / "uploads"),
        "CHIBO_SECRET_KEY": SECRET,
    }
    chibo("migrate", env=env, cwd=tmp_path)
    chibo("seed-demo", env=env, cwd=tmp_path)
    (tmp_path / "uploads" / "ab").mkdir(parents=True)
    (tmp_path / "uploads" / "ab" / ("ab" + "1" * 62)).write_bytes(b"\x89PNG evidence")
    return env


@pytest.mark.e2e
def test_the_demo_backed_up_and_restored_by_the_commands(
    demo: dict[str, str], tmp_path: Path
) -> None:
    said = chibo("backup", str(tmp_path / "backup"), env=demo, cwd=tmp_path)
    assert said == f"backed up {len(ALL_TABLES) + 1} tables, 1 uploaded files\n"
    assert "not an empty directory" in refused("backup", str(tmp_path / "backup"), env=demo,
                                               cwd=tmp_path)  # fmt: skip
    assert "already holds a database" in refused("restore", str(tmp_path / "backup"), env=demo,
                                                 cwd=tmp_path)  # fmt: skip
    elsewhere = {
        **demo,
        "CHIBO_DATABASE_URL": f"sqlite:///{tmp_path / 'restored' / 'ward.sqlite3'}",
        "CHIBO_UPLOAD_DIR": str(tmp_path / "restored" / "uploads"),
    }
    said = chibo("restore", str(tmp_path / "backup"), env=elsewhere, cwd=tmp_path)
    assert said == f"restored {len(ALL_TABLES) + 1} tables, 1 uploaded files\n"
    assert counts(tmp_path / "restored" / "ward.sqlite3") == counts(tmp_path / "ward.sqlite3")
    restored = tmp_path / "restored" / "uploads" / "ab" / ("ab" + "1" * 62)
    assert restored.read_bytes() == b"\x89PNG evidence"


@pytest.mark.e2e
async def test_the_demo_moved_to_postgresql_by_the_command(
    demo: dict[str, str], tmp_path: Path
) -> None:
    async with scratch_database("chibo_move_demo") as url:
        chibo("migrate", env={**demo, "CHIBO_DATABASE_URL": url}, cwd=tmp_path)
        said = chibo("move", "--to", url, env=demo, cwd=tmp_path)
        source = counts(tmp_path / "ward.sqlite3")
        rebuilt = {table._meta.tablename for table in REBUILT}
        rows = sum(n for name, n in source.items() if name not in {"migration", *rebuilt})
        moved = len(ALL_TABLES) - len(REBUILT)
        assert said.splitlines()[-1].startswith(f"moved {rows} rows of {moved} tables in ")
        target = await asyncpg.connect(url)
        try:
            for name, n in source.items():
                if name in rebuilt:
                    continue
                assert await target.fetchval(f'SELECT count(*) FROM "{name}"') == n, name  # noqa: S608
        finally:
            await target.close()
        assert "target is not empty" in refused("move", "--to", url, env=demo, cwd=tmp_path)
        # the other way round makes no sense: a PostgreSQL deployment has nothing to move
        assert "SQLite" in refused("move", "--to", url, env={**demo, "CHIBO_DATABASE_URL": url},
                                   cwd=tmp_path)  # fmt: skip
