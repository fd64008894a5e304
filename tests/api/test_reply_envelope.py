"""What every reply carries, whoever answers it (a handler, the router, authentication, the
validation of input): the request id in the body of a problem and in ``X-Request-Id``,
``Content-Language`` and ``Vary: Accept-Language``; validation problems in the caller's language."""

from __future__ import annotations

import httpx
import pytest

from api.http.error_texts import VALIDATION_TEXTS, validation_text
from domain.org.model import Locale
from tests.factories import build_world, login


def _assert_envelope(reply: httpx.Response, language: str) -> None:
    assert reply.headers["content-language"] == language
    assert "Accept-Language" in reply.headers["vary"]
    assert reply.headers["x-request-id"]
    if reply.headers["content-type"].startswith("application/problem+json"):
        assert reply.json()["requestId"] == reply.headers["x-request-id"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/me", 401),
        ("GET", "/api/v1/no-such-route", 404),
        ("DELETE", "/api/v1/units", 405),
        ("POST", "/api/v1/auth/login", 422),
        ("GET", "/health/live", 200),
    ],
)
@pytest.mark.parametrize("language", ["vi", "en"])
async def test_every_reply_carries_the_request_id_and_its_language(
    client: httpx.AsyncClient, method: str, path: str, status: int, language: str
) -> None:
    reply = await client.request(method, path, headers={"Accept-Language": language}, json={})
    assert reply.status_code == status, reply.text
    _assert_envelope(reply, language)


async def test_a_given_request_id_comes_back_in_the_problem(client: httpx.AsyncClient) -> None:
    reply = await client.get("/api/v1/me", headers={"X-Request-Id": "phone-42"})
    assert reply.status_code == 401
    assert reply.json()["requestId"] == reply.headers["x-request-id"] == "phone-42"


async def test_validation_problems_speak_the_callers_language(client: httpx.AsyncClient) -> None:
    admin = await login(client, (await build_world()).admin)
    body = {"name": 1, "kind": "cell"}
    vi = await client.post("/api/v1/units", json=body, headers=admin)
    en = await client.post("/api/v1/units", json=body, headers={**admin, "Accept-Language": "en"})
    assert vi.status_code == en.status_code == 422
    assert vi.json()["detail"] == "Nội dung gửi lên không hợp lệ"
    assert en.json()["detail"] == "Validation failed for body"
    assert vi.json()["errors"] == [
        {"field": "name", "message": "Cần giá trị kiểu `str`, nhận được `int`"}
    ]
    assert en.json()["errors"] == [{"field": "name", "message": "Expected `str`, got `int`"}]
    _assert_envelope(vi, "vi")
    _assert_envelope(en, "en")


# One message of each kind msgspec and Litestar give; each must have its Vietnamese text.
MESSAGES = [
    "Validation failed for body",
    "Validation failed for query",
    "Validation failed for GET /api/v1/audit?until=0.5",
    "Missing required header parameter 'If-Match' for path /api/v1/meetings/x/notice",
    "Object missing required field `phone`",
    "Object contains unknown field `zzz`",
    "Expected `str`, got `int`",
    "Expected `str` of length >= 3",
    "Expected `str` of length <= 30",
    "Expected `array` of at least length 1, got 0",
    "Expected `array` of at most length 5, got 9",
    "Expected `int` >= 1",
    "Expected `int` that's a multiple of 5",
    "Expected `str` matching regex '^20\\d{2}$'",
    "Expected `datetime` with a timezone component",
    "Expected `datetime` with no timezone component",
    "Expected `int`",
    "Invalid RFC3339 encoded datetime",
    "Invalid UUID",
    "Invalid enum value 'weekly'",
    "Integer value out of range",
    "Invalid value 'x'",
]


def test_each_validation_message_kind_has_a_vietnamese_text() -> None:
    for message in MESSAGES:
        vi = validation_text(message, Locale.VI)
        assert not vi.startswith("Giá trị không hợp lệ ("), message
        assert "{" not in vi.replace("{2}", ""), vi
        assert validation_text(message, Locale.EN) == message
    matched = {
        pattern.pattern
        for pattern, _ in VALIDATION_TEXTS
        if any(pattern.fullmatch(message) for message in MESSAGES)
    }
    assert matched == {pattern.pattern for pattern, _ in VALIDATION_TEXTS}
    assert validation_text("Something new", Locale.VI) == "Giá trị không hợp lệ (Something new)"
