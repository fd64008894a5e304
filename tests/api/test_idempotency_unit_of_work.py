"""The idempotency middleware around a probe handler that writes a row and answers the status it
is asked for, on both engines: what a reply of each kind leaves behind, and what a retry gets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import uuid4

import httpx
import pytest
from litestar import Litestar, Response, post
from litestar.middleware import DefineMiddleware
from litestar.params import FromPath
from litestar.types import ASGIApp, Receive, Scope, Send

from api.http.idempotency import IdempotencyMiddleware
from db.engine import Database
from db.repositories.idempotency import IdempotencyStore
from db.tables import LoginAttemptTable
from domain.actors import Actor
from tests.fakes import START, FakeClock

CALLER = Actor(person_id=uuid4(), session_id=uuid4(), grants=())
WRITTEN = LoginAttemptTable.key.like("probe-%")


def as_caller(app: ASGIApp) -> ASGIApp:
    async def authenticated(scope: Scope, receive: Receive, send: Send) -> None:
        scope["user"] = CALLER
        await app(scope, receive, send)

    return authenticated


@post("/probe/{status:int}", status_code=200)
async def probe(status: FromPath[int]) -> Response[dict[str, str]]:
    key = f"probe-{uuid4()}"
    await LoginAttemptTable.insert(
        LoginAttemptTable(id=uuid4(), key=key, last_attempt_at=START, next_attempt_at=START)
    )
    return Response({"wrote": key}, status_code=status)


@pytest.fixture
async def client(db: Database, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    store = IdempotencyStore(db, lifetime=timedelta(days=7))
    app = Litestar(
        [probe],
        middleware=[
            as_caller,
            DefineMiddleware(
                IdempotencyMiddleware, database=db, store=store, clock=clock, max_body=1024
            ),
        ],
    )
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as http:
        yield http


async def send_twice(client: httpx.AsyncClient, status: int) -> tuple[httpx.Response, ...]:
    headers = {"Idempotency-Key": f"probe-key-{status}"}
    return tuple([await client.post(f"/probe/{status}", headers=headers) for _ in range(2)])


async def test_a_success_keeps_its_write_and_is_replayed(client: httpx.AsyncClient) -> None:
    first, again = await send_twice(client, 201)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await LoginAttemptTable.count().where(WRITTEN) == 1


async def test_an_error_reply_keeps_no_write_and_is_replayed(client: httpx.AsyncClient) -> None:
    first, again = await send_twice(client, 422)
    assert (first.status_code, again.status_code) == (422, 422)
    assert again.headers["idempotent-replayed"] == "true"
    assert await LoginAttemptTable.count().where(WRITTEN) == 0


@pytest.mark.parametrize("status", [429, 503])
async def test_a_retry_later_reply_is_not_kept_so_the_retry_runs(
    client: httpx.AsyncClient, status: int
) -> None:
    first, again = await send_twice(client, status)
    assert (first.status_code, again.status_code) == (status, status)
    assert "idempotent-replayed" not in again.headers
    assert first.json() != again.json()  # the handler ran again
    assert await LoginAttemptTable.count().where(WRITTEN) == 0
