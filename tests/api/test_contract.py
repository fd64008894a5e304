"""The HTTP contract where the framework's defaults disagreed with the OpenAPI document (each case
once found by schemathesis): strict types, OPTIONS ``Allow``, public operations, If-Match."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import build_world, login

OPENAPI = "/api/docs/openapi.json"


async def _document(client: httpx.AsyncClient) -> dict[str, Any]:
    reply = await client.get(OPENAPI)
    assert reply.status_code == 200
    document: dict[str, Any] = reply.json()
    return document


@pytest.mark.parametrize("exempt", [0, 1, "true", "false"])
async def test_a_body_of_the_wrong_type_is_refused_not_coerced(
    client: httpx.AsyncClient, exempt: object
) -> None:
    world = await build_world()
    admin = await login(client, world.admin)
    reply = await client.patch(
        f"/api/v1/memberships/{world.membership_a.id}", json={"exempt": exempt}, headers=admin
    )
    assert reply.status_code == 422, reply.text
    assert reply.json()["code"] == "validation_failed"
    assert reply.json()["errors"][0]["field"] == "exempt"
    unchanged = await client.get(f"/api/v1/memberships/{world.membership_a.id}", headers=admin)
    assert unchanged.json()["exempt"] is False


async def test_a_time_query_must_be_rfc3339_not_a_unix_number(
    client: httpx.AsyncClient,
) -> None:
    admin = await login(client, (await build_world()).admin)
    refused = await client.get("/api/v1/audit", params={"until": "0.5"}, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "until"
    until = "2030-01-01T00:00:00+07:00"
    accepted = await client.get("/api/v1/audit", params={"until": until}, headers=admin)
    assert accepted.status_code == 200


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "1999-12"])
async def test_a_month_out_of_range_is_refused(client: httpx.AsyncClient, month: str) -> None:
    admin = await login(client, (await build_world()).admin)
    for path in ("/api/v1/meetings", "/api/v1/inspections"):
        reply = await client.get(path, params={"month": month}, headers=admin)
        assert reply.status_code == 422, (path, reply.text)


async def test_options_lists_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    world = await build_world()
    paths = (await _document(client))["paths"]
    for template, path in (
        ("/api/v1/units", "/api/v1/units"),
        ("/api/v1/units/{unitId}", f"/api/v1/units/{world.cell_a.id}"),
        ("/api/v1/me/calendar-token", "/api/v1/me/calendar-token"),
    ):
        reply = await client.options(path)
        assert reply.status_code == 204
        documented = {method.upper() for method in paths[template]} | {"OPTIONS"}
        assert reply.headers["allow"] == ", ".join(sorted(documented))


async def test_a_wrong_method_is_a_problem_with_allow(client: httpx.AsyncClient) -> None:
    reply = await client.delete("/api/v1/units")
    assert reply.status_code == 405
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert set(reply.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST", "OPTIONS"}


async def test_public_operations_need_no_token_in_the_document(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    assert document["security"] == [{"BearerToken": []}]
    public = {
        ("get", "/health/live"),
        ("get", "/health/ready"),
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/refresh"),
    }
    for method, path in public:
        assert document["paths"][path][method]["security"] == [], (method, path)
    assert "security" not in document["paths"]["/api/v1/me"]["get"]


async def test_if_match_is_documented_required_and_missing_answers_428(
    client: httpx.AsyncClient,
) -> None:
    document = await _document(client)
    notice = document["paths"]["/api/v1/meetings/{meetingId}/notice"]["put"]
    if_match = next(p for p in notice["parameters"] if p["name"] == "If-Match")
    assert if_match["required"] is True
    assert {"412", "428"} <= set(notice["responses"])


async def test_a_person_phone_outside_the_documented_pattern_is_refused(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    admin = await login(client, world.admin)
    body = {"homeUnitId": str(world.cell_a.id), "fullName": "Trần Văn Ba", "phone": "09x2345678"}
    reply = await client.post("/api/v1/people", json=body, headers=admin)
    assert reply.status_code == 422, reply.text
    assert reply.json()["errors"][0]["field"] == "phone"
    cursor = await client.get("/api/v1/meetings", params={"cursor": "a b"}, headers=admin)
    assert cursor.status_code == 422
    assert cursor.json()["errors"][0]["field"] == "cursor"


async def test_texts_longer_than_their_columns_are_refused_on_both_engines(
    client: httpx.AsyncClient,
) -> None:
    """PostgreSQL enforces varchar(n) (a 500), SQLite stores anything: the schema decides first
    (each case found by schemathesis on PostgreSQL)."""
    admin = await login(client, (await build_world()).admin)
    day = await client.put(
        "/api/v1/calendar-days/2026-12-05", json={"working": True, "note": "x" * 201}, headers=admin
    )
    assert day.status_code == 422, day.text
    device = {
        "token": "t" * 40,
        "platform": "android",
        "appVersion": "1.0",
        "locale": "vi" + "-ab" * 7,
    }
    refused = await client.post("/api/v1/me/devices", json=device, headers=admin)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "locale"
