from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import httpx

from chibo.settings import Settings
from db.tables import UnitTable
from tests.factories import build_world, login
from tests.fakes import FakeClock


async def _admin(client: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    world = await build_world()
    return await login(client, world.admin), str(world.ward1.id)


async def test_replay_returns_the_first_reply_and_writes_once(client: httpx.AsyncClient) -> None:
    headers, ward = await _admin(client)
    body = {"parentId": ward, "name": "Chi bộ số 9", "level": "cell", "isCell": True}
    headers = {**headers, "Idempotency-Key": "offline-create-0001"}
    first = await client.post("/api/v1/units", json=body, headers=headers)
    again = await client.post("/api/v1/units", json=body, headers=headers)
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await UnitTable.count().where(UnitTable.name == "Chi bộ số 9") == 1


async def test_same_key_other_body_is_refused(client: httpx.AsyncClient) -> None:
    headers, ward = await _admin(client)
    headers = {**headers, "Idempotency-Key": "offline-create-0002"}
    body = {"parentId": ward, "name": "Chi bộ A", "level": "cell"}
    assert (await client.post("/api/v1/units", json=body, headers=headers)).status_code == 201
    other = await client.post("/api/v1/units", json={**body, "name": "Chi bộ B"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert await UnitTable.count().where(UnitTable.name == "Chi bộ B") == 0


async def test_an_error_reply_is_kept_and_replayed(client: httpx.AsyncClient) -> None:
    headers, ward = await _admin(client)
    headers = {**headers, "Idempotency-Key": "offline-create-0003"}
    body = {"parentId": ward, "name": "Chi bộ C", "level": "cell", "id": str(uuid4())}
    assert (await client.post("/api/v1/units", json=body, headers=headers)).status_code == 201
    again = {**headers, "Idempotency-Key": "offline-create-0004"}
    first = await client.post("/api/v1/units", json=body, headers=again)
    assert (first.status_code, first.json()["code"]) == (409, "id_conflict")
    replayed = await client.post("/api/v1/units", json=body, headers=again)
    assert replayed.headers["idempotent-replayed"] == "true"
    assert (replayed.status_code, replayed.json()) == (409, first.json())
    assert await UnitTable.count().where(UnitTable.name == "Chi bộ C") == 1


async def test_a_key_past_its_lifetime_starts_afresh(
    client: httpx.AsyncClient, clock: FakeClock, settings: Settings
) -> None:
    world = await build_world()
    key = {"Idempotency-Key": "offline-create-0005"}
    body = {"parentId": str(world.ward1.id), "name": "Chi bộ E", "level": "cell"}
    other = {**body, "name": "Chi bộ F"}
    headers = {**await login(client, world.admin), **key}
    assert (await client.post("/api/v1/units", json=body, headers=headers)).status_code == 201
    clock.advance(settings.idempotency_key_lifetime - timedelta(minutes=1))
    headers = {**await login(client, world.admin), **key}
    remembered = await client.post("/api/v1/units", json=other, headers=headers)
    assert remembered.json()["code"] == "idempotency_key_reused"
    clock.advance(timedelta(minutes=1))  # the key's lifetime is over, its row not yet deleted
    fresh = await client.post("/api/v1/units", json=other, headers=headers)
    assert fresh.status_code == 201
    assert "idempotent-replayed" not in fresh.headers
    again = await client.post("/api/v1/units", json=other, headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == fresh.json()


async def test_malformed_key_is_refused_and_nothing_written(client: httpx.AsyncClient) -> None:
    headers, ward = await _admin(client)
    reply = await client.post(
        "/api/v1/units",
        json={"parentId": ward, "name": "Chi bộ D", "level": "cell"},
        headers={**headers, "Idempotency-Key": "bad key"},
    )
    assert reply.status_code == 422
    assert reply.json()["code"] == "idempotency_key_invalid"
    assert await UnitTable.count().where(UnitTable.name == "Chi bộ D") == 0
