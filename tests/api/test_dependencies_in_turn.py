"""Every handler's dependencies are resolved one at a time (api/app.py:
resolve_dependencies_in_turn), not in a task group per request; a Litestar upgrade that renames
what this relies on fails here."""

from __future__ import annotations

import httpx
from litestar.routes import HTTPRoute

from tests.factories import build_world, login


async def test_no_handler_resolves_two_dependencies_at_once(client: httpx.AsyncClient) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    models = [
        model
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for _, model in route.route_handler_map.values()
    ]
    assert any(len(model.dependency_batches) > 1 for model in models)
    assert all(len(batch) == 1 for model in models for batch in model.dependency_batches)
    world = await build_world()
    headers = await login(client, world.secretary_a)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
