"""The sync calls the sync tests share: a pull, pulling until caught up, and the phone's store
that applies pages the way the README tells the mobile team to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.api.helpers import Headers

PULL = "/api/v1/sync/pull"
PUSH = "/api/v1/sync/push"


async def pull(
    client: httpx.AsyncClient, headers: Headers, cursor: str | None = None, limit: int = 500
) -> dict[str, Any]:
    params: dict[str, str | int] = {"limit": limit}
    if cursor is not None:
        params["cursor"] = cursor
    reply = await client.get(PULL, params=params, headers=headers)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


@dataclass
class Store:
    """A phone's synced objects: kind -> id -> (version, data)."""

    cursor: str | None = None
    objects: dict[str, dict[str, tuple[int | None, Any]]] = field(default_factory=dict)

    def apply(self, page: dict[str, Any]) -> None:
        if page["reset"]:
            self.objects.clear()
        for kind, changes in page["changes"].items():
            held = self.objects.setdefault(kind, {})
            for item in changes["upserted"]:
                known = held.get(item["id"])
                if known is None or known[0] is None or (item["version"] or 0) >= known[0]:
                    held[item["id"]] = (item["version"], item["data"])
            for removed in changes["removed"]:
                held.pop(removed, None)
        self.objects = {k: v for k, v in self.objects.items() if v}
        self.cursor = page["cursor"]

    async def sync(self, client: httpx.AsyncClient, headers: Headers, limit: int = 500) -> int:
        """Pull until caught up; the number of requests."""
        requests = 0
        while True:
            page = await pull(client, headers, self.cursor, limit)
            self.apply(page)
            requests += 1
            if not page["hasMore"]:
                return requests

    def ids(self, kind: str) -> set[str]:
        return set(self.objects.get(kind, {}))
