"""Real chibo processes for the e2e tests: the command, a served app, `chibo worker` processes,
the holder of the leader lock, and waiting on what they do (never on the clock alone)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

import asyncpg
import httpx
import pytest

from schedules.runner import LEADER_LOCK_KEY

CHIBO = Path(sys.executable).with_name("chibo")
STARTUP_SECONDS = 60  # a busy 2-CPU machine starting several processes at once
COMMAND_SECONDS = 120
POLL = 0.1  # seconds between two looks, not a wait for time to pass
T = TypeVar("T")

LEADER_SQL = """
SELECT a.application_name
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.classid = $1 AND l.objid = $2
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def chibo(*args: str, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(CHIBO), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def wait_until_ready(server: subprocess.Popen[str], base_url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            _, errors = server.communicate()
            pytest.fail(f"chibo serve exited with {server.returncode}: {errors}")
        try:
            if httpx.get(f"{base_url}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)  # poll interval, not a wait for time to pass
    pytest.fail(f"chibo serve was not ready within {STARTUP_SECONDS} s")


@contextlib.contextmanager
def served(env: dict[str, str], cwd: Path) -> Iterator[str]:
    """`chibo serve` on a free port, ready; its base URL. Stopped (SIGTERM) at the end."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [str(CHIBO), "serve", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_ready(server, base_url)
        yield base_url
    finally:
        server.terminate()
        try:
            server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()


async def leader(observer: asyncpg.Connection) -> str | None:
    """The application_name of the connection holding the scheduler's leader lock."""
    name: str | None = await observer.fetchval(
        LEADER_SQL, LEADER_LOCK_KEY >> 32, LEADER_LOCK_KEY & 0xFFFFFFFF
    )
    return name


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[str]
    log: Path


@contextlib.contextmanager
def workers(
    url: str,
    cwd: Path,
    names: Sequence[str],
    env: dict[str, str],
    command: Sequence[str] = (str(CHIBO), "worker"),
) -> Iterator[dict[str, Worker]]:
    """Start one worker process per name, its connections named after it (application_name);
    SIGTERM what is still running at the end."""
    started: dict[str, Worker] = {}
    logs: list[IO[str]] = []
    try:
        for name in names:
            log = cwd / f"{name}.log"
            logs.append(log.open("w"))  # a file, not a pipe: a full pipe would stall the worker
            process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
                list(command),
                # asyncpg takes unknown query parameters as server settings
                env={**os.environ, **env, "CHIBO_DATABASE_URL": f"{url}?application_name={name}"},
                cwd=cwd,
                stdout=logs[-1],
                stderr=subprocess.STDOUT,
                text=True,
            )
            started[name] = Worker(name, process, log)
        yield started
    finally:
        for worker in started.values():
            if worker.process.poll() is None:
                worker.process.terminate()
        for worker in started.values():
            try:
                worker.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
        for stream in logs:
            stream.close()


def logs_of(running: dict[str, Worker]) -> str:
    return "".join(
        f"\n--- {w.name} (exit {w.process.poll()}) ---\n{w.log.read_text()[-3000:]}"
        for w in running.values()
    )


async def until(
    what: str,
    check: Callable[[], Awaitable[T | None]],
    seconds: float,
    running: dict[str, Worker],
    *,
    alive: Sequence[str] | None = None,
) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``seconds`` or as soon as a
    process that should be running (``alive``, by default all) has exited."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    names = list(running) if alive is None else alive
    while True:
        found = await check()
        if found:
            return found
        if any(running[name].process.poll() is not None for name in names):
            pytest.fail(f"a process exited while waiting for {what}{logs_of(running)}")
        if loop.time() > deadline:
            pytest.fail(f"{what}: not within {seconds} s{logs_of(running)}")
        await asyncio.sleep(POLL)
