"""What every benchmark needs of the machine: a quiet CPU before measuring, and a PostgreSQL
database of its own on loopback, made and dropped around a run."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BENCH_DB = "chibo_bench"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CLK_TCK = os.sysconf("SC_CLK_TCK")
QUIET_CPU_SHARE = 0.15  # of the machine: more than this, busy with something else
QUIET_WAIT_S = 60


def wait_for_quiet() -> None:
    """Give other work on the machine up to a minute to finish: its CPU skews every number."""
    cpus = os.cpu_count() or 1
    deadline = time.monotonic() + QUIET_WAIT_S
    share = 1.0
    while time.monotonic() < deadline:
        busy = machine_busy()
        time.sleep(2)
        share = (machine_busy() - busy) / (2 * cpus)
        if share <= QUIET_CPU_SHARE:
            return
    print(f"  (the machine stays {share:.0%} busy with other work: numbers below are skewed)")


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy (all CPUs), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / CLK_TCK


def _safe(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return urlunsplit(
        (parts.scheme, f"{parts.username or ''}@{host}:{parts.port or 5432}", parts.path, "", "")
    )


@contextmanager
def postgres_database(base: str, name: str = BENCH_DB) -> Iterator[str | None]:
    """A fresh database beside ``base``'s (dropped afterwards), or None when unreachable. Its name
    ends in this process's id: two benchmarks on one server (other worktrees, other helpers) do
    not drop each other's database."""
    name = f"{name}_{os.getpid()}"
    parts = urlsplit(base)
    if parts.hostname not in LOOPBACK:
        print(f"bench: {_safe(base)} is not on loopback; the benchmark talks to 127.0.0.1 only")
        yield None
        return
    if not asyncio.run(_admin(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")):
        yield None
        return
    asyncio.run(_admin(base, f"CREATE DATABASE {name}"))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        asyncio.run(_admin(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def _admin(base: str, statement: str) -> bool:
    try:
        connection = await asyncpg.connect(base, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
    return True


ROOT = Path(__file__).resolve().parent.parent


def migrated(url: str) -> dict[str, str]:
    """The environment of a chibo on the bench's fresh database ``url`` (a new secret, no
    schedules in the process under test), after `chibo migrate` ran in it."""
    env = {
        **os.environ,
        "CHIBO_DATABASE_URL": url,
        "CHIBO_SECRET_KEY": secrets.token_urlsafe(48),
        "PICCOLO_CONF": "db.piccolo_conf",
        "CHIBO_EMBEDDED_WORKER": "0",
    }
    subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(Path(sys.executable).with_name("chibo")), "migrate"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return env
