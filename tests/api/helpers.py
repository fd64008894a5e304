"""Small helpers every API test module shares: the problem a refusal answers, the tokens and the
headers of a session, the headers of a conditional write, the app on a committed database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from chibo.bootstrap import build_app
from chibo.settings import Settings
from db.engine import Database
from domain.org.model import Person
from tests.conftest import TEST_SECRET
from tests.factories import PASSWORD
from tests.fakes import FakeClock

Headers = dict[str, str]


def problem(reply: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The RFC 9457 problem of ``reply``, asserted to carry ``status`` and ``code``."""
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = reply.json()
    assert (body["status"], body["code"]) == (status, code), body
    assert body["type"] == f"urn:chibo:problem:{code}"
    assert body["title"]
    return body


async def sign_in(
    client: httpx.AsyncClient, person: Person, device: str = "phone"
) -> dict[str, Any]:
    """Tokens of a fresh session of ``person`` on ``device`` (a login, with its argon2 cost)."""
    reply = await client.post(
        "/api/v1/auth/login",
        json={"phone": person.phone, "password": PASSWORD, "deviceName": device},
    )
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def bearer(tokens: dict[str, Any]) -> Headers:
    """Authorization header of the tokens a login or refresh answered."""
    return {"Authorization": f"Bearer {tokens['accessToken']}"}


def if_match(headers: Headers, version: int | str) -> Headers:
    """``headers`` with the If-Match precondition of a write on ``version``."""
    return {**headers, "If-Match": f'"{version}"'}


@asynccontextmanager
async def client_on(
    database: Database, clock: FakeClock | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the committed database (on ``clock``, if given): each request commits on its
    own."""
    settings = Settings(database_url="sqlite:///unused", secret_key=TEST_SECRET)
    app = build_app(settings, clock=clock or FakeClock(), database=database)
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as client:
        yield client
