"""The login and refresh replies: a short access token (JWT) beside the session's refresh token."""

from __future__ import annotations

from datetime import timedelta

from litestar.security.jwt import JWTAuth, Token

from api.auth.schemas import TokensOut
from domain.actors import Actor
from domain.auth.service import IssuedSession


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
