"""Concurrent requests against one app on a database whose writes commit, on both engines: many
refreshes with one token rotate the session once; many wrong passwords at once are checked no more
often than the throttle allows. The requests run at the same time (asyncio.gather through the app
on one loop, PostgreSQL on a connection pool), so a read-then-write on these paths shows up as
extra admissions."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest

from chibo.bootstrap import build_app
from chibo.settings import Settings
from db.engine import Database
from db.tables import DeviceSessionTable
from tests.conftest import TEST_SECRET
from tests.factories import PASSWORD, World, build_world
from tests.fakes import FakeClock

PARALLEL = 30
REFRESH = "/api/v1/auth/refresh"

Connect = Callable[..., AbstractAsyncContextManager[list[httpx.AsyncClient]]]


@pytest.fixture
async def world(committed: Database) -> World:
    del committed
    return await build_world()


@pytest.fixture
def connect(committed: Database, world: World) -> Connect:
    """An app on the committed database, with these settings; a client per address."""
    del world

    @asynccontextmanager
    async def connected(*hosts: str, **settings: Any) -> AsyncIterator[list[httpx.AsyncClient]]:
        app = build_app(
            Settings(database_url="sqlite:///unused", secret_key=TEST_SECRET, **settings),
            clock=FakeClock(),
            database=committed,
        )
        async with AsyncExitStack() as stack:
            yield [
                await stack.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app, client=(host, 40000)),  # type: ignore[arg-type]
                        base_url="http://chibo.test",
                    )
                )
                for host in hosts or ("10.9.0.1",)
            ]

    return connected


async def _login(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    reply = await client.post(
        "/api/v1/auth/login", json={"phone": world.member_a.phone, "password": PASSWORD}
    )
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


async def _generation(session_id: str) -> tuple[int, str | None]:
    row = (
        await DeviceSessionTable.select(
            DeviceSessionTable.generation, DeviceSessionTable.revoked_reason
        )
        .where(DeviceSessionTable.id == session_id)
        .first()
    )
    assert row is not None
    return row["generation"], row["revoked_reason"]


async def test_parallel_refreshes_with_one_token_rotate_the_session_once(
    world: World, connect: Connect
) -> None:
    async with connect() as (client,):
        tokens = await _login(client, world)
        replies = await asyncio.gather(
            *(client.post(REFRESH, json={"refreshToken": tokens["refreshToken"]}) for _ in range(8))
        )
        assert [r.status_code for r in replies] == [200] * 8, [r.text for r in replies]
        # one new refresh token for everyone: the duplicates got the rotation's own token back
        assert len({r.json()["refreshToken"] for r in replies}) == 1
        assert await _generation(tokens["sessionId"]) == (1, None)
        nxt = await client.post(REFRESH, json={"refreshToken": replies[0].json()["refreshToken"]})
        assert nxt.status_code == 200
        assert await _generation(tokens["sessionId"]) == (2, None)


async def test_without_a_grace_window_parallel_duplicates_are_reuse(
    world: World, connect: Connect
) -> None:
    async with connect(refresh_grace_seconds=0) as (client,):
        tokens = await _login(client, world)
        replies = await asyncio.gather(
            *(client.post(REFRESH, json={"refreshToken": tokens["refreshToken"]}) for _ in range(8))
        )
        codes = Counter(r.json().get("code", r.status_code) for r in replies)
        assert codes[200] == 1, codes  # one rotation, never two live pairs
        assert set(codes) <= {200, "refresh_token_reused", "session_expired"}
        assert (await _generation(tokens["sessionId"]))[0] == 1


async def test_parallel_wrong_passwords_from_one_address_check_only_the_free_ones(
    world: World, connect: Connect
) -> None:
    async with connect() as (client,):
        replies = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/auth/login",
                    json={"phone": world.member_a.phone, "password": f"sai-{n}"},
                )
                for n in range(PARALLEL)
            )
        )
    codes = Counter(r.status_code for r in replies)
    free = Settings().login_policy.free_failures_per_client
    assert codes == {401: free, 429: PARALLEL - free}, codes


async def test_parallel_wrong_passwords_from_many_addresses_check_only_the_accounts_free_ones(
    world: World, connect: Connect
) -> None:
    free = Settings().login_policy.free_failures_per_account
    async with connect(*(f"10.8.{n // 200}.{n % 200}" for n in range(2 * free))) as clients:
        replies = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/auth/login", json={"phone": world.member_a.phone, "password": "sai"}
                )
                for client in clients
            )
        )
    codes = Counter(r.status_code for r in replies)
    assert codes == {401: free, 429: free}, codes
