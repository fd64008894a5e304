"""``POST /api/v1/sync/push``: a phone's offline writes, one result per mutation, in order.

Each mutation runs as its REST operation (api/sync/inner.py), in its own transaction, keyed by its
mutation id exactly like an ``Idempotency-Key`` (api/http/idempotency.py): a replay answers the
first result, the same id with another body is rejected ``idempotency_key_reused``, and a
mutation that fails never holds back the ones after it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec

from api.sync.inner import InnerClient, Reply
from api.sync.schemas import (
    PushOperation,
    PushStatus,
    SyncItemOut,
    SyncMutationIn,
    SyncResultOut,
)

# the REST read that shows a mutation's object, for a conflict's current version
MEETING_CHANGES = (
    PushOperation.MOVE_MEETING,
    PushOperation.CANCEL_MEETING,
    PushOperation.PUBLISH_MEETING_NOTICE,
    PushOperation.LOG_MEETING,
    PushOperation.MARK_ATTENDANCE,
    PushOperation.FINALIZE_MINUTES,
    PushOperation.CHECK_IN,
    PushOperation.CONFIRM_LEADER_VISIT,
)
TASK_CHANGES = (
    PushOperation.START_TASK,
    PushOperation.SUBMIT_TASK,
    PushOperation.RETURN_TASK,
    PushOperation.CLOSE_TASK,
    PushOperation.REOPEN_TASK,
    PushOperation.COMMENT_ON_TASK,
)
INSPECTION_CHANGES = (
    PushOperation.CHECK_IN_INSPECTION,
    PushOperation.ANSWER_CHECKLIST_ITEM,
    PushOperation.ADD_FINDING,
)
# the REST read that shows a mutation's object, for a conflict's current version (None: creates)
READ_OF: dict[PushOperation, str | None] = {
    PushOperation.CREATE_MEETING: None,
    PushOperation.CREATE_TASK: None,
    PushOperation.RECORD_PETITION: None,
    **dict.fromkeys(MEETING_CHANGES, "GetMeeting"),
    **dict.fromkeys(TASK_CHANGES, "GetTask"),
    **dict.fromkeys(INSPECTION_CHANGES, "GetInspection"),
}
STALE = 412
IN_FLIGHT = "idempotency_request_in_flight"
RETRY_LATER = 429
SERVER_ERROR = 500
IN_FLIGHT_WAITS = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0)  # seconds; then the mutation is deferred


class Pusher:
    async def push(
        self, client: InnerClient, mutations: list[SyncMutationIn]
    ) -> list[SyncResultOut]:
        return [await self._one(client, m) for m in mutations]

    async def _one(self, client: InnerClient, mutation: SyncMutationIn) -> SyncResultOut:
        operation = client.operation(mutation.operation)
        url = operation.url(mutation.params)
        if url is None:
            problem = {"status": 422, "code": "validation_failed", "detail": "params"}
            return _result(mutation, PushStatus.REJECTED, problem=problem)
        body = b"" if mutation.body is None else msgspec.json.encode(mutation.body)
        headers = [("idempotency-key", mutation.mutation_id)]
        if mutation.base_version is not None:
            headers.append(("if-match", f'"{mutation.base_version}"'))
        reply = await self._run(client, operation.method, url, body, tuple(headers))
        if reply.ok:
            return _result(mutation, PushStatus.APPLIED, version=reply.version(), data=reply.json())
        problem = reply.json()
        if reply.status == STALE:
            return await self._conflict(client, mutation, problem)
        if reply.status == RETRY_LATER or reply.status >= SERVER_ERROR or _in_flight(reply):
            return _result(mutation, PushStatus.DEFERRED, problem=problem)
        return _result(mutation, PushStatus.REJECTED, problem=problem)

    async def _run(
        self,
        client: InnerClient,
        method: str,
        url: str,
        body: bytes,
        headers: tuple[tuple[str, str], ...],
    ) -> Reply:
        """The mutation; while a replay of it runs elsewhere (PostgreSQL), wait for its result."""
        reply = await client.call(method, url, body=body, headers=headers, keyed=True)
        for wait in IN_FLIGHT_WAITS:
            if not _in_flight(reply):
                break
            await asyncio.sleep(wait)
            reply = await client.call(method, url, body=body, headers=headers, keyed=True)
        return reply

    async def _conflict(
        self,
        client: InnerClient,
        mutation: SyncMutationIn,
        problem: Any,  # noqa: ANN401
    ) -> SyncResultOut:
        """The server's version, only if the caller may still read the object."""
        read = READ_OF[mutation.operation]
        url = client.operation(read).url(mutation.params) if read else None
        current = await client.call("GET", url) if url else None
        if current is None or not current.ok:
            gone = current.json() if current is not None else problem
            return _result(mutation, PushStatus.REJECTED, problem=gone)
        data = current.json()
        item = SyncItemOut(id=data["id"], version=current.version(), data=data)
        return _result(mutation, PushStatus.CONFLICT, current=item, problem=problem)


def _in_flight(reply: Reply) -> bool:
    body = reply.json() if reply.status == 409 else None  # noqa: PLR2004
    return isinstance(body, dict) and body.get("code") == IN_FLIGHT


def _result(mutation: SyncMutationIn, status: PushStatus, **fields: Any) -> SyncResultOut:  # noqa: ANN401
    return SyncResultOut(mutation_id=mutation.mutation_id, status=status, **fields)
