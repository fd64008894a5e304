"""The auth endpoints: log in, refresh, log out, my sessions, change my password."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.auth.schemas import ChangePasswordIn, LoginIn, RefreshIn, SessionOut, TokensOut
from api.auth.tokens import TokenIssuer
from api.http.auth import WITH_TEMPORARY_PASSWORD, PublicOperation
from api.http.errors import problems
from api.http.schemas import PageOut, one_page
from domain.actors import Actor
from domain.auth.service import AuthService
from domain.errors import RuleViolationError
from domain.org.phones import to_e164


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
