"""The authorization matrix (authorization_matrix.csv) against the live app.

Every operation of the served OpenAPI document must have rows; every row is replayed for each
caller with a real request. One test per engine logs every caller in once, then runs each request
inside a savepoint that is rolled back, so rows never see each other's writes (a logout, a changed
password, a deactivated person) and each caller's token stays good throughout.
"""

from __future__ import annotations

import csv
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx

from db.engine import Database
from db.repositories.auth import PiccoloAuthRepository
from db.repositories.org import PiccoloOrgRepository
from domain.actors import Role
from domain.auth.model import DeviceSession, new_salt
from domain.org.model import (
    LeaderAssignment,
    Membership,
    MembershipKind,
    Person,
    QuotaPeriod,
    RoleGrant,
    Unit,
)
from tests.factories import PASSWORD, World, build_world, make_person, make_unit, password_hash
from tests.fakes import START

MATRIX = Path(__file__).with_name("authorization_matrix.csv")
OPENAPI = "/api/docs/openapi.json"
CALLERS = (
    "anonymous",
    "member_a",
    "secretary_a",
    "secretary_b",
    "leader_1",
    "leader_2",
    "inspector",
    "admin",
)
TARGETS = ("in", "out", "-")


@dataclass(frozen=True, slots=True)
class Row:
    operation: str
    target: str
    expected: dict[str, int]


def read_matrix() -> list[Row]:
    lines = [
        line
        for line in MATRIX.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    reader = csv.reader(lines)
    header = [cell.strip() for cell in next(reader)]
    assert header == ["operation", "target", *CALLERS]
    rows = []
    for values in reader:
        operation, target, *statuses = (cell.strip() for cell in values)
        assert target in TARGETS, f"{operation}: unknown target {target!r}"
        assert len(statuses) == len(CALLERS), f"{operation},{target}: one status per caller"
        rows.append(Row(operation, target, dict(zip(CALLERS, map(int, statuses), strict=True))))
    return rows


async def live_operations(client: httpx.AsyncClient) -> dict[str, tuple[str, str]]:
    """operationId -> (method, path template) of the OpenAPI document the app serves."""
    reply = await client.get(OPENAPI)
    assert reply.status_code == 200
    return {
        op["operationId"]: (method.upper(), path)
        for path, item in reply.json()["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }


async def test_matrix_has_exactly_one_row_set_per_live_operation(
    client: httpx.AsyncClient,
) -> None:
    live = set(await live_operations(client))
    rows = read_matrix()
    listed = {row.operation for row in rows}
    missing, gone = sorted(live - listed), sorted(listed - live)
    assert not missing, f"operations without rows in authorization_matrix.csv: {missing}"
    assert not gone, f"rows for operations the app no longer has: {gone}"
    keys = [(row.operation, row.target) for row in rows]
    assert len(keys) == len(set(keys)), "duplicate rows"
    for operation in listed:
        targets = {row.target for row in rows if row.operation == operation}
        assert targets in ({"-"}, {"in", "out"}), f"{operation}: rows for in and out, or for -"


# -- the scene: the factory world, one more object of each kind per side, logged-in callers ------


@dataclass(frozen=True, slots=True)
class Login:
    headers: dict[str, str]
    refresh_token: str
    session_id: UUID


@dataclass
class Scene:
    world: World
    person: dict[str, Person]
    membership: dict[str, Membership]
    grant: dict[str, RoleGrant]
    assignment: dict[str, LeaderAssignment]
    empty_cell: dict[str, Unit]
    city_leader: Person
    foreign_session: UUID
    logins: dict[str, Login] = field(default_factory=dict)

    def cell(self, target: str) -> Unit:
        return self.world.cell_a if target == "in" else self.world.cell_b

    def ward(self, target: str) -> Unit:
        return self.world.ward1 if target == "in" else self.world.ward2

    def caller(self, caller: str) -> Person:
        """The person behind a caller; anonymous requests that need one borrow member_a's."""
        person: Person = getattr(self.world, "member_a" if caller == "anonymous" else caller)
        return person

    def login(self, caller: str) -> Login:
        return self.logins["member_a" if caller == "anonymous" else caller]


async def build_scene() -> Scene:
    world = await build_world()
    repo = PiccoloOrgRepository()
    person, membership, grant = {}, {}, {}
    for target, cell in (("in", world.cell_a), ("out", world.cell_b)):
        person[target] = make_person(cell, f"Nguyễn Văn Thường {target}")
        await repo.add_person(person[target], password_hash())
        membership[target] = Membership(
            uuid4(), person[target].id, cell.id, cell.path, MembershipKind.FULL,
            exempt=False, exempt_resolution_date=None, joined_on=date(2021, 3, 1), left_on=None,
            created_at=START, updated_at=START,
        )  # fmt: skip
        await repo.add_membership(membership[target])
        grant[target] = RoleGrant(
            uuid4(), person[target].id, cell.id, cell.path, Role.MEMBER, None, START, START
        )
        await repo.add_grant(grant[target])
    assignment_out = LeaderAssignment(
        uuid4(), world.leader_2.id, world.cell_b.id, world.cell_b.path, 4, QuotaPeriod.YEAR,
        date(2026, 1, 1), None, START, START,
    )  # fmt: skip
    await repo.add_assignment(assignment_out)
    empty_cell = {
        "in": make_unit(world.ward1, "Chi bộ khu dân cư số 3", "cell", is_cell=True),
        "out": make_unit(world.ward2, "Chi bộ khu dân cư số 9", "cell", is_cell=True),
    }
    for unit in empty_cell.values():
        await repo.add_unit(unit)
    # A leader on the whole city may follow any cell: the body of CreateLeaderAssignment.
    city_leader = make_person(world.city, "Ngô Thị Thu")
    await repo.add_person(city_leader, None)
    await repo.add_grant(
        RoleGrant(uuid4(), city_leader.id, world.city.id, world.city.path, Role.LEADER, None,
                  START, START)
    )  # fmt: skip
    foreign = DeviceSession(
        uuid4(), person["out"].id, "phone", 0, new_salt(), START, START, START + timedelta(days=30)
    )
    await PiccoloAuthRepository().add_session(foreign)
    return Scene(
        world=world,
        person=person,
        membership=membership,
        grant=grant,
        assignment={"in": world.assignment_1, "out": assignment_out},
        empty_cell=empty_cell,
        city_leader=city_leader,
        foreign_session=foreign.id,
    )


async def log_in_everyone(client: httpx.AsyncClient, scene: Scene) -> None:
    for caller in CALLERS[1:]:
        person = scene.caller(caller)
        reply = await client.post(
            "/api/v1/auth/login", json={"phone": person.phone, "password": PASSWORD}
        )
        assert reply.status_code == 200, reply.text
        body = reply.json()
        scene.logins[caller] = Login(
            headers={"Authorization": f"Bearer {body['accessToken']}"},
            refresh_token=body["refreshToken"],
            session_id=UUID(body["sessionId"]),
        )


# -- one request per (operation, target, caller) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    """What varies between operations: the object in the path, the query, the body."""

    object_id: UUID | None = None
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    csv: str | None = None


@dataclass(frozen=True, slots=True)
class Ask:
    """One request to build: which operation target, for which caller; ``n`` makes it unique."""

    scene: Scene
    target: str
    caller: str
    n: int


Recipe = Callable[[Ask], Call]


def _plain(_: Ask) -> Call:
    return Call()


def _phone(n: int) -> str:
    return f"+8498{n:07d}"


def _unit_filter(name: str) -> Recipe:
    return lambda a: Call(params={name: str(a.scene.cell(a.target).id)})


def _roster(a: Ask) -> Call:
    lines = [
        "họ và tên,số điện thoại,loại,ngày vào sinh hoạt",
        f"Đỗ Thị Mai {a.n},{_phone(a.n)},dự bị,",
    ]
    return Call(a.scene.cell(a.target).id, csv="\n".join(lines) + "01/09/2025\n")


RECIPES: dict[str, Recipe] = {
    "HealthLive": _plain,
    "HealthReady": _plain,
    "Login": lambda a: Call(json={"phone": a.scene.caller(a.caller).phone, "password": PASSWORD}),
    "RefreshSession": lambda a: Call(json={"refreshToken": a.scene.login(a.caller).refresh_token}),
    "Logout": _plain,
    "ListMySessions": _plain,
    "RevokeMySession": lambda a: Call(
        a.scene.login(a.caller).session_id if a.target == "in" else a.scene.foreign_session
    ),
    "ChangePassword": lambda a: Call(
        json={"currentPassword": PASSWORD, "newPassword": f"mat-khau-moi-{a.n}"}
    ),
    "GetMe": _plain,
    "ListAudit": _plain,
    "ListUnits": _unit_filter("within"),
    "GetUnit": lambda a: Call(a.scene.cell(a.target).id),
    "CreateUnit": lambda a: Call(
        json={
            "parentId": str(a.scene.ward(a.target).id),
            "name": f"Chi bộ {a.n}",
            "level": "cell",
            "isCell": True,
        }
    ),
    "UpdateUnit": lambda a: Call(a.scene.cell(a.target).id, json={"name": f"Chi bộ số {a.n}"}),
    "MoveUnit": lambda a: Call(
        a.scene.cell(a.target).id,
        json={"parentId": str(a.scene.ward("out" if a.target == "in" else "in").id)},
    ),
    "DeactivateUnit": lambda a: Call(a.scene.empty_cell[a.target].id),
    "ImportRoster": _roster,
    "ListPeople": _unit_filter("unitId"),
    "GetPerson": lambda a: Call(a.scene.person[a.target].id),
    "CreatePerson": lambda a: Call(
        json={
            "homeUnitId": str(a.scene.cell(a.target).id),
            "fullName": f"Phan Văn An {a.n}",
            "phone": _phone(a.n),
        }
    ),
    "UpdatePerson": lambda a: Call(
        a.scene.person[a.target].id, json={"fullName": f"Lý Văn Hải {a.n}"}
    ),
    "DeactivatePerson": lambda a: Call(a.scene.person[a.target].id),
    "ActivatePerson": lambda a: Call(a.scene.person[a.target].id),
    "ListMemberships": _unit_filter("unitId"),
    "GetMembership": lambda a: Call(a.scene.membership[a.target].id),
    "CreateMembership": lambda a: Call(
        json={
            "personId": str(
                (a.scene.world.leader_1 if a.target == "in" else a.scene.world.leader_2).id
            ),
            "cellId": str(a.scene.cell(a.target).id),
            "kind": "full",
            "joinedOn": "2026-11-01",
        }
    ),
    "UpdateMembership": lambda a: Call(
        a.scene.membership[a.target].id, json={"kind": "probationary"}
    ),
    "EndMembership": lambda a: Call(a.scene.membership[a.target].id, json={"on": "2026-11-01"}),
    "ListGrants": _unit_filter("unitId"),
    "GetGrant": lambda a: Call(a.scene.grant[a.target].id),
    "CreateGrant": lambda a: Call(
        json={
            "personId": str(a.scene.person[a.target].id),
            "unitId": str(a.scene.cell(a.target).id),
            "role": "deputy_secretary",
        }
    ),
    "RevokeGrant": lambda a: Call(a.scene.grant[a.target].id),
    "ListLeaderAssignments": _unit_filter("unitId"),
    "GetLeaderAssignment": lambda a: Call(a.scene.assignment[a.target].id),
    "CreateLeaderAssignment": lambda a: Call(
        json={
            "leaderId": str(a.scene.city_leader.id),
            "cellId": str(a.scene.cell(a.target).id),
            "quota": 2,
            "period": "quarter",
            "startedOn": "2026-11-01",
        }
    ),
    "UpdateLeaderAssignment": lambda a: Call(a.scene.assignment[a.target].id, json={"quota": 6}),
}


@asynccontextmanager
async def rolled_back(db: Database) -> AsyncIterator[None]:
    """Undo whatever the request wrote, inside the test's own transaction."""
    transaction = db.engine.current_transaction.get()
    assert transaction is not None
    savepoint = await transaction.savepoint()
    try:
        yield
    finally:
        await savepoint.rollback_to()
        await savepoint.release()


async def test_every_caller_gets_the_status_the_matrix_lists(
    client: httpx.AsyncClient, db: Database
) -> None:
    live = await live_operations(client)
    scene = await build_scene()
    await log_in_everyone(client, scene)
    mismatches: list[str] = []
    n = 0
    for row in read_matrix():
        if row.operation not in live or row.operation not in RECIPES:
            mismatches.append(f"{row.operation}: not served, or no request recipe in this test")
            continue
        method, template = live[row.operation]
        for caller, expected in row.expected.items():
            n += 1
            call = RECIPES[row.operation](Ask(scene, row.target, caller, n))
            path = re.sub(r"\{[^}]+\}", str(call.object_id), template)
            headers = {} if caller == "anonymous" else dict(scene.logins[caller].headers)
            content = None
            if call.csv is not None:
                headers["Content-Type"] = "text/csv"
                content = call.csv.encode()
            async with rolled_back(db):
                reply = await client.request(
                    method,
                    path,
                    params=call.params,
                    json=call.json,
                    content=content,
                    headers=headers,
                )
            if reply.status_code != expected:
                mismatches.append(
                    f"{row.operation},{row.target},{caller}: expected {expected}, "
                    f"got {reply.status_code} {reply.text[:200]}"
                )
    assert not mismatches, "\n".join(mismatches)
