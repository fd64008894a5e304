"""AuthRepository on Piccolo, and the query that turns a token into an Actor."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from db.tables import DeviceSessionTable, LoginThrottleTable, PersonTable, RoleGrantTable
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

    async def save_session(self, session: DeviceSession) -> None:
        await DeviceSessionTable.update(
            {
                DeviceSessionTable.generation: session.generation,
                DeviceSessionTable.last_used_at: session.last_used_at,
                DeviceSessionTable.expires_at: session.expires_at,
                DeviceSessionTable.revoked_at: session.revoked_at,
                DeviceSessionTable.revoked_reason: session.revoked_reason.value
                if session.revoked_reason
                else None,
            }
        ).where(DeviceSessionTable.id == session.id)

    async def live_sessions_of(self, person_id: UUID) -> list[DeviceSession]:
        rows = (
            await DeviceSessionTable.select()
            .where(
                (DeviceSessionTable.person == person_id) & DeviceSessionTable.revoked_at.is_null()
            )
            .order_by(DeviceSessionTable.created_at)
        )
        return [_session(r) for r in rows]

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


async def load_actor(person_id: UUID, session_id: UUID) -> Actor | None:
    """The Actor behind an access token, or None when the session or the person is not live."""
    live = await DeviceSessionTable.exists().where(
        (DeviceSessionTable.id == session_id)
        & (DeviceSessionTable.person == person_id)
        & DeviceSessionTable.revoked_at.is_null()
        & (DeviceSessionTable.person.active == True)  # noqa: E712
    )
    if not live:
        return None
    rows = await RoleGrantTable.select(
        RoleGrantTable.role, RoleGrantTable.unit, RoleGrantTable.unit.path.as_alias("unit_path")
    ).where(
        (RoleGrantTable.person == person_id)
        & RoleGrantTable.revoked_at.is_null()
        & (RoleGrantTable.unit.active == True)  # noqa: E712
    )
    grants = tuple(Grant(Role(r["role"]), r["unit"], r["unit_path"]) for r in rows)
    return Actor(person_id=person_id, session_id=session_id, grants=grants)
