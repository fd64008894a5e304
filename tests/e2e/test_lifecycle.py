"""SIGTERM, as systemd or an orchestrator sends it: `chibo serve` stops accepting, answers the
request it is in the middle of and exits 0; `chibo worker` finishes the push batch it is sending,
lets go of the leader lock at once (the other worker leads within its retry interval, not after a
TCP keepalive) and exits 0. Real processes; every wait is on something observable."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import ENGINES
from tests.fake_fcm import running_fake_fcm
from tests.outbox_trials import DEVICES, seed
from tests.processes import (
    CHIBO,
    STARTUP_SECONDS,
    chibo,
    free_port,
    leader,
    until,
    wait_until_ready,
    workers,
)
from tests.scratch_databases import bound_to, scratch_database

SECRET = "e2e-secret-key-that-is-long-enough-0123456789"
GRACE = 20  # CHIBO_SHUTDOWN_GRACE_SECONDS: far more than any step here needs
LOGIN = b'{"phone": "+84900000999", "password": "not-the-password"}'


@pytest.fixture(params=ENGINES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'lifecycle.sqlite3'}"
        return
    async with scratch_database("chibo_lifecycle") as url:
        yield url


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def read_reply(connection: socket.socket) -> tuple[int, dict[str, object]]:
    """One whole HTTP/1.1 reply (status and JSON body, by its Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536) or b"!"
        assert not data.endswith(b"!"), f"connection closed before a reply: {data!r}"
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    length = next(int(v) for k, v in (x.split(": ", 1) for x in lines[1:]) if k == "content-length")
    while len(body) < length:
        chunk = connection.recv(65536)
        assert chunk, "connection closed in the middle of the reply"
        body += chunk
    return int(lines[0].split()[1]), json.loads(body)


@pytest.mark.e2e
async def test_serve_answers_the_request_in_flight_when_sigterm_comes_then_exits_0(
    database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "CHIBO_DATABASE_URL": database_url,
        "CHIBO_SECRET_KEY": SECRET,
        "CHIBO_SHUTDOWN_GRACE_SECONDS": str(GRACE),
    }
    chibo("migrate", env=env, cwd=tmp_path)
    port = free_port()
    log = tmp_path / "serve.log"
    server = subprocess.Popen(  # noqa: S603, ASYNC220 - our own command; started, not awaited
        [str(CHIBO), "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),  # a file, not a pipe: a full pipe would stall the server
        text=True,
    )
    try:
        wait_until_ready(server, f"http://127.0.0.1:{port}")
        with socket.create_connection(("127.0.0.1", port), timeout=GRACE) as phone:
            # the headers now, the body later: the app asks for the body, uvicorn says
            # "100 Continue", and from then on the request is in the server's hands
            phone.sendall(
                b"POST /api/v1/auth/login HTTP/1.1\r\nHost: chibo\r\n"
                b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
                b"Content-Length: " + str(len(LOGIN)).encode() + b"\r\n\r\n"
            )
            assert phone.recv(1024).startswith(b"HTTP/1.1 100 Continue")
            server.send_signal(signal.SIGTERM)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + GRACE
            while not refused(port):  # stops accepting new connections
                assert loop.time() < deadline, "chibo serve still accepts after SIGTERM"
                await asyncio.sleep(0.05)
            assert server.poll() is None  # still finishing the request in flight
            phone.sendall(LOGIN)
            status, body = read_reply(phone)
        assert (status, body["code"]) == (401, "invalid_credentials")
        assert server.wait(timeout=GRACE) == 0, log.read_text()[-3000:]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


@pytest.mark.e2e
async def test_a_worker_stopped_by_sigterm_finishes_its_batch_and_hands_over_the_lead_at_once(
    tmp_path: Path,
) -> None:
    names = ("chibo-worker-a", "chibo-worker-b")
    async with scratch_database("chibo_lifecycle") as url, running_fake_fcm() as fake:
        chibo("migrate", env={**os.environ, "CHIBO_DATABASE_URL": url, "CHIBO_SECRET_KEY": SECRET},
              cwd=tmp_path)  # fmt: skip
        fake.delay = 2.0  # each push is answered 2 s after it arrived: a batch in flight
        env = {
            "CHIBO_SECRET_KEY": SECRET,
            "CHIBO_LEADER_RETRY_SECONDS": "1",
            "CHIBO_DISPATCH_INTERVAL_SECONDS": "1",
            "CHIBO_SHUTDOWN_GRACE_SECONDS": str(GRACE),
        }
        command = (sys.executable, "-m", "tests.fcm_worker", fake.base_url, fake.ca_file)
        observer = await asyncpg.connect(url)
        try:
            with workers(url, tmp_path, names[:1], env, command) as running:
                first, second = names

                async def holder() -> str | None:
                    return await leader(observer)

                assert await until("a leader", holder, STARTUP_SECONDS, running) == first
                async with bound_to(url) as database:
                    deliveries = await seed(database, DEVICES)

                async def arrived() -> bool:
                    return len(fake.received) == len(deliveries)

                await until("the batch at the fake FCM", arrived, 30, running)
                with workers(url, tmp_path, names[1:], env, command) as standby:
                    running.update(standby)

                    async def connected() -> bool:
                        return bool(
                            await observer.fetchval(
                                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                                second,
                            )
                        )

                    await until("the second worker", connected, STARTUP_SECONDS, running)
                    running[first].process.send_signal(signal.SIGTERM)

                    async def handed_over() -> bool:
                        return await holder() == second

                    # its retry is 1 s: with the lock left to the TCP keepalive it would be 20 s
                    await until("the lead handed over", handed_over, 5, running, alive=[second])

                    async def exited() -> bool:  # waited for on the loop the fake FCM runs on
                        return running[first].process.poll() is not None

                    await until("the first worker's exit", exited, GRACE, running, alive=[second])
                    assert running[first].process.returncode == 0
                    statuses = Counter(
                        row["status"] for row in await observer.fetch("SELECT status FROM delivery")
                    )
                    assert statuses == {"sent": len(deliveries)}  # its batch, settled by it
                    assert set(fake.arrivals.values()) == {1}  # each push went out once
        finally:
            await observer.close()
