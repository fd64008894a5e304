"""The real app plus twins of the scoped people list, for ``uvicorn bench.app:app``.

Each twin gives the same reply (``PageOut[PersonOut]``, byte for byte) to the same caller from the
same SQL as ``GET /api/v1/people?unitId=…&limit=…`` — the actor from the token's session and its
grants, the unit, one page of people — but reaches the database another way:

- ``/bench/raw/people``: the raw driver for every query (asyncpg pool, or one persistent aiosqlite
  connection per worker); the token checked in the handler. The baseline of the 0.6x goal.
- ``/bench/raw-sync/people`` (SQLite only): the same on one plain ``sqlite3`` connection used on
  the event loop, without aiosqlite's thread hops.
- ``/bench/raw-query/people``: the app's own authentication (Piccolo), then the unit and the page
  through the raw driver: splits the cost between authentication and the list.
- ``/bench/engine-sql/people``: the same hand-written SQL run by the app's Piccolo engine
  (``run_querystring``), skipping only Piccolo's query builder.

And a twin of ``PUT /api/v1/meetings/{id}/record`` (LogMeeting), the issue-3 baseline:

- ``/bench/raw/meetings/{id}/record``: the same JSON in (``RecordIn``), the same If-Match, token
  and grant checks, the same domain rules (``Meeting.mark``/``log``), the same transaction —
  read the meeting and its sheet, update the meeting row (only if still at the version read),
  replace its attendance rows (one DELETE, one multi-row INSERT), one audit row with the
  before/after snapshots — and the same reply (``MeetingOut`` + ETag), on the raw driver: one
  asyncpg pool per worker, or on SQLite one persistent aiosqlite writer connection behind an
  asyncio lock with ``BEGIN IMMEDIATE`` (a single writer is SQLite's design; the app's engine
  does the same).

Nothing here is part of the product: it exists only for ``python -m bench.run``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Protocol, cast
from uuid import UUID, uuid4

import aiosqlite
import asyncpg
import orjson
from litestar import Litestar, Request, Response, get, put
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.security.jwt import Token
from piccolo.querystring import QueryString

from api.http.etag import IfMatch, expected_version, tagged
from api.http.schemas import Limit, PageOut
from api.meetings.schemas import MeetingOut, RecordIn
from api.org.schemas import PersonOut
from chibo.bootstrap import build_app
from chibo.settings import Settings
from db.engine import Database, Timeouts
from db.pagination import encode_cursor
from db.repositories.meetings import _attendance, _meeting
from db.repositories.org import person_from_row
from domain.actors import Actor, Grant, Permission, Role
from domain.errors import NotFoundError, StaleVersionError
from domain.meetings.access import audit_state  # the audit snapshot the app takes
from domain.meetings.model import Meeting, MeetingPolicy, attendance_sheet, meeting_day
from domain.org.model import MembershipKind

Row = Mapping[str, Any]
Fetch = Callable[[str, Sequence[Any]], Awaitable[Sequence[Row]]]

# The SQL Piccolo sends for the same request (db/repositories/auth.py load_actor,
# db/repositories/org.py get_unit and list_people), "{}" where an argument goes.
LIVE_SESSION_SQL = (
    'SELECT EXISTS(SELECT "device_session"."id" FROM "device_session"'
    ' LEFT JOIN "person" "device_session$person"'
    ' ON ("device_session"."person" = "device_session$person"."id")'
    ' WHERE "device_session"."id" = {} AND "device_session"."person" = {}'
    ' AND "device_session"."revoked_at" IS NULL AND "device_session$person"."active" = {})'
    ' AS "exists"'
)
GRANTS_SQL = (
    'SELECT "role_grant"."role", "role_grant"."unit", "role_grant$unit"."path" AS "unit_path"'
    ' FROM "role_grant" LEFT JOIN "unit" "role_grant$unit"'
    ' ON ("role_grant"."unit" = "role_grant$unit"."id")'
    ' WHERE "role_grant"."person" = {} AND "role_grant"."revoked_at" IS NULL'
    ' AND "role_grant$unit"."active" = {}'
)
UNIT_SQL = (
    'SELECT "unit"."id", "unit"."parent", "unit"."path", "unit"."name", "unit"."level",'
    ' "unit"."is_cell", "unit"."active", "unit"."created_at", "unit"."updated_at",'
    ' "unit"."version" FROM "unit" WHERE "unit"."id" = {} LIMIT 1'
)
PEOPLE_SELECT = (
    'SELECT "person"."id", "person"."home_unit", "person"."full_name", "person"."phone",'
    ' "person"."email", "person"."locale", "person"."active", "person"."created_at",'
    ' "person"."updated_at", "person"."version", "person$home_unit"."path" AS "home_unit_path"'
    ' FROM "person" LEFT JOIN "unit" "person$home_unit"'
    ' ON ("person"."home_unit" = "person$home_unit"."id") WHERE ('
)
PEOPLE_SCOPE = '"person$home_unit"."path" LIKE {}'
PEOPLE_REST = (
    ') AND "person$home_unit"."path" LIKE {}'
    ' ORDER BY "person"."created_at" ASC, "person"."id" ASC LIMIT {}'
)


# The meeting log (db/repositories/meetings.py get, roster_on, save; db/repositories/audit.py).
MEETING_SQL = (
    'SELECT "meeting".*, "meeting$cell"."path" AS "cell_path" FROM "meeting"'
    ' LEFT JOIN "unit" "meeting$cell" ON ("meeting"."cell" = "meeting$cell"."id")'
    ' WHERE "meeting"."id" = {}'
)
SHEET_SQL = (
    'SELECT "person", "full_name", "membership_kind", "status", "reason", "checked_in_at"'
    ' FROM "attendance" WHERE "meeting" = {} ORDER BY "position"'
)
ROSTER_SQL = (
    'SELECT "membership"."person", "person"."full_name", "membership"."kind",'
    ' "membership"."exempt", "membership"."exempt_resolution_date" FROM "membership"'
    ' JOIN "person" ON ("membership"."person" = "person"."id")'
    ' WHERE "membership"."cell" = {} AND "membership"."joined_on" <= {}'
    ' AND ("membership"."left_on" IS NULL OR "membership"."left_on" > {})'
)
LOGGED_SQL = (
    'UPDATE "meeting" SET "status" = {}, "actual_start" = {}, "actual_end" = {}, "chair" = {},'
    ' "minute_taker" = {}, "minutes_text" = {}, "resolutions" = {}, "logged_at" = {},'
    ' "updated_at" = {}, "version" = {} WHERE "id" = {} AND "version" = {} RETURNING "id"'
)
VERSION_SQL = 'SELECT "version" FROM "meeting" WHERE "id" = {}'
CLEAR_SHEET_SQL = 'DELETE FROM "attendance" WHERE "meeting" = {}'
SHEET_COLUMNS = (
    '"id", "meeting", "person", "position", "full_name", "membership_kind", "status", "reason",'
    ' "checked_in_at"'
)
AUDIT_SQL = (
    'INSERT INTO "audit_event" ("id", "at", "actor", "action", "object_type", "object_id",'
    ' "unit_path", "before", "after", "request_id", "created_at")'
    " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)


@cache
def _sheet_insert(rows: int) -> str:
    one = "(" + ", ".join(["{}"] * 9) + ")"
    values = ", ".join([one] * rows)
    return f'INSERT INTO "attendance" ({SHEET_COLUMNS}) VALUES {values}'  # noqa: S608 - no input


@cache
def _numbered(sql: str) -> str:
    """PostgreSQL's ``$1, $2 …`` for the ``{}`` placeholders."""
    parts = sql.split("{}")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], 1)) + parts[-1]


@cache
def _question_marks(sql: str) -> str:
    return sql.replace("{}", "?")


class Transaction(Protocol):
    async def fetch(self, sql: str, args: Sequence[Any]) -> Sequence[Row]: ...


class _PostgresTransaction:
    def __init__(self, connection: Any) -> None:  # noqa: ANN401 - asyncpg's pooled connection
        self.connection = connection

    async def fetch(self, sql: str, args: Sequence[Any]) -> Sequence[Row]:
        rows: Sequence[Row] = await self.connection.fetch(_numbered(sql), *args)
        return rows


class _SQLiteTransaction:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection

    async def fetch(self, sql: str, args: Sequence[Any]) -> Sequence[Row]:
        async with self.connection.execute(_question_marks(sql), args) as cursor:
            return list(await cursor.fetchall())  # type: ignore[arg-type]


class RawDriver:
    """The driver without Piccolo: an asyncpg pool (PostgreSQL), or one persistent aiosqlite and
    one sqlite3 connection for reads and one aiosqlite writer connection (SQLite), per worker,
    opened at start-up."""

    def __init__(self, url: str) -> None:
        self.postgres = not url.startswith("sqlite")
        self.url = url
        self._pool: Any = None
        self._aio: aiosqlite.Connection | None = None
        self._sync: sqlite3.Connection | None = None
        self._writer: aiosqlite.Connection | None = None
        self._writer_lock = asyncio.Lock()

    async def open(self) -> None:
        if self.postgres:
            self._pool = await asyncpg.create_pool(self.url, min_size=2, max_size=20)
            return
        path = self.url.removeprefix("sqlite:///")
        # PARSE_DECLTYPES: the same conversions (UUID, TIMESTAMPTZ …) Piccolo registers globally.
        self._aio = await aiosqlite.connect(path, detect_types=sqlite3.PARSE_DECLTYPES)
        self._aio.row_factory = sqlite3.Row
        self._sync = sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES)
        self._sync.row_factory = sqlite3.Row
        # The writer: like the app's engine (WAL is already on the file), but transactions are
        # begun and ended here by hand (isolation_level=None).
        self._writer = await aiosqlite.connect(
            path,
            detect_types=sqlite3.PARSE_DECLTYPES,
            isolation_level=None,
            timeout=Timeouts().statement_ms / 1000,
        )
        self._writer.row_factory = sqlite3.Row
        for pragma in ("foreign_keys = 1", "synchronous = NORMAL"):
            await self._writer.execute(f"PRAGMA {pragma}")
        self._writer_lock = asyncio.Lock()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
        if self._aio is not None:
            await self._aio.close()
        if self._writer is not None:
            await self._writer.close()
        if self._sync is not None:
            self._sync.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One write transaction: a pooled asyncpg connection, or the one SQLite writer."""
        if self._pool is not None:
            async with self._pool.acquire() as connection, connection.transaction():
                yield _PostgresTransaction(connection)
            return
        if self._writer is None:
            raise RuntimeError("raw driver not open")
        async with self._writer_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield _SQLiteTransaction(self._writer)
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")

    async def fetch(self, sql: str, args: Sequence[Any]) -> Sequence[Row]:
        if self._pool is not None:
            rows: Sequence[Row] = await self._pool.fetch(_numbered(sql), *args)
            return rows
        if self._aio is None:
            raise RuntimeError("raw driver not open")
        async with self._aio.execute(_question_marks(sql), args) as cursor:
            return list(await cursor.fetchall())  # type: ignore[arg-type]

    async def fetch_sync(self, sql: str, args: Sequence[Any]) -> Sequence[Row]:
        if self._sync is None:
            raise RuntimeError("no sqlite3 connection (PostgreSQL run?)")
        rows: Sequence[Row] = self._sync.execute(_question_marks(sql), args).fetchall()
        return rows


def engine_fetch(database: Database) -> Fetch:
    """Hand-written SQL through the app's Piccolo engine (its pool or reader connections)."""

    async def fetch(sql: str, args: Sequence[Any]) -> Sequence[Row]:
        rows: Sequence[Row] = await database.engine.run_querystring(QueryString(sql, *args))
        return rows

    return fetch


async def load_actor(fetch: Fetch, person_id: UUID, session_id: UUID) -> Actor:
    live = await fetch(LIVE_SESSION_SQL, (session_id, person_id, True))
    if not live or not live[0]["exists"]:
        raise NotAuthorizedException
    rows = await fetch(GRANTS_SQL, (person_id, True))
    grants = tuple(Grant(Role(r["role"]), r["unit"], r["unit_path"]) for r in rows)
    return Actor(person_id=person_id, session_id=session_id, grants=grants)


async def people_page(fetch: Fetch, actor: Actor, unit_id: UUID, limit: int) -> PageOut[PersonOut]:
    """What OrgService.unit and OrgService.list_people do, on the driver's rows."""
    units = await fetch(UNIT_SQL, (unit_id,))
    if not units:
        raise NotFoundError("unit_not_found")
    within = units[0]["path"]
    actor.require_visible(Permission.VIEW_UNIT, within, "unit_not_found")
    scopes = actor.scopes(Permission.VIEW_PEOPLE)
    if not scopes:
        return PageOut(items=[], next_cursor=None)
    sql = PEOPLE_SELECT + " OR ".join([PEOPLE_SCOPE] * len(scopes)) + PEOPLE_REST
    rows = await fetch(sql, [*(f"{s}%" for s in scopes), f"{within}%", limit + 1])
    people = [person_from_row(r) for r in rows[:limit]]
    cursor = encode_cursor(people[-1].created_at, people[-1].id) if len(rows) > limit else None
    return PageOut(items=[PersonOut.of(p) for p in people], next_cursor=cursor)


def _uuid_text(value: object) -> str:
    if isinstance(value, UUID):  # asyncpg's own UUID subclass included
        return str(value)
    raise TypeError


def _dumps(value: object) -> str:
    return orjson.dumps(value, default=_uuid_text).decode()


async def _sheet(tx: Transaction, meeting: Meeting) -> None:
    """MeetingUseCases._ensure_sheet: the roster of the meeting day when no sheet is stored."""
    if meeting.attendance:
        return
    day = meeting_day(meeting)
    rows = await tx.fetch(ROSTER_SQL, (meeting.cell_id, day, day))
    meeting.attendance = attendance_sheet(
        (
            r["person"],
            r["full_name"],
            MembershipKind(r["kind"]),
            bool(r["exempt"])
            and r["exempt_resolution_date"] is not None
            and r["exempt_resolution_date"] <= day,
        )
        for r in rows
    )


async def log_meeting(
    tx: Transaction,
    actor: Actor,
    meeting_id: UUID,
    version: int,
    data: RecordIn,
    request_id: str | None,
) -> Meeting:
    """MeetingRecordService.log on the raw driver, inside one transaction."""
    rows = await tx.fetch(MEETING_SQL, (meeting_id,))
    if not rows:
        raise NotFoundError("meeting_not_found")
    sheet = await tx.fetch(SHEET_SQL, (meeting_id,))
    meeting = _meeting(cast("dict[str, Any]", rows[0]))
    meeting.attendance = [_attendance(cast("dict[str, Any]", r)) for r in sheet]
    actor.require_visible(Permission.VIEW_UNIT, meeting.cell_path, "meeting_not_found")
    actor.require(Permission.MANAGE_MEETINGS, meeting.cell_path, "meeting_manage_forbidden")
    if version != meeting.version:
        raise StaleVersionError("version_mismatch", current_version=meeting.version)
    before = audit_state(meeting)
    await _sheet(tx, meeting)
    now = datetime.now(UTC)
    for a in data.attendance:
        meeting.mark(a.person_id, a.status, a.reason, None)
    meeting.log(
        actual_start=data.actual_start,
        actual_end=data.actual_end,
        chair_id=data.chair_id,
        minute_taker_id=data.minute_taker_id,
        minutes_text=data.minutes_text,
        resolutions=[r.to_domain() for r in data.resolutions],
        at=now,
    )
    meeting.version += 1
    meeting.updated_at = now
    resolutions = _dumps([dataclasses.asdict(r) for r in meeting.resolutions])
    written = await tx.fetch(
        LOGGED_SQL,
        (
            meeting.status.value,
            meeting.actual_start,
            meeting.actual_end,
            meeting.chair_id,
            meeting.minute_taker_id,
            meeting.minutes_text,
            resolutions,
            meeting.logged_at,
            meeting.updated_at,
            meeting.version,
            meeting.id,
            meeting.version - 1,
        ),
    )
    if not written:  # written meanwhile by another request
        current = await tx.fetch(VERSION_SQL, (meeting.id,))
        raise StaleVersionError(
            "version_mismatch", current_version=current[0]["version"] if current else 0
        )
    await tx.fetch(CLEAR_SHEET_SQL, (meeting.id,))
    values: list[Any] = []
    for position, r in enumerate(meeting.attendance):
        status = r.status.value if r.status else None
        values += (uuid4(), meeting.id, r.person_id, position, r.full_name)
        values += (r.membership_kind.value, status, r.reason, r.checked_in_at)
    if meeting.attendance:
        await tx.fetch(_sheet_insert(len(meeting.attendance)), values)
    after = audit_state(meeting)
    await tx.fetch(
        AUDIT_SQL,
        (
            uuid4(),
            now,
            actor.person_id,
            "meeting.log",
            "Meeting",
            meeting.id,
            meeting.cell_path,
            _dumps(before),
            _dumps(after),
            request_id,
            now,
        ),
    )
    return meeting


def token_ids(request: Request[Any, Any, Any], secret: str) -> tuple[UUID, UUID]:
    """(person, session) from the bearer token, checked as the app's JWTAuth checks it."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not encoded:
        raise NotAuthorizedException
    token = Token.decode(encoded, secret=secret, algorithm="HS256")
    try:
        return UUID(token.sub), UUID(str(token.extras.get("sid")))
    except ValueError as error:
        raise NotAuthorizedException from error


UnitId = Annotated[UUID, QueryParameter(name="unitId")]


def add_twins(app: Litestar, settings: Settings) -> None:
    driver = RawDriver(settings.database_url)
    app.on_startup.append(driver.open)
    app.on_shutdown.append(driver.close)
    secret = settings.secret_key
    policy: MeetingPolicy = settings.meeting_policy

    @put(
        "/bench/raw/meetings/{meeting_id:uuid}/record",
        exclude_from_auth=True,
        include_in_schema=False,
    )
    async def raw_log(
        request: Request[Any, Any, Any],
        meeting_id: FromPath[UUID],
        data: JSONBody[RecordIn],
        if_match: IfMatch = None,
    ) -> Response[MeetingOut]:
        actor = await load_actor(driver.fetch, *token_ids(request, secret))
        version = expected_version(if_match)
        request_id = request.scope.get("state", {}).get("request_id")
        async with driver.transaction() as tx:
            meeting = await log_meeting(tx, actor, meeting_id, version, data, request_id)
        return tagged(
            MeetingOut.of(meeting, policy, datetime.now(UTC), sheet=True), meeting.version
        )

    def self_authenticated(path: str, fetch: Fetch) -> Any:  # noqa: ANN401 - a route handler
        @get(path, exclude_from_auth=True, include_in_schema=False)
        async def handler(
            request: Request[Any, Any, Any], unit_id: UnitId, limit: Limit = 50
        ) -> PageOut[PersonOut]:
            actor = await load_actor(fetch, *token_ids(request, secret))
            return await people_page(fetch, actor, unit_id, limit)

        return handler

    @get("/bench/raw-query/people", include_in_schema=False)
    async def raw_query(actor: Actor, unit_id: UnitId, limit: Limit = 50) -> PageOut[PersonOut]:
        return await people_page(driver.fetch, actor, unit_id, limit)

    @get("/bench/engine-sql/people", exclude_from_auth=True, include_in_schema=False)
    async def engine_sql(
        request: Request[Any, Any, Any], database: Database, unit_id: UnitId, limit: Limit = 50
    ) -> PageOut[PersonOut]:
        fetch = engine_fetch(database)
        actor = await load_actor(fetch, *token_ids(request, secret))
        return await people_page(fetch, actor, unit_id, limit)

    app.register(self_authenticated("/bench/raw/people", driver.fetch))
    app.register(raw_query)
    app.register(engine_sql)
    app.register(raw_log)
    if not driver.postgres:
        app.register(self_authenticated("/bench/raw-sync/people", driver.fetch_sync))


def build() -> Litestar:
    settings = Settings.from_env()
    app = build_app(settings)
    add_twins(app, settings)
    return app


app = build()
