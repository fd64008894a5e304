"""Login, refresh-token rotation, logout, own sessions, password change."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from domain.actors import Actor
from domain.audit import audited
from domain.auth.model import (
    Credentials,
    DeviceSession,
    PresentedToken,
    RevokeReason,
    RotationOutcome,
    new_salt,
    parse_refresh_token,
    refresh_token,
    rotate,
)
from domain.auth.passwords import PasswordPolicy
from domain.auth.ports import AuthRepository, PasswordHasher
from domain.auth.throttle import LoginPolicy, ThrottleKey, retry_after
from domain.errors import (
    NotFoundError,
    RuleViolationError,
    TooManyRequestsError,
    UnauthenticatedError,
)
from domain.ports import AuditLog, Clock, UnitOfWork

# Verified when the phone is unknown, so a wrong phone costs as long as a wrong password.
DUMMY_HASH_PASSWORD = "chibo-no-such-account"  # noqa: S105


_dummy_hashes: weakref.WeakKeyDictionary[PasswordHasher, str] = weakref.WeakKeyDictionary()


def _dummy_hash(hasher: PasswordHasher) -> str:
    """Once per hasher, not per request: the service is built for every request, and an
    argon2 hash costs as much as a login."""
    if hasher not in _dummy_hashes:
        _dummy_hashes[hasher] = hasher.hash(DUMMY_HASH_PASSWORD)
    return _dummy_hashes[hasher]


class SessionEnding:
    """Every way a session ends, in the caller's transaction: revoked, and the pushes queued for
    the devices it registered cancelled with it (a signed-out phone must not show them)."""

    def __init__(self, repo: AuthRepository) -> None:
        self.repo = repo

    async def end(
        self, sessions: Sequence[DeviceSession], reason: RevokeReason, at: datetime
    ) -> None:
        for session in sessions:
            session.revoke(reason, at)
        if sessions:
            ids = [s.id for s in sessions]
            await self.repo.revoke_sessions(ids, reason, at)
            await self.repo.cancel_pushes_of(ids, reason)

    async def shut_out(self, person_id: UUID, at: datetime) -> None:
        """A deactivated person: all their sessions end and their push devices are forgotten,
        so reactivating them brings no old token and no old device back."""
        await self.end(await self.repo.live_sessions_of(person_id), RevokeReason.DISABLED, at)
        await self.repo.forget_devices_of(person_id)


@dataclass(frozen=True, slots=True)
class IssuedSession:
    session: DeviceSession
    refresh_token: str
    password_change_required: bool


class AuthService:
    def __init__(
        self,
        repo: AuthRepository,
        uow: UnitOfWork,
        audit: AuditLog,
        clock: Clock,
        hasher: PasswordHasher,
        key: bytes,
        throttle: LoginPolicy,
        session_lifetime: timedelta,
        refresh_grace: timedelta,
        passwords: PasswordPolicy,
    ) -> None:
        self.repo = repo
        self.uow = uow
        self.audit = audit
        self.clock = clock
        self.hasher = hasher
        self.key = key
        self.throttle = throttle
        self.session_lifetime = session_lifetime
        self.refresh_grace = refresh_grace
        self.passwords = passwords
        self.ending = SessionEnding(repo)
        self._dummy_hash = _dummy_hash(hasher)

    async def login(
        self, phone: str, password: str, device_name: str, client: str
    ) -> IssuedSession:
        now = self.clock.now()
        account, pair = self.throttle.keys(phone, client)
        await self._take_attempt((account, pair), now)
        credentials = await self.repo.credentials_by_phone(phone)
        if not self._password_ok(credentials, password) or credentials is None:
            raise UnauthenticatedError("invalid_credentials")  # the attempt stays counted
        async with self.uow.atomic():
            # the keys in the order _take_attempt locks them, so two logins never deadlock
            await self.repo.forgive_attempt(account.name)
            await self.repo.clear_attempts(pair.name)
            session = DeviceSession(
                id=uuid4(),
                person_id=credentials.person_id,
                device_name=device_name,
                generation=0,
                salt=new_salt(),
                created_at=now,
                last_used_at=now,
                expires_at=now + self.session_lifetime,
            )
            await self.repo.add_session(session)
            await self._audit(credentials, "session.login", session.id)
            return IssuedSession(
                session, refresh_token(self.key, session), credentials.password_temporary
            )

    async def _take_attempt(self, keys: Sequence[ThrottleKey], now: datetime) -> None:
        """Count the attempt under every key before the password is checked, or under none
        (429, the transaction rolled back) when one of them must still wait."""
        forget_before = now - self.throttle.forget_after
        async with self.uow.atomic():
            for key in keys:
                if not await self.repo.reserve_attempt(
                    key.name, key.next_attempts(now), now, forget_before
                ):
                    wait_until = await self.repo.next_attempt_at(key.name) or now
                    raise TooManyRequestsError(
                        "too_many_login_attempts", retry_after=retry_after(wait_until, now)
                    )

    def _password_ok(self, credentials: Credentials | None, password: str) -> bool:
        if credentials is None or credentials.password_hash is None:
            self.hasher.verify(self._dummy_hash, password)
            return False
        return self.hasher.verify(credentials.password_hash, password) and credentials.active

    async def refresh(self, token: str) -> IssuedSession:
        presented = parse_refresh_token(token)
        now = self.clock.now()
        session, outcome = await self._rotate(presented, now)
        credentials = await self.repo.credentials_of(session.person_id)
        if outcome is not RotationOutcome.REUSED and credentials and credentials.active:
            return IssuedSession(
                session, refresh_token(self.key, session), credentials.password_temporary
            )
        # Reuse or a disabled account: revoke the family in its own transaction, then refuse.
        reason = RevokeReason.REUSE if outcome is RotationOutcome.REUSED else RevokeReason.DISABLED
        async with self.uow.atomic():
            await self.ending.end([session], reason, now)
            if credentials is not None:
                await self._audit(credentials, f"session.revoke.{reason.value}", session.id)
        raise UnauthenticatedError(
            "refresh_token_reused" if outcome is RotationOutcome.REUSED else "account_disabled"
        )

    async def _rotate(
        self, presented: PresentedToken, now: datetime
    ) -> tuple[DeviceSession, RotationOutcome]:
        """Judge the token against the stored session and store a rotation by compare-and-swap.
        A lost swap means a concurrent duplicate moved the session first: judge again against
        what it stored (then the token is one generation behind: REPEATED or REUSED)."""
        while True:
            session = await self.repo.get_session(presented.session_id)
            outcome = rotate(
                self.key, session, presented, now, self.session_lifetime, self.refresh_grace
            )
            assert session is not None  # noqa: S101 - rotate refused a missing session
            if outcome is not RotationOutcome.ROTATED:
                return session, outcome
            async with self.uow.atomic():
                if await self.repo.advance_session(session, presented.generation):
                    return session, outcome

    async def sessions(self, actor: Actor) -> list[DeviceSession]:
        return await self.repo.live_sessions_of(actor.person_id)

    async def revoke_session(
        self, actor: Actor, session_id: UUID, reason: RevokeReason = RevokeReason.REVOKED
    ) -> None:
        async with self.uow.atomic():
            session = await self.repo.get_session(session_id)
            if session is None or session.person_id != actor.person_id or not session.live:
                raise NotFoundError("session_not_found")
            await self.ending.end([session], reason, self.clock.now())
            credentials = await self.repo.credentials_of(actor.person_id)
            assert credentials is not None  # noqa: S101 - the actor exists
            await self._audit(credentials, f"session.revoke.{reason.value}", session.id)

    async def logout(self, actor: Actor) -> None:
        await self.revoke_session(actor, actor.session_id, RevokeReason.LOGOUT)

    async def change_password(self, actor: Actor, current: str, new: str) -> None:
        """A new password of the person's own choosing; a temporary one ends with it. A wrong
        current password counts against the account like a failed login: a stolen access token
        must not become a way to guess it."""
        credentials = await self.repo.credentials_of(actor.person_id)
        if credentials is None:
            raise RuleViolationError("current_password_wrong")
        if new == current:
            raise RuleViolationError("password_unchanged")
        self.passwords.check(new, credentials.phone, credentials.full_name, temporary=False)
        account, _ = self.throttle.keys(credentials.phone, "")
        await self._take_attempt((account,), self.clock.now())
        if not self._password_ok(credentials, current):
            raise RuleViolationError("current_password_wrong")  # the attempt stays counted
        async with self.uow.atomic():
            await self.repo.forgive_attempt(account.name)
            await self.repo.set_password_hash(actor.person_id, self.hasher.hash(new))
            others = [
                s
                for s in await self.repo.live_sessions_of(actor.person_id)
                if s.id != actor.session_id
            ]
            await self.ending.end(others, RevokeReason.PASSWORD_CHANGED, self.clock.now())
            await self._audit(credentials, "person.password_change", actor.person_id)

    async def _audit(self, credentials: Credentials, action: str, object_id: UUID) -> None:
        await audited(
            self.audit,
            credentials.person_id,
            action,
            "DeviceSession" if action.startswith("session") else "Person",
            object_id,
            credentials.home_unit_path,
        )
