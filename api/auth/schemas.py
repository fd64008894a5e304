"""Bodies of the auth endpoints and of GET /me."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.http.schemas import In, NewPassword, Out, Password, PhoneText, ShortText
from api.org.schemas import PersonOut
from domain.actors import Role
from domain.org.model import MembershipKind, QuotaPeriod


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


class MyGrantOut(Out):
    id: UUID
    role: Role
    unit_id: UUID
    unit_name: str
    unit_level: str


class MyCellOut(Out):
    membership_id: UUID
    cell_id: UUID
    cell_name: str
    kind: MembershipKind
    exempt: bool


class MyFollowedCellOut(Out):
    assignment_id: UUID
    cell_id: UUID
    cell_name: str
    quota: int
    period: QuotaPeriod


class MeOut(Out):
    person: PersonOut
    grants: list[MyGrantOut]
    cells: list[MyCellOut]
    followed: list[MyFollowedCellOut]
