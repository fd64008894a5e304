"""Access tokens (short JWT, header only), the Actor behind them, and the auth endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Operation
from litestar.params import FromPath, JSONBody
from litestar.security.jwt import JWTAuth, Token

from api.errors import problems
from api.phones import to_e164
from api.schemas import (
    In,
    NewPassword,
    Out,
    PageOut,
    Password,
    PhoneText,
    ShortText,
    one_page,
)
from db.repositories.auth import load_actor
from domain.actors import Actor
from domain.auth.service import AuthService, IssuedSession
from domain.errors import ForbiddenError, RuleViolationError


async def retrieve_actor(
    token: Token, connection: ASGIConnection[Any, Any, Any, Any]
) -> Actor | None:
    del connection
    try:
        person_id, session_id = UUID(token.sub), UUID(str(token.extras.get("sid")))
    except ValueError:
        return None
    return await load_actor(person_id, session_id)


# A handler open to a person still holding a temporary password carries this in its opt.
WITH_TEMPORARY_PASSWORD = "allowed_with_temporary_password"  # noqa: S105 - an opt key


def temporary_password_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Until a password an administrator set is changed, every operation except changing it,
    logging out and reading /me is refused, whatever route is added later (the whole app)."""
    actor = connection.scope.get("user")
    if (
        isinstance(actor, Actor)
        and actor.password_temporary
        and not handler.opt.get(WITH_TEMPORARY_PASSWORD)
    ):
        raise ForbiddenError("password_change_required")


def make_jwt_auth(secret: str, exclude: list[str]) -> JWTAuth[Actor, Token]:
    return JWTAuth[Actor, Token](
        retrieve_user_handler=retrieve_actor,
        token_secret=secret,
        exclude=exclude,
        description="Access token from POST /api/v1/auth/login or /auth/refresh",
    )


@dataclass
class PublicOperation(Operation):
    """An operation open without a bearer token. JWTAuth puts its security requirement on the
    whole document, and Litestar drops a handler's ``security=[]`` as empty."""

    def __post_init__(self) -> None:
        self.security = []


class TokenIssuer:
    def __init__(self, jwt_auth: JWTAuth[Actor, Token], lifetime: timedelta) -> None:
        self.jwt_auth = jwt_auth
        self.lifetime = lifetime

    def issue(self, issued: IssuedSession) -> TokensOut:
        access = self.jwt_auth.create_token(
            identifier=str(issued.session.person_id),
            token_expiration=self.lifetime,
            token_extras={"sid": str(issued.session.id)},
        )
        return TokensOut(
            access_token=access,
            token_type="Bearer",  # noqa: S106 - the scheme name, not a secret
            expires_in=int(self.lifetime.total_seconds()),
            refresh_token=issued.refresh_token,
            session_id=issued.session.id,
            password_change_required=issued.password_change_required,
        )


class LoginIn(In):
    phone: PhoneText
    password: Password
    device_name: ShortText = "phone"


class RefreshIn(In):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class ChangePasswordIn(In):
    current_password: Password
    new_password: NewPassword


class TokensOut(Out):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    session_id: UUID
    # the password was set by an administrator: change it (POST /auth/password) first
    password_change_required: bool


class SessionOut(Out):
    id: UUID
    device_name: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    current: bool


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/login",
        operation_id="Login",
        exclude_from_auth=True,
        operation_class=PublicOperation,
        status_code=200,
        responses=problems(401, 413, 422, 429),
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginIn],
        auth: NamedDependency[AuthService],
        tokens: NamedDependency[TokenIssuer],
    ) -> TokensOut:
        """Log in with phone and password; starts a device session."""
        client = request.client.host if request.client else "unknown"
        try:
            phone = to_e164(data.phone)
        except RuleViolationError:
            phone = data.phone  # still counted against the throttle, then refused
        issued = await auth.login(phone, data.password, data.device_name, client)
        return tokens.issue(issued)

    @post(
        "/refresh",
        operation_id="RefreshSession",
        exclude_from_auth=True,
        operation_class=PublicOperation,
        status_code=200,
        responses=problems(401, 413, 422),
    )
    async def refresh(
        self,
        data: JSONBody[RefreshIn],
        auth: NamedDependency[AuthService],
        tokens: NamedDependency[TokenIssuer],
    ) -> TokensOut:
        """Trade a refresh token for new tokens; replaying a used one revokes the session."""
        return tokens.issue(await auth.refresh(data.refresh_token))

    @post(
        "/logout",
        operation_id="Logout",
        status_code=204,
        responses=problems(401, 404),
        opt={WITH_TEMPORARY_PASSWORD: True},
    )
    async def logout(
        self, actor: NamedDependency[Actor], auth: NamedDependency[AuthService]
    ) -> None:
        """End the current device session."""
        await auth.logout(actor)

    @get("/sessions", operation_id="ListMySessions", responses=problems(401))
    async def sessions(
        self, actor: NamedDependency[Actor], auth: NamedDependency[AuthService]
    ) -> PageOut[SessionOut]:
        """My live device sessions."""
        return one_page(
            [
                SessionOut(
                    id=s.id,
                    device_name=s.device_name,
                    created_at=s.created_at,
                    last_used_at=s.last_used_at,
                    expires_at=s.expires_at,
                    current=s.id == actor.session_id,
                )
                for s in await auth.sessions(actor)
            ]
        )

    @post(
        "/sessions/{session_id:uuid}/revoke",
        operation_id="RevokeMySession",
        status_code=204,
        responses=problems(401, 404),
    )
    async def revoke(
        self,
        session_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        auth: NamedDependency[AuthService],
    ) -> None:
        """Sign out one of my devices."""
        await auth.revoke_session(actor, session_id)

    @post(
        "/password",
        operation_id="ChangePassword",
        status_code=204,
        responses=problems(401, 404, 413, 422),
        opt={WITH_TEMPORARY_PASSWORD: True},
    )
    async def change_password(
        self,
        data: JSONBody[ChangePasswordIn],
        actor: NamedDependency[Actor],
        auth: NamedDependency[AuthService],
    ) -> None:
        """Change my password (at least 8 characters, not a common one, not my phone number or
        name); my other sessions are signed out. A temporary password must be changed first."""
        await auth.change_password(actor, data.current_password, data.new_password)
