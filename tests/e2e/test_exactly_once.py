"""Exactly once across crashes: a real server process is killed (SIGKILL) in the middle of a
request that carries an ``Idempotency-Key`` — after the handler's writes and before the reply is
kept, or after the commit and before the reply leaves — then restarted, and the phone re-sends:
the comment is stored once, and the phone gets its reply (replayed once it was committed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from tests.conftest import ENGINES
from tests.crashing_server import POINTS
from tests.factories import PASSWORD, build_world
from tests.processes import CHIBO, free_port, wait_until_ready
from tests.reminder_subjects import add_task
from tests.scratch_databases import bound_to, scratch_database

ROOT = Path(__file__).parents[2]
SECRET = "e2e-secret-key-that-is-long-enough-0123456789"
KEY = {"Idempotency-Key": "phone-comment-0001"}


@pytest.fixture(params=ENGINES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    async with scratch_database("chibo_crash") as url:
        yield url


@contextmanager
def server(command: list[str], url: str, port: int) -> Iterator[subprocess.Popen[str]]:
    env = {
        **os.environ,
        "CHIBO_DATABASE_URL": url,
        "CHIBO_SECRET_KEY": SECRET,
        "CHIBO_EMBEDDED_WORKER": "0",
    }
    process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_ready(process, f"http://127.0.0.1:{port}")
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@pytest.mark.e2e
@pytest.mark.parametrize("point", POINTS)
async def test_a_comment_resent_after_a_crash_is_stored_once(database_url: str, point: str) -> None:
    async with bound_to(database_url, migrated=True):
        world = await build_world()
        task = await add_task(world, date(2026, 12, 31))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    crashing = [sys.executable, "-m", "tests.crashing_server", str(port), point]
    with server(crashing, database_url, port) as process:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            login = await http.post(
                "/api/v1/auth/login", json={"phone": world.secretary_a.phone, "password": PASSWORD}
            )
            auth = {"Authorization": f"Bearer {login.json()['accessToken']}"}
            with pytest.raises(httpx.TransportError):
                await comment(http, task.id, auth)
        assert process.wait(timeout=10) == -signal.SIGKILL

    with server([str(CHIBO), "serve", "--port", str(port)], database_url, port):
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            resent = await comment(http, task.id, auth)
            again = await comment(http, task.id, auth)
            stored = await http.get(f"/api/v1/tasks/{task.id}/comments", headers=auth)
    assert resent.status_code == 201, resent.text
    # committed before the crash: the reply is replayed; not committed: the request ran afresh
    replayed = "true" if point == "before-reply" else None
    assert resent.headers.get("idempotent-replayed") == replayed
    assert (again.headers["idempotent-replayed"], again.json()) == ("true", resent.json())
    assert [c["id"] for c in stored.json()["items"]] == [resent.json()["id"]]


async def comment(http: httpx.AsyncClient, task_id: UUID, auth: dict[str, str]) -> httpx.Response:
    return await http.post(
        f"/api/v1/tasks/{task_id}/comments",
        json={"text": "Đã liên hệ thợ sửa mái"},
        headers={**auth, **KEY},
    )
