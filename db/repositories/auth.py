"""AuthRepository on Piccolo, and the query that turns a token into an Actor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from piccolo.querystring import QueryString

from db.repositories.notifications import PiccoloNotificationStore
from db.tables import DeviceSessionTable, LoginThrottleTable, PersonTable
from domain.actors import Actor, Grant, Role
from domain.auth.model import DeviceSession, RevokeReason, ThrottleState
from domain.auth.service import Credentials


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
    )


_CREDENTIAL_COLUMNS = (
    PersonTable.id,
    PersonTable.password_hash,
    PersonTable.active,
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
        await PersonTable.update({PersonTable.password_hash: password_hash}).where(
            PersonTable.id == person_id
        )

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

    async def throttle_state(self, key: str) -> ThrottleState | None:
        row = await LoginThrottleTable.select().where(LoginThrottleTable.key == key).first()
        if row is None:
            return None
        return ThrottleState(
            key=row["key"], window_started_at=row["window_started_at"], failures=row["failures"]
        )

    async def save_throttle(self, state: ThrottleState) -> None:
        await LoginThrottleTable.insert(
            LoginThrottleTable(
                key=state.key, window_started_at=state.window_started_at, failures=state.failures
            )
        ).on_conflict(
            target=LoginThrottleTable.key,
            action="DO UPDATE",
            values=[LoginThrottleTable.window_started_at, LoginThrottleTable.failures],
        )


# The token check runs on every authenticated request: one statement, written once, instead of
# two built by Piccolo's query builder (~0.3-0.6 ms of CPU each, see bench/README.md).
_ACTOR_SQL = (
    'SELECT "role_grant"."role" AS "role", "role_grant"."unit" AS "unit",'
    ' "unit"."path" AS "unit_path" FROM "device_session"'
    ' JOIN "person" ON "person"."id" = "device_session"."person" AND "person"."active" = {}'
    ' LEFT JOIN "role_grant" ON "role_grant"."person" = "device_session"."person"'
    ' AND "role_grant"."revoked_at" IS NULL'
    ' LEFT JOIN "unit" ON "unit"."id" = "role_grant"."unit" AND "unit"."active" = {}'
    ' WHERE "device_session"."id" = {} AND "device_session"."person" = {}'
    ' AND "device_session"."revoked_at" IS NULL'
)


async def load_actor(person_id: UUID, session_id: UUID) -> Actor | None:
    """The Actor behind an access token, or None when the session or the person is not live."""
    engine = DeviceSessionTable._meta.db  # noqa: SLF001 - the engine bound by db.migrate.bind
    rows = await engine.run_querystring(
        QueryString(_ACTOR_SQL, True, True, session_id, person_id)  # noqa: FBT003
    )
    if not rows:
        return None
    grants = tuple(
        Grant(Role(r["role"]), r["unit"], r["unit_path"]) for r in rows if r["unit_path"]
    )
    return Actor(person_id=person_id, session_id=session_id, grants=grants)
