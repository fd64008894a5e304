"""``GET /api/v1/sync/pull``: what changed in the caller's view since the cursor.

The change log says which objects changed in the units of the caller's scope; each of them is
then read through its REST operation as the caller (api/sync/inner.py), so a pull hands out
exactly what a GET would, at that moment. What the caller may not read is not listed, unless this
phone's view holds it: then it is "removed", without saying why or where it went. The objects a
view holds are kept per view (``sync_delivered``); a change of the caller's grants, cells or the
unit tree starts a new view (``reset``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from api.sync.cursor import CursorCodec
from api.sync.inner import InnerClient
from api.sync.schemas import SyncEntityOut, SyncItemOut, SyncPullOut
from db.engine import Database
from db.repositories.sync import SyncLog
from domain.actors import Actor
from domain.ports import Clock
from domain.sync.model import (
    START,
    Change,
    SyncCursor,
    first_view,
    scope_digest,
    view_scopes,
)

# log entity -> (key of the reply's ``changes``, the REST read)
READS = {
    "unit": ("units", "GetUnit"),
    "person": ("people", "GetPerson"),
    "membership": ("memberships", "GetMembership"),
    "leader_assignment": ("leaderAssignments", "GetLeaderAssignment"),
    "meeting": ("meetings", "GetMeeting"),
    "leader_visits": ("leaderVisits", "ListLeaderVisits"),
    "task": ("tasks", "GetTask"),
    "task_comments": ("taskComments", "ListTaskComments"),
    "inspection": ("inspections", "GetInspection"),
    "petition": ("petitions", "GetPetition"),
    "attachment": ("attachments", "GetAttachment"),
    "notification": ("notifications", "GetMyNotification"),
}
BATCH = 200
SERVER_ERROR = 500


@dataclass
class _Page:
    limit: int
    count: int = 0
    seen: set[tuple[str, UUID]] = field(default_factory=set)
    changes: dict[str, SyncEntityOut] = field(default_factory=dict)

    def entity(self, entity: str) -> SyncEntityOut:
        key = READS[entity][0]
        if key not in self.changes:
            self.changes[key] = SyncEntityOut(upserted=[], removed=[])
        return self.changes[key]


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What one object does to the page: an upsert, a removal, or nothing (None)."""

    item: SyncItemOut | None
    removed: bool


class Puller:
    def __init__(
        self,
        database: Database,
        log: SyncLog,
        codec: CursorCodec,
        clock: Clock,
    ) -> None:
        self.database = database
        self.log = log
        self.codec = codec
        self.clock = clock

    async def pull(
        self, client: InnerClient, actor: Actor, token: str | None, limit: int
    ) -> SyncPullOut:
        before = self.codec.read(token, actor.person_id) if token else None
        now = self.clock.now()
        scopes = view_scopes(actor)
        async with self.database.atomic():
            epoch, floor = await self.log.state()
            scope = scope_digest(actor, epoch)
            page = _Page(limit)
            # a cursor below the compaction floor may have missed a removal: start over
            reset = before is None or before.scope != scope or before.position < floor
            if before is None or reset:
                view, position = first_view(actor, scope), START
                await self.log.forget_view(view)
            else:
                view, position = before.view, before.position
                for inspection in await self.log.revealed(scopes, before.at, now):
                    await self._apply(page, view, "inspection", inspection, client)
            horizon = await self.log.horizon()
            has_more = False
            while not has_more:
                batch = await self.log.changes(scopes, actor.person_id, position, horizon, BATCH)
                for change in batch:
                    if not await self._take(page, view, change, client):
                        has_more = True
                        break
                    position = change.position
                if len(batch) < BATCH:
                    break
            if not has_more:  # caught up: nothing of the caller's lies before the log's end
                end = await self.log.settled_end(horizon)
                position = max(position, end or position)
        cursor = self.codec.write(SyncCursor(actor.person_id, view, scope, position, now))
        return SyncPullOut(cursor=cursor, has_more=has_more, reset=reset, changes=page.changes)

    async def _take(self, page: _Page, view: UUID, change: Change, client: InnerClient) -> bool:
        """Apply one change to the page; False when it would say something and the page is full
        (so that a full page followed only by what the caller may not see says "no more")."""
        key = (change.entity, change.entity_id)
        if key in page.seen:
            return True
        outcome = await self._outcome(view, change.entity, change.entity_id, client)
        if (outcome.item is not None or outcome.removed) and page.count >= page.limit:
            return False
        await self._record(page, view, change.entity, change.entity_id, outcome)
        return True

    async def _apply(
        self, page: _Page, view: UUID, entity: str, entity_id: UUID, client: InnerClient
    ) -> None:
        if (entity, entity_id) not in page.seen:
            outcome = await self._outcome(view, entity, entity_id, client)
            await self._record(page, view, entity, entity_id, outcome)

    async def _outcome(
        self, view: UUID, entity: str, entity_id: UUID, client: InnerClient
    ) -> _Outcome:
        read = client.operation(READS[entity][1])
        url = read.url({name: str(entity_id) for name in read.parameters()})
        reply = await client.call("GET", url or "/")
        if reply.ok:
            item = SyncItemOut(id=entity_id, version=reply.version(), data=reply.json())
            return _Outcome(item, removed=False)
        if reply.status >= SERVER_ERROR:  # the database went away: the whole pull is retried
            msg = f"sync read of {entity} answered {reply.status}"
            raise RuntimeError(msg)
        # 404 (missing, out of scope, sealed) or 403: not in the caller's view
        return _Outcome(None, removed=await self.log.holds(view, entity, entity_id))

    async def _record(
        self, page: _Page, view: UUID, entity: str, entity_id: UUID, outcome: _Outcome
    ) -> None:
        page.seen.add((entity, entity_id))
        if outcome.item is not None:
            page.entity(entity).upserted.append(outcome.item)
            await self.log.hand(view, entity, entity_id)
            page.count += 1
        elif outcome.removed:
            page.entity(entity).removed.append(entity_id)
            await self.log.take_back(view, entity, entity_id)
            page.count += 1
