"""Passwords over HTTP, on both engines: weak ones are refused with a clear 422 code wherever a
password is set, and a password an administrator set must be changed before anything else works."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from chibo.settings import Settings
from tests.api.helpers import bearer, problem, sign_in
from tests.factories import PASSWORD, World, build_world
from tests.fakes import FakeClock

PEOPLE = "/api/v1/people"
ME = "/api/v1/me"
CHANGE = "/api/v1/auth/password"
TEMPORARY = "giay-bao-so-0417"  # 16 characters, handed over on paper
NEW_PHONE = "+84987650001"


async def _create(
    client: httpx.AsyncClient, world: World, password: str, name: str = "Ngô Thị Mai"
) -> httpx.Response:
    admin = bearer(await sign_in(client, world.admin))
    body = {
        "homeUnitId": str(world.cell_a.id),
        "fullName": name,
        "phone": NEW_PHONE,
        "password": password,
    }
    return await client.post(PEOPLE, json=body, headers=admin)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("1", "password_too_short"),
        ("mat-khau-11", "password_too_short"),  # fine for a person's own, short for a temporary
        ("qwerty123456", "password_too_common"),
        ("aaaaaaaaaaaa", "password_too_common"),
        ("0987650001-moi", "password_contains_personal_info"),
        ("ngothimai-2026", "password_contains_personal_info"),
    ],
)
async def test_an_administrator_cannot_set_a_weak_password(
    client: httpx.AsyncClient, password: str, code: str
) -> None:
    world = await build_world()
    reply = await _create(client, world, password)
    problem(reply, 422, code)
    assert (
        await client.post("/api/v1/auth/login", json={"phone": NEW_PHONE, "password": password})
    ).status_code == 401


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("ngan", "password_too_short"),
        ("12345678", "password_too_common"),
        ("aaaaaaaa", "password_too_common"),
        ("        ", "password_too_common"),
        ("iloveyou", "password_too_common"),
        ("PHONE_LOCAL", "password_contains_personal_info"),
        ("PHONE", "password_contains_personal_info"),
        ("lethihoa1960", "password_contains_personal_info"),
        (PASSWORD, "password_unchanged"),
    ],
)
async def test_a_weak_new_password_is_refused_with_its_reason(
    client: httpx.AsyncClient, password: str, code: str
) -> None:
    world = await build_world()
    phone = world.member_a.phone
    password = password.replace("PHONE_LOCAL", "0" + phone.removeprefix("+84")).replace(
        "PHONE", phone
    )
    tokens = await sign_in(client, world.member_a)  # Lê Thị Hoa
    reply = await client.post(
        CHANGE,
        json={"currentPassword": PASSWORD, "newPassword": password},
        headers={**bearer(tokens), "Accept-Language": "en"},
    )
    body = problem(reply, 422, code)
    assert body["title"]
    # nothing changed: the old password still logs in
    await sign_in(client, world.member_a)


async def test_a_temporary_password_must_be_changed_before_anything_else(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    created = await _create(client, world, TEMPORARY)
    assert created.status_code == 201, created.text
    person_id = created.json()["id"]

    first = await client.post(
        "/api/v1/auth/login", json={"phone": NEW_PHONE, "password": TEMPORARY}
    )
    assert first.status_code == 200
    tokens: dict[str, Any] = first.json()
    assert tokens["passwordChangeRequired"] is True
    me = await client.get(ME, headers=bearer(tokens))
    assert me.status_code == 200
    assert me.json()["person"]["id"] == person_id
    for method, path in (
        ("GET", "/api/v1/units"),
        ("GET", f"{PEOPLE}/{person_id}"),
        ("GET", "/api/v1/auth/sessions"),
        ("GET", "/api/v1/me/notifications"),
        ("POST", "/api/v1/me/devices"),
    ):
        reply = await client.request(
            method,
            path,
            headers=bearer(tokens),
            json={"token": "t", "platform": "android", "appVersion": "1", "locale": "vi"}
            if method == "POST"
            else None,
        )
        body = problem(reply, 403, "password_change_required")
        assert body["title"] == "Đồng chí cần đổi mật khẩu tạm thời trước khi tiếp tục"
    # refreshing keeps the session and still says so
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refreshToken": tokens["refreshToken"]}
    )
    assert refreshed.json()["passwordChangeRequired"] is True
    tokens = refreshed.json()

    same = await client.post(
        CHANGE,
        json={"currentPassword": TEMPORARY, "newPassword": TEMPORARY},
        headers=bearer(tokens),
    )
    problem(same, 422, "password_unchanged")
    changed = await client.post(
        CHANGE,
        json={"currentPassword": TEMPORARY, "newPassword": "hoa mai vàng trước ngõ"},
        headers=bearer(tokens),
    )
    assert changed.status_code == 204, changed.text
    # the same session goes on, with everything open now
    assert (await client.get("/api/v1/units", headers=bearer(tokens))).status_code == 200
    again = await client.post(
        "/api/v1/auth/login", json={"phone": NEW_PHONE, "password": "hoa mai vàng trước ngõ"}
    )
    assert again.json()["passwordChangeRequired"] is False


async def test_logout_works_with_a_temporary_password(client: httpx.AsyncClient) -> None:
    world = await build_world()
    assert (await _create(client, world, TEMPORARY)).status_code == 201
    tokens = (
        await client.post("/api/v1/auth/login", json={"phone": NEW_PHONE, "password": TEMPORARY})
    ).json()
    assert (await client.post("/api/v1/auth/logout", headers=bearer(tokens))).status_code == 204
    assert (await client.get(ME, headers=bearer(tokens))).status_code == 401


async def test_people_with_their_own_password_are_not_asked_to_change_it(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    tokens = await sign_in(client, world.member_a)
    assert tokens["passwordChangeRequired"] is False
    assert (await client.get("/api/v1/units", headers=bearer(tokens))).status_code == 200


async def test_guessing_the_current_password_with_a_stolen_token_is_throttled(
    client: httpx.AsyncClient, settings: Settings, clock: FakeClock
) -> None:
    world = await build_world()
    stolen = bearer(await sign_in(client, world.member_a))
    free = settings.login_policy.free_failures_per_account
    for n in range(free):
        guess = {"currentPassword": f"doan-thu-{n}", "newPassword": "chiem quyen tai khoan"}
        reply = await client.post(CHANGE, json=guess, headers=stolen)
        problem(reply, 422, "current_password_wrong")
    reply = await client.post(
        CHANGE,
        json={"currentPassword": PASSWORD, "newPassword": "chiem quyen tai khoan"},
        headers=stolen,
    )
    problem(reply, 429, "too_many_login_attempts")
    assert reply.headers["retry-after"] == "1"
    clock.advance(timedelta(seconds=1))
    # the owner, after the wait: a right current password goes through
    reply = await client.post(
        CHANGE,
        json={"currentPassword": PASSWORD, "newPassword": "mat khau rieng cua toi"},
        headers=stolen,
    )
    assert reply.status_code == 204


async def test_a_refusal_for_a_temporary_password_is_not_replayed_after_the_change(
    client: httpx.AsyncClient,
) -> None:
    """An offline phone's queued write, refused until the password is changed, goes through when
    sent again with its key afterwards (the refusal was about the caller, not the request)."""
    world = await build_world()
    assert (await _create(client, world, TEMPORARY)).status_code == 201
    tokens = (
        await client.post("/api/v1/auth/login", json={"phone": NEW_PHONE, "password": TEMPORARY})
    ).json()
    device = {"token": "fcm-token-1", "platform": "android", "appVersion": "1", "locale": "vi"}
    keyed = {**bearer(tokens), "Idempotency-Key": "queued-device-0001"}
    refused = await client.post("/api/v1/me/devices", json=device, headers=keyed)
    problem(refused, 403, "password_change_required")
    changed = await client.post(
        CHANGE,
        json={"currentPassword": TEMPORARY, "newPassword": "hoa mai vàng trước ngõ"},
        headers=bearer(tokens),
    )
    assert changed.status_code == 204, changed.text
    again = await client.post("/api/v1/me/devices", json=device, headers=keyed)
    assert again.status_code in {200, 201}, again.text
    assert "idempotent-replayed" not in again.headers
