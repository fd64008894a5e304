"""Bodies of the organisation endpoints: units, people, memberships, grants, leader assignments,
roster imports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.http.schemas import Email, HistoricDate, In, Name, Out, Password, PhoneNumber
from domain.actors import Role
from domain.org.model import (
    LeaderAssignment,
    Locale,
    Membership,
    MembershipKind,
    Person,
    QuotaPeriod,
    RoleGrant,
    Unit,
)
from domain.org.roster import RosterReport

LevelName = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]


class UnitIn(In):
    parent_id: UUID
    name: Name
    level: LevelName
    is_cell: bool = False
    id: UUID | None = None


class UnitPatch(In):
    name: Name | None = None
    level: LevelName | None = None


class UnitMoveIn(In):
    parent_id: UUID


class UnitOut(Out):
    id: UUID
    parent_id: UUID | None
    name: str
    level: str
    is_cell: bool
    active: bool
    depth: int
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, unit: Unit) -> UnitOut:
        return cls(
            id=unit.id,
            parent_id=unit.parent_id,
            name=unit.name,
            level=unit.level,
            is_cell=unit.is_cell,
            active=unit.active,
            depth=unit.path.count("/") - 2,
            created_at=unit.created_at,
            updated_at=unit.updated_at,
            version=unit.version,
        )


class PersonIn(In):
    home_unit_id: UUID
    full_name: Name
    phone: PhoneNumber
    email: Email | None = None
    locale: Locale = Locale.VI
    password: Password | None = None
    id: UUID | None = None


class PersonPatch(In):
    full_name: Name | None = None
    phone: PhoneNumber | None = None
    email: Email | None = None
    locale: Locale | None = None
    home_unit_id: UUID | None = None


class PersonOut(Out):
    id: UUID
    home_unit_id: UUID
    full_name: str
    phone: str
    email: str | None
    locale: Locale
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, person: Person) -> PersonOut:
        return cls(
            id=person.id,
            home_unit_id=person.home_unit_id,
            full_name=person.full_name,
            phone=person.phone,
            email=person.email,
            locale=person.locale,
            active=person.active,
            created_at=person.created_at,
            updated_at=person.updated_at,
            version=person.version,
        )


class MembershipIn(In):
    person_id: UUID
    cell_id: UUID
    kind: MembershipKind
    joined_on: HistoricDate
    exempt: bool = False
    exempt_resolution_date: HistoricDate | None = None
    id: UUID | None = None


class MembershipPatch(In):
    kind: MembershipKind | None = None
    exempt: bool | None = None
    exempt_resolution_date: HistoricDate | None = None


class EndIn(In):
    on: HistoricDate


class MembershipOut(Out):
    id: UUID
    person_id: UUID
    cell_id: UUID
    kind: MembershipKind
    exempt: bool
    exempt_resolution_date: date | None
    joined_on: date
    left_on: date | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, m: Membership) -> MembershipOut:
        return cls(
            id=m.id,
            person_id=m.person_id,
            cell_id=m.cell_id,
            kind=m.kind,
            exempt=m.exempt,
            exempt_resolution_date=m.exempt_resolution_date,
            joined_on=m.joined_on,
            left_on=m.left_on,
            created_at=m.created_at,
            updated_at=m.updated_at,
            version=m.version,
        )


Quota = Annotated[int, msgspec.Meta(ge=0, le=1000)]


class GrantIn(In):
    person_id: UUID
    unit_id: UUID
    role: Role


class GrantOut(Out):
    id: UUID
    person_id: UUID
    unit_id: UUID
    role: Role
    revoked_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, g: RoleGrant) -> GrantOut:
        return cls(
            id=g.id,
            person_id=g.person_id,
            unit_id=g.unit_id,
            role=g.role,
            revoked_at=g.revoked_at,
            created_at=g.created_at,
        )


class AssignmentIn(In):
    leader_id: UUID
    cell_id: UUID
    quota: Quota
    period: QuotaPeriod
    started_on: date


class AssignmentPatch(In):
    quota: Quota | None = None
    period: QuotaPeriod | None = None
    ended_on: date | None = None


class AssignmentOut(Out):
    id: UUID
    leader_id: UUID
    cell_id: UUID
    quota: int
    period: QuotaPeriod
    started_on: date
    ended_on: date | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, a: LeaderAssignment) -> AssignmentOut:
        return cls(
            id=a.id,
            leader_id=a.leader_id,
            cell_id=a.cell_id,
            quota=a.quota,
            period=a.period,
            started_on=a.started_on,
            ended_on=a.ended_on,
            created_at=a.created_at,
            updated_at=a.updated_at,
            version=a.version,
        )


class RowErrorOut(Out):
    line: int
    field: str
    code: str


class RosterReportOut(Out):
    rows: int
    new_people: int
    existing_people: int
    applied: bool
    errors: list[RowErrorOut]

    @classmethod
    def of(cls, report: RosterReport) -> RosterReportOut:
        return cls(
            rows=report.rows,
            new_people=report.new_people,
            existing_people=report.existing_people,
            applied=report.applied,
            errors=[RowErrorOut(line=e.line, field=e.field, code=e.code) for e in report.errors],
        )
