"""Offline sync for phones: pull what changed in the caller's view, push offline writes."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api.http.errors import problems
from api.sync.inner import InnerClient
from api.sync.pull import Puller
from api.sync.push import Pusher
from api.sync.schemas import SyncCursorParam, SyncLimit, SyncPullOut, SyncPushIn, SyncPushOut
from domain.actors import Actor

PULL_DESCRIPTION = """What changed in the caller's view since `cursor`, per kind of object:
`upserted` objects exactly as their REST read answers them (`GetMeeting`, `GetTask`, …; a
meeting carries its attendance sheet) and `removed` ids, gone from the caller's view for whatever
reason (deleted, moved away, hidden again: they read the same). Without `cursor`, or when the
caller's grants, cells or the unit tree changed since it was made, the reply has `reset: true`:
drop every synced object (keep unpushed mutations), then apply the pages. Pull again with the
returned `cursor` while `hasMore` is true. Apply a page in one local transaction; keep the
highest `version` of each object. A cursor this server did not hand to this caller answers 400
`sync_cursor_invalid`."""

PUSH_DESCRIPTION = """Offline writes, answered one result per mutation, in order. Each runs as
its REST `operation` (same checks, same problem codes) in its own transaction: `params` are its
path parameters, `body` its request body, `baseVersion` its If-Match. `mutationId` is its
Idempotency-Key: a replay answers the first result. `applied`: `version` and `data` are the
operation's reply. `conflict`: the object changed; `current` is the server's version (only if the
caller may still read it). `rejected`: `problem` is the operation's problem; final, do not retry.
`deferred`: transient (database busy, the same mutation running elsewhere); retry later. A
failing mutation never holds back the ones after it. Send no Idempotency-Key header on the push
itself."""


class SyncController(Controller):
    path = "/api/v1/sync"
    tags = ["sync"]

    @get(
        "/pull",
        operation_id="SyncPull",
        description=PULL_DESCRIPTION,
        responses=problems(401, 422),
    )
    async def pull(
        self,
        request: Request[Actor, Any, Any],
        actor: NamedDependency[Actor],
        sync_puller: NamedDependency[Puller],
        cursor: SyncCursorParam = None,
        limit: SyncLimit = 500,
    ) -> SyncPullOut:
        return await sync_puller.pull(InnerClient(request), actor, cursor, limit)

    @post(
        "/push",
        operation_id="SyncPush",
        status_code=200,
        description=PUSH_DESCRIPTION,
        responses=problems(401, 413, 422),
    )
    async def push(
        self,
        request: Request[Actor, Any, Any],
        data: JSONBody[SyncPushIn],
        sync_pusher: NamedDependency[Pusher],
    ) -> SyncPushOut:
        return SyncPushOut(results=await sync_pusher.push(InnerClient(request), data.mutations))
