"""Login for phones over HTTP, on both engines: rotation with reuse detection, logout, own
sessions, password change, throttling, disabled accounts, problem details."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import jwt

from chibo.bootstrap import build_app
from chibo.settings import Settings
from db.engine import Database
from db.repositories.org import PiccoloOrgRepository
from domain.org.model import Person
from tests.api.helpers import bearer, problem, sign_in
from tests.factories import PASSWORD, build_world, login
from tests.fakes import FakeClock

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/me"


@asynccontextmanager
async def clients_from(
    db: Database, clock: FakeClock, settings: Settings, *hosts: str
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One app, several callers each at its own address (the throttle keys on it)."""
    app = build_app(settings, clock=clock, database=db)
    clients = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(host, 50000)),  # type: ignore[arg-type]
            base_url="http://chibo.test",
        )
        for host in hosts
    ]
    try:
        yield clients
    finally:
        for client in clients:
            await client.aclose()


async def test_login_returns_tokens_that_open_me(client: httpx.AsyncClient) -> None:
    world = await build_world()
    world.member_a.phone = "+84912345678"
    await PiccoloOrgRepository().save_person(world.member_a)
    # the phone as a person types it: local format with spaces
    reply = await client.post(LOGIN, json={"phone": "0912 345 678", "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    tokens = reply.json()
    assert tokens["tokenType"] == "Bearer"
    assert 0 < tokens["expiresIn"] <= 15 * 60
    assert tokens["refreshToken"].startswith(tokens["sessionId"].replace("-", ""))
    me = await client.get(ME, headers=bearer(tokens))
    assert me.status_code == 200
    assert me.json()["person"]["id"] == str(world.member_a.id)
    assert "set-cookie" not in reply.headers


async def test_wrong_password_and_unknown_phone_read_the_same(client: httpx.AsyncClient) -> None:
    world = await build_world()
    wrong = await client.post(LOGIN, json={"phone": world.member_a.phone, "password": "sai-roi"})
    unknown = await client.post(LOGIN, json={"phone": "+84999999999", "password": PASSWORD})
    garbage = await client.post(LOGIN, json={"phone": "not a phone", "password": PASSWORD})
    for reply in (wrong, unknown, garbage):
        body = problem(reply, 401, "invalid_credentials")
        assert body["title"] == "Số điện thoại hoặc mật khẩu không đúng"


async def test_problem_titles_follow_accept_language(client: httpx.AsyncClient) -> None:
    reply = await client.post(
        LOGIN,
        json={"phone": "+84999999999", "password": "x"},
        headers={"Accept-Language": "en-US,en;q=0.9", "X-Request-Id": "req-login-1"},
    )
    body = problem(reply, 401, "invalid_credentials")
    assert body["title"] == "Wrong phone number or password"
    assert body["requestId"] == "req-login-1"
    assert reply.headers["x-request-id"] == "req-login-1"
    anonymous = await client.get(ME, headers={"Accept-Language": "en"})
    assert problem(anonymous, 401, "unauthenticated")["title"] == "Authentication required"
    assert anonymous.headers["www-authenticate"] == "Bearer"


async def test_login_body_is_validated(client: httpx.AsyncClient) -> None:
    missing = await client.post(LOGIN, json={"phone": "0912345678"})
    problem(missing, 422, "validation_failed")
    extra = await client.post(LOGIN, json={"phone": "0912345678", "password": "x", "isAdmin": True})
    problem(extra, 422, "validation_failed")


async def test_refresh_rotates_and_replay_revokes_the_family(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    first = await sign_in(client, world.secretary_a)
    second = (await client.post(REFRESH, json={"refreshToken": first["refreshToken"]})).json()
    assert second["sessionId"] == first["sessionId"]
    assert second["refreshToken"] != first["refreshToken"]
    third_reply = await client.post(REFRESH, json={"refreshToken": second["refreshToken"]})
    assert third_reply.status_code == 200
    third = third_reply.json()
    assert (await client.get(ME, headers=bearer(third))).status_code == 200

    # a thief replays the first token: the whole family dies
    clock.advance(timedelta(minutes=1))
    replay = await client.post(REFRESH, json={"refreshToken": first["refreshToken"]})
    problem(replay, 401, "refresh_token_reused")
    newest = await client.post(REFRESH, json={"refreshToken": third["refreshToken"]})
    problem(newest, 401, "session_expired")
    assert (await client.get(ME, headers=bearer(third))).status_code == 401


async def test_a_lost_reply_retried_within_the_grace_window_gets_the_same_tokens(
    client: httpx.AsyncClient, clock: FakeClock, settings: Settings
) -> None:
    world = await build_world()
    first = await sign_in(client, world.member_a)
    rotated = (await client.post(REFRESH, json={"refreshToken": first["refreshToken"]})).json()
    clock.advance(timedelta(seconds=settings.refresh_grace_seconds - 1))
    retried = await client.post(REFRESH, json={"refreshToken": first["refreshToken"]})
    assert retried.status_code == 200
    assert retried.json()["refreshToken"] == rotated["refreshToken"]
    assert retried.json()["sessionId"] == rotated["sessionId"]
    assert (await client.get(ME, headers=bearer(retried.json()))).status_code == 200
    # one second later the same duplicate is reuse, and the session dies
    clock.advance(timedelta(seconds=1))
    late = await client.post(REFRESH, json={"refreshToken": first["refreshToken"]})
    problem(late, 401, "refresh_token_reused")
    gone = await client.post(REFRESH, json={"refreshToken": rotated["refreshToken"]})
    problem(gone, 401, "session_expired")


async def test_forged_or_malformed_refresh_tokens_are_invalid(client: httpx.AsyncClient) -> None:
    world = await build_world()
    tokens = await sign_in(client, world.member_a)
    session, generation, mac = tokens["refreshToken"].split(".")
    flipped = ("0" if mac[0] != "0" else "1") + mac[1:]
    for token in (f"{session}.{generation}.{flipped}", f"{session}.5.{mac}", "abc", "a.b.c"):
        reply = await client.post(REFRESH, json={"refreshToken": token})
        problem(reply, 401, "refresh_token_invalid")
    # none of that harmed the genuine session
    again = await client.post(REFRESH, json={"refreshToken": tokens["refreshToken"]})
    assert again.status_code == 200


async def test_refresh_after_the_session_lifetime_is_refused(
    client: httpx.AsyncClient, clock: FakeClock, settings: Settings
) -> None:
    world = await build_world()
    tokens = await sign_in(client, world.member_a)
    clock.advance(timedelta(days=settings.refresh_session_days))
    reply = await client.post(REFRESH, json={"refreshToken": tokens["refreshToken"]})
    problem(reply, 401, "session_expired")


async def test_logout_kills_the_access_and_refresh_token(client: httpx.AsyncClient) -> None:
    world = await build_world()
    tokens = await sign_in(client, world.member_a)
    assert (await client.post("/api/v1/auth/logout", headers=bearer(tokens))).status_code == 204
    problem(await client.get(ME, headers=bearer(tokens)), 401, "unauthenticated")
    reply = await client.post(REFRESH, json={"refreshToken": tokens["refreshToken"]})
    problem(reply, 401, "session_expired")


async def test_list_and_revoke_own_sessions(client: httpx.AsyncClient) -> None:
    world = await build_world()
    phone = await sign_in(client, world.secretary_a, "Điện thoại Samsung")
    tablet = await sign_in(client, world.secretary_a, "Máy tính bảng")
    other = await sign_in(client, world.member_a)
    listed = await client.get("/api/v1/auth/sessions", headers=bearer(phone))
    assert listed.status_code == 200
    sessions = {s["deviceName"]: s for s in listed.json()["items"]}
    assert set(sessions) == {"Điện thoại Samsung", "Máy tính bảng"}
    assert sessions["Điện thoại Samsung"]["current"] is True
    assert sessions["Máy tính bảng"]["current"] is False

    # someone else's session reads as missing
    foreign = await client.post(
        f"/api/v1/auth/sessions/{other['sessionId']}/revoke", headers=bearer(phone)
    )
    problem(foreign, 404, "session_not_found")
    assert (await client.get(ME, headers=bearer(other))).status_code == 200

    revoked = await client.post(
        f"/api/v1/auth/sessions/{tablet['sessionId']}/revoke", headers=bearer(phone)
    )
    assert revoked.status_code == 204
    assert (await client.get(ME, headers=bearer(tablet))).status_code == 401
    again = await client.post(
        f"/api/v1/auth/sessions/{tablet['sessionId']}/revoke", headers=bearer(phone)
    )
    problem(again, 404, "session_not_found")
    left = await client.get("/api/v1/auth/sessions", headers=bearer(phone))
    assert [s["deviceName"] for s in left.json()["items"]] == ["Điện thoại Samsung"]


async def test_change_password_signs_out_the_other_sessions(client: httpx.AsyncClient) -> None:
    world = await build_world()
    here = await sign_in(client, world.member_a)
    elsewhere = await sign_in(client, world.member_a)
    wrong = await client.post(
        "/api/v1/auth/password",
        json={"currentPassword": "khong-phai", "newPassword": "mat-khau-moi-2026"},
        headers=bearer(here),
    )
    problem(wrong, 422, "current_password_wrong")
    short = await client.post(
        "/api/v1/auth/password",
        json={"currentPassword": PASSWORD, "newPassword": "ngan"},
        headers=bearer(here),
    )
    problem(short, 422, "password_too_short")
    assert (await client.get(ME, headers=bearer(elsewhere))).status_code == 200

    changed = await client.post(
        "/api/v1/auth/password",
        json={"currentPassword": PASSWORD, "newPassword": "mat-khau-moi-2026"},
        headers=bearer(here),
    )
    assert changed.status_code == 204
    assert (await client.get(ME, headers=bearer(here))).status_code == 200
    assert (await client.get(ME, headers=bearer(elsewhere))).status_code == 401
    refresh = await client.post(REFRESH, json={"refreshToken": elsewhere["refreshToken"]})
    problem(refresh, 401, "session_expired")
    old = await client.post(LOGIN, json={"phone": world.member_a.phone, "password": PASSWORD})
    problem(old, 401, "invalid_credentials")
    await login(client, world.member_a, "mat-khau-moi-2026")


async def _wrong(caller: httpx.AsyncClient, person: Person) -> httpx.Response:
    return await caller.post(LOGIN, json={"phone": person.phone, "password": "sai-mat-khau"})


async def test_failures_from_one_address_wait_longer_each_time_then_clear_on_success(
    db: Database, clock: FakeClock, settings: Settings
) -> None:
    world = await build_world()
    free = settings.login_policy.free_failures_per_client
    async with clients_from(db, clock, settings, "10.1.0.1") as (caller,):
        for _ in range(free):
            assert (await _wrong(caller, world.member_a)).status_code == 401
        # even the right password waits now: its check would tell a guesser the answer
        held = await caller.post(
            LOGIN,
            json={"phone": world.member_a.phone, "password": PASSWORD},
            headers={"Accept-Language": "en"},
        )
        body = problem(held, 429, "too_many_login_attempts")
        assert body["title"] == "Too many failed logins, please try again later"
        assert held.headers["retry-after"] == "1"
        for wait in (1, 2, 4, 8):
            clock.advance(timedelta(seconds=wait))
            assert (await _wrong(caller, world.member_a)).status_code == 401
            held = await _wrong(caller, world.member_a)
            problem(held, 429, "too_many_login_attempts")
            assert held.headers["retry-after"] == str(2 * wait)
        clock.advance(timedelta(seconds=16))
        await login(caller, world.member_a)
        # the success cleared this address's count: typos are free again
        for _ in range(free):
            assert (await _wrong(caller, world.member_a)).status_code == 401


async def test_strangers_slow_an_account_down_but_never_lock_its_owner_out(
    db: Database, clock: FakeClock, settings: Settings
) -> None:
    world = await build_world()
    policy = settings.login_policy
    addresses = policy.free_failures_per_account // policy.free_failures_per_client
    hosts = [f"10.3.0.{i}" for i in range(addresses)]
    async with clients_from(db, clock, settings, *hosts, "10.3.9.9") as clients:
        *strangers, owner = clients
        kept = await sign_in(owner, world.member_a)  # the owner's phone, logged in before
        for stranger in strangers:
            for _ in range(policy.free_failures_per_client):
                assert (await _wrong(stranger, world.member_a)).status_code == 401
        # the account as a whole has had its free failures: a short wait, not a lock
        held = await owner.post(LOGIN, json={"phone": world.member_a.phone, "password": PASSWORD})
        problem(held, 429, "too_many_login_attempts")
        assert held.headers["retry-after"] == str(policy.first_delay_seconds)
        # the phone that holds a session never notices
        assert (await owner.get(ME, headers=bearer(kept))).status_code == 200
        refreshed = await owner.post(REFRESH, json={"refreshToken": kept["refreshToken"]})
        assert refreshed.status_code == 200
        clock.advance(timedelta(seconds=policy.first_delay_seconds))
        await login(owner, world.member_a)
        # other accounts were never affected
        await login(strangers[0], world.secretary_a)


async def test_neighbours_behind_one_address_do_not_slow_each_other(
    db: Database, clock: FakeClock, settings: Settings
) -> None:
    world = await build_world()
    async with clients_from(db, clock, settings, "10.2.0.1") as (carrier_nat,):
        for i in range(3 * settings.login_policy.free_failures_per_account):
            reply = await carrier_nat.post(
                LOGIN, json={"phone": f"+849120000{i:02d}", "password": "x"}
            )
            assert reply.status_code == 401
        await login(carrier_nat, world.member_a)


async def test_disabled_person_cannot_log_in_or_refresh(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = bearer(await sign_in(client, world.admin))
    member = await sign_in(client, world.member_a)
    disabled = await client.post(f"/api/v1/people/{world.member_a.id}/deactivate", headers=admin)
    assert disabled.status_code == 200
    assert disabled.json()["active"] is False

    assert (await client.get(ME, headers=bearer(member))).status_code == 401
    # the deactivation revoked the session itself
    refresh = await client.post(REFRESH, json={"refreshToken": member["refreshToken"]})
    problem(refresh, 401, "session_expired")
    relogin = await client.post(LOGIN, json={"phone": world.member_a.phone, "password": PASSWORD})
    problem(relogin, 401, "invalid_credentials")

    # enabled again: the old tokens stay dead, a new login works
    assert (
        await client.post(f"/api/v1/people/{world.member_a.id}/activate", headers=admin)
    ).status_code == 200
    problem(await client.get(ME, headers=bearer(member)), 401, "unauthenticated")
    refresh = await client.post(REFRESH, json={"refreshToken": member["refreshToken"]})
    problem(refresh, 401, "session_expired")
    await login(client, world.member_a)


async def test_forged_or_expired_access_tokens_are_refused(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    world = await build_world()
    tokens = await sign_in(client, world.member_a)
    access = tokens["accessToken"]
    claims = jwt.decode(access, options={"verify_signature": False})
    head, body, mac = access.split(".")
    flipped = ("A" if mac[0] != "A" else "B") + mac[1:]
    expired = {**claims, "exp": claims["iat"] - 1}
    for token in (
        f"{head}.{body}.{flipped}",
        f"{head}.{body}",
        jwt.encode(claims, "another secret, as long as the app's own", algorithm="HS256"),
        jwt.encode(claims, "", algorithm="none"),
        jwt.encode(expired, settings.secret_key, algorithm="HS256"),
    ):
        reply = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 401, (token, reply.text)
    # the same claims signed with the app's secret pass: the refusals above were the forgeries'
    genuine = jwt.encode(claims, settings.secret_key, algorithm="HS256")
    assert (await client.get(ME, headers={"Authorization": f"Bearer {genuine}"})).status_code == 200
