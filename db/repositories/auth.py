"""AuthRepository on Piccolo, and the query that turns a token into an Actor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from db.engine import run_bounded
from db.named_sql import bind
from db.repositories.notifications import PiccoloNotificationStore
from db.tables import DeviceSessionTable, LoginAttemptTable, PersonTable
from domain.actors import Actor, Grant, Role
from domain.auth.model import Credentials, DeviceSession, RevokeReason


def _session(row: dict[str, Any]) -> DeviceSession:
    return DeviceSession(
        id=row["id"],
        person_id=row["person"],
        device_name=row["device_name"],
        generation=row["generation"],
        salt=row["salt"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        revoked_reason=RevokeReason(row["revoked_reason"]) if row["revoked_reason"] else None,
    )


def _credentials(row: dict[str, Any]) -> Credentials:
    return Credentials(
        person_id=row["id"],
        home_unit_path=row["home_unit_path"],
        password_hash=row["password_hash"],
        active=bool(row["active"]),
        phone=row["phone"],
        full_name=row["full_name"],
        password_temporary=bool(row["password_temporary"]),
    )


_CREDENTIAL_COLUMNS = (
    PersonTable.id,
    PersonTable.password_hash,
    PersonTable.active,
    PersonTable.phone,
    PersonTable.full_name,
    PersonTable.password_temporary,
    PersonTable.home_unit.path.as_alias("home_unit_path"),
)


class PiccoloAuthRepository:
    async def credentials_by_phone(self, phone: str) -> Credentials | None:
        row = (
            await PersonTable.select(*_CREDENTIAL_COLUMNS).where(PersonTable.phone == phone).first()
        )
        return _credentials(row) if row else None

    async def credentials_of(self, person_id: UUID) -> Credentials | None:
        row = (
            await PersonTable.select(*_CREDENTIAL_COLUMNS)
            .where(PersonTable.id == person_id)
            .first()
        )
        return _credentials(row) if row else None

    async def set_password_hash(self, person_id: UUID, password_hash: str) -> None:
        await PersonTable.update(
            {PersonTable.password_hash: password_hash, PersonTable.password_temporary: False}
        ).where(PersonTable.id == person_id)

    async def get_session(self, session_id: UUID) -> DeviceSession | None:
        row = await DeviceSessionTable.select().where(DeviceSessionTable.id == session_id).first()
        return _session(row) if row else None

    async def add_session(self, session: DeviceSession) -> None:
        await DeviceSessionTable.insert(
            DeviceSessionTable(
                id=session.id,
                person=session.person_id,
                device_name=session.device_name,
                generation=session.generation,
                salt=session.salt,
                created_at=session.created_at,
                last_used_at=session.last_used_at,
                expires_at=session.expires_at,
            )
        )

    async def advance_session(self, session: DeviceSession, from_generation: int) -> bool:
        """Store a rotation only if the session is still live at ``from_generation``: a
        compare-and-swap, so of concurrent refreshes with one token exactly one moves it."""
        moved = (
            await DeviceSessionTable.update(
                {
                    DeviceSessionTable.generation: session.generation,
                    DeviceSessionTable.last_used_at: session.last_used_at,
                    DeviceSessionTable.expires_at: session.expires_at,
                }
            )
            .where(
                (DeviceSessionTable.id == session.id)
                & (DeviceSessionTable.generation == from_generation)
                & DeviceSessionTable.revoked_at.is_null()
            )
            .returning(DeviceSessionTable.id)
        )
        return bool(moved)

    async def revoke_sessions(
        self, session_ids: Sequence[UUID], reason: RevokeReason, at: datetime
    ) -> None:
        await DeviceSessionTable.update(
            {DeviceSessionTable.revoked_at: at, DeviceSessionTable.revoked_reason: reason.value}
        ).where(
            DeviceSessionTable.id.is_in(list(session_ids)) & DeviceSessionTable.revoked_at.is_null()
        )

    async def live_sessions_of(self, person_id: UUID) -> list[DeviceSession]:
        rows = (
            await DeviceSessionTable.select()
            .where(
                (DeviceSessionTable.person == person_id) & DeviceSessionTable.revoked_at.is_null()
            )
            .order_by(DeviceSessionTable.created_at)
        )
        return [_session(r) for r in rows]

    async def cancel_pushes_of(self, session_ids: Sequence[UUID], reason: RevokeReason) -> int:
        return await PiccoloNotificationStore().cancel_pending_of_sessions(
            session_ids, f"session ended: {reason.value}"
        )

    async def forget_devices_of(self, person_id: UUID) -> int:
        return await PiccoloNotificationStore().forget_devices_of(person_id, "person deactivated")

    async def reserve_attempt(
        self, key: str, next_attempts: Sequence[datetime], now: datetime, forget_before: datetime
    ) -> bool:
        """Count a login attempt under ``key`` if its wait is over: one statement, so parallel
        attempts are counted one after another and none passes a wait another has just set."""
        engine = LoginAttemptTable._meta.db  # noqa: SLF001 - the engine bound by db.migrate.bind
        times = {f"t{n}": _utc(t) for n, t in enumerate(next_attempts, start=1)}
        params = {"id": uuid4(), "key": key, "now": _utc(now), "forget": _utc(forget_before)}
        rows = await engine.run_querystring(
            bind(_reserve_sql(len(next_attempts)), {**params, **times})
        )
        return bool(rows)

    async def next_attempt_at(self, key: str) -> datetime | None:
        row = (
            await LoginAttemptTable.select(LoginAttemptTable.next_attempt_at)
            .where(LoginAttemptTable.key == key)
            .first()
        )
        return row["next_attempt_at"] if row else None

    async def clear_attempts(self, key: str) -> None:
        await LoginAttemptTable.delete().where(LoginAttemptTable.key == key)

    async def forgive_attempt(self, key: str) -> None:
        await LoginAttemptTable.update(
            {LoginAttemptTable.failures: LoginAttemptTable.failures - 1}
        ).where((LoginAttemptTable.key == key) & (LoginAttemptTable.failures > 0))


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


_ATTEMPT = '"login_attempt"'
_FAILURES = f'{_ATTEMPT}."failures"'
_FORGOTTEN = f'({_ATTEMPT}."last_attempt_at" <= :forget OR {_FAILURES} < 1)'


def _reserve_sql(steps: int) -> str:
    """The attempt counted as the next in a row (the first again after ``forget``), and the
    next one's earliest start looked up in :t1 … :t<steps> by that count, the last for every
    count beyond. The ELSE, never taken, gives PostgreSQL the parameters' type."""
    waits = [f"WHEN {_FORGOTTEN} THEN :t1"]
    waits += [f"WHEN {_FAILURES} + 1 = {n} THEN :t{n}" for n in range(2, steps)]
    if steps > 1:
        waits.append(f"WHEN {_FAILURES} + 1 >= {steps} THEN :t{steps}")
    return (
        f"INSERT INTO {_ATTEMPT}"  # noqa: S608 - names only; every value is a bound parameter
        ' ("id", "key", "failures", "last_attempt_at", "next_attempt_at")'
        " VALUES (:id, :key, 1, :now, :t1)"
        ' ON CONFLICT ("key") DO UPDATE SET'
        f' "failures" = CASE WHEN {_FORGOTTEN} THEN 1 ELSE {_FAILURES} + 1 END,'
        ' "last_attempt_at" = :now,'
        f' "next_attempt_at" = CASE {" ".join(waits)} ELSE {_ATTEMPT}."next_attempt_at" END'
        f' WHERE {_ATTEMPT}."next_attempt_at" <= :now OR {_FORGOTTEN}'
        ' RETURNING "failures"'
    )


# The token check runs on every authenticated request: one statement, written once, instead of
# two built by Piccolo's query builder (~0.3-0.6 ms of CPU each, see bench/README.md).
# The live memberships come in the same statement (rows without a role).
_LIVE_SESSION = (
    ' FROM "device_session"'
    ' JOIN "person" ON "person"."id" = "device_session"."person" AND "person"."active" = {}'
)
_SESSION_IS = (
    ' WHERE "device_session"."id" = {} AND "device_session"."person" = {}'
    ' AND "device_session"."revoked_at" IS NULL'
)
_ACTOR_SQL = (
    'SELECT "person"."password_temporary" AS "password_temporary",'
    ' "role_grant"."role" AS "role", "role_grant"."unit" AS "unit",'
    ' "unit"."path" AS "unit_path"'
    + _LIVE_SESSION
    + ' LEFT JOIN "role_grant" ON "role_grant"."person" = "device_session"."person"'
    ' AND "role_grant"."revoked_at" IS NULL'
    ' LEFT JOIN "unit" ON "unit"."id" = "role_grant"."unit" AND "unit"."active" = {}'
    + _SESSION_IS
    + ' UNION ALL SELECT "person"."password_temporary", NULL, "membership"."cell", "unit"."path"'
    + _LIVE_SESSION
    + ' JOIN "membership" ON "membership"."person" = "device_session"."person"'
    ' AND "membership"."left_on" IS NULL'
    ' JOIN "unit" ON "unit"."id" = "membership"."cell" AND "unit"."active" = {}' + _SESSION_IS
)


async def load_actor(person_id: UUID, session_id: UUID) -> Actor | None:
    """The Actor behind an access token, or None when the session or the person is not live."""
    engine = DeviceSessionTable._meta.db  # noqa: SLF001 - the engine bound by db.migrate.bind
    session = (session_id, person_id)
    rows = await run_bounded(engine, _ACTOR_SQL, (True, True, *session, True, True, *session))
    if not rows:
        return None
    grants = tuple(
        Grant(Role(r["role"]), r["unit"], r["unit_path"])
        for r in rows
        if r["role"] and r["unit_path"]
    )
    cells = tuple(sorted({r["unit_path"] for r in rows if not r["role"]} - {None}))
    return Actor(
        person_id=person_id,
        session_id=session_id,
        grants=grants,
        cells=cells,
        password_temporary=bool(rows[0]["password_temporary"]),
    )
