"""The dialogue endpoints and the calls their tests share: an announced dialogue, a question."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.api.helpers import Headers, if_match
from tests.factories import World
from tests.fakes import START

DIALOGUES = "/api/v1/dialogues"
ASKER = "Ông Trần Văn Hỏi"
CHAIRS = [
    {"role": "Bí thư Đảng ủy phường", "name": "Vũ Đức Minh"},
    {"role": "Chủ tịch UBND phường", "name": "Ngô Thị Thu"},
]


async def announce(
    client: httpx.AsyncClient,
    headers: Headers,
    world: World,
    starts_at: datetime = START + timedelta(days=8),
    **extra: Any,
) -> dict[str, Any]:
    reply = await client.post(
        DIALOGUES,
        json={
            "wardId": str(world.ward1.id),
            "title": "Đối thoại về trật tự đô thị năm 2026",
            "kind": "periodic",
            "format": "both",
            "place": "Hội trường phường Ba Đình",
            "startsAt": starts_at.isoformat(),
            "cellIds": [str(world.cell_a.id)],
            "coChairs": CHAIRS,
            **extra,
        },
        headers=headers,
    )
    assert reply.status_code == 201, reply.text
    body: dict[str, Any] = reply.json()
    return body


async def change(
    client: httpx.AsyncClient,
    headers: Headers,
    dialogue: dict[str, Any],
    step: str,
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    """POST ``step`` of the dialogue (``questions``, ``questions/<id>/answer`` …) on its
    current version."""
    return await client.post(
        f"{DIALOGUES}/{dialogue['id']}/{step}",
        json=body or {},
        headers=if_match(headers, dialogue["version"]),
    )


async def changed(
    client: httpx.AsyncClient,
    headers: Headers,
    dialogue: dict[str, Any],
    step: str,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    reply = await change(client, headers, dialogue, step, body)
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found
