"""A small organisation written straight through the repository, and login helpers.

city
├── ward1 ── cellA   (member_a, secretary_a; leader_1 follows it)
└── ward2 ── cellB   (secretary_b)
admin on city; leader_1 on ward1, leader_2 on ward2; inspector on ward1.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from uuid import uuid4

import httpx

from chibo.passwords import Argon2Hasher
from db.repositories.org import PiccoloOrgRepository
from db.repositories.surveys import PiccoloSurveyRepository
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
    unit_path,
)
from domain.surveys.model import Contact, ContactKind, Survey
from domain.tokens import hash_token, new_token
from tests.fakes import START

PASSWORD = "mat-khau-thu-nghiem"


@cache
def password_hash() -> str:
    return Argon2Hasher().hash(PASSWORD)


@dataclass
class World:
    city: Unit
    ward1: Unit
    ward2: Unit
    cell_a: Unit
    cell_b: Unit
    admin: Person
    member_a: Person
    secretary_a: Person
    secretary_b: Person
    leader_1: Person
    leader_2: Person
    inspector: Person
    membership_a: Membership
    assignment_1: LeaderAssignment


def make_unit(parent: Unit | None, name: str, level: str, *, is_cell: bool = False) -> Unit:
    unit_id = uuid4()
    return Unit(
        id=unit_id,
        parent_id=parent.id if parent else None,
        path=unit_path(parent.path if parent else None, unit_id),
        name=name,
        level=level,
        is_cell=is_cell,
        active=True,
        created_at=START,
        updated_at=START,
    )


_phones = iter(range(1_000_000, 9_999_999))  # +8491 and 7 digits: a valid Vietnamese mobile


def make_person(home: Unit, full_name: str) -> Person:
    return Person(
        id=uuid4(),
        home_unit_id=home.id,
        home_unit_path=home.path,
        full_name=full_name,
        phone=f"+8491{next(_phones)}",
        email=None,
        locale=Locale.VI,
        active=True,
        created_at=START,
        updated_at=START,
    )


def make_membership(person: Person, cell: Unit, **overrides: object) -> Membership:
    """A live, full membership of ``person`` in ``cell`` since 2020, unless ``overrides`` say
    otherwise."""
    membership = Membership(
        id=uuid4(),
        person_id=person.id,
        cell_id=cell.id,
        cell_path=cell.path,
        kind=MembershipKind.FULL,
        exempt=False,
        exempt_resolution_date=None,
        joined_on=date(2020, 1, 1),
        left_on=None,
        created_at=START,
        updated_at=START,
    )
    return dataclasses.replace(membership, **overrides)  # type: ignore[arg-type]


async def add_membership(
    cell: Unit, person: Person, joined_on: date = date(2020, 1, 1)
) -> Membership:
    """A live, full membership of ``person`` in ``cell``, stored."""
    membership = make_membership(person, cell, joined_on=joined_on)
    await PiccoloOrgRepository().add_membership(membership)
    return membership


async def build_world() -> World:
    repo = PiccoloOrgRepository()
    city = make_unit(None, "Thành ủy Hà Nội", "city")
    ward1 = make_unit(city, "Đảng ủy phường Ba Đình", "ward")
    ward2 = make_unit(city, "Đảng ủy phường Hoàn Kiếm", "ward")
    cell_a = make_unit(ward1, "Chi bộ khu dân cư số 1", "cell", is_cell=True)
    cell_b = make_unit(ward2, "Chi bộ khu dân cư số 7", "cell", is_cell=True)
    for unit in (city, ward1, ward2, cell_a, cell_b):
        await repo.add_unit(unit)
    people = {
        "admin": (make_person(city, "Trần Quản Trị"), Role.ADMIN, city),
        "member_a": (make_person(cell_a, "Lê Thị Hoa"), Role.MEMBER, cell_a),
        "secretary_a": (make_person(cell_a, "Phạm Văn Bình"), Role.SECRETARY, cell_a),
        "secretary_b": (make_person(cell_b, "Hoàng Thị Lan"), Role.SECRETARY, cell_b),
        "leader_1": (make_person(ward1, "Vũ Đức Minh"), Role.LEADER, ward1),
        "leader_2": (make_person(ward2, "Đặng Quốc Hùng"), Role.LEADER, ward2),
        "inspector": (make_person(ward1, "Bùi Thanh Tâm"), Role.INSPECTOR, ward1),
    }
    for person, role, unit in people.values():
        await repo.add_person(person, password_hash())
        await repo.add_grant(
            RoleGrant(uuid4(), person.id, unit.id, unit.path, role, None, START, START)
        )
    memberships = [
        await add_membership(cell, people[key][0])
        for key, cell in (("member_a", cell_a), ("secretary_a", cell_a), ("secretary_b", cell_b))
    ]
    assignment = LeaderAssignment(
        id=uuid4(),
        leader_id=people["leader_1"][0].id,
        cell_id=cell_a.id,
        cell_path=cell_a.path,
        quota=4,
        period=QuotaPeriod.YEAR,
        started_on=date(2026, 1, 1),
        ended_on=None,
        created_at=START,
        updated_at=START,
    )
    await repo.add_assignment(assignment)
    return World(
        city=city,
        ward1=ward1,
        ward2=ward2,
        cell_a=cell_a,
        cell_b=cell_b,
        membership_a=memberships[0],
        assignment_1=assignment,
        **{key: value[0] for key, value in people.items()},
    )


async def login(
    client: httpx.AsyncClient, person: Person, password: str = PASSWORD
) -> dict[str, str]:
    """Authorization header of a fresh session of ``person``."""
    reply = await client.post(
        "/api/v1/auth/login", json={"phone": person.phone, "password": password}
    )
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['accessToken']}"}


async def add_survey_link(ward: Unit, now: datetime) -> str:
    """An open survey of one of the ward's dialogues with a link valid a day; the link's token."""
    token = new_token()
    contact = Contact(ContactKind.DIALOGUE, uuid4(), ward.id, ward.path, now)
    await PiccoloSurveyRepository().add(
        Survey(
            uuid4(),
            contact,
            now - timedelta(hours=1),
            now,
            hash_token(token),
            now + timedelta(days=1),
        )
    )
    return token
