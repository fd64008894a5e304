from __future__ import annotations

import httpx

from tests.factories import build_world, login


async def test_me_lists_grants_cells_and_followed_units(client: httpx.AsyncClient) -> None:
    world = await build_world()
    headers = await login(client, world.leader_1)
    reply = await client.get("/api/v1/me", headers=headers)
    assert reply.status_code == 200
    body = reply.json()
    assert body["person"]["fullName"] == "Vũ Đức Minh"
    assert [g["role"] for g in body["grants"]] == ["leader"]
    assert [f["cellName"] for f in body["followed"]] == ["Chi bộ khu dân cư số 1"]


async def test_secretary_of_other_cell_gets_404_for_unit(client: httpx.AsyncClient) -> None:
    world = await build_world()
    headers = await login(client, world.secretary_b)
    reply = await client.get(f"/api/v1/units/{world.cell_a.id}", headers=headers)
    assert reply.status_code == 404
    assert reply.json()["code"] == "unit_not_found"
    assert reply.headers["content-type"].startswith("application/problem+json")
