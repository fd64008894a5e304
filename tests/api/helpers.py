"""Small helpers every API test module shares: the problem a refusal answers, the tokens and the
headers of a session, the headers of a conditional write."""

from __future__ import annotations

from typing import Any

import httpx

from domain.org.model import Person
from tests.factories import PASSWORD

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
