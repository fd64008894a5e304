"""OrgRepository on Piccolo: rows <-> domain objects, scope filters inside the queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from piccolo.columns.combination import Where
from piccolo.query import Select
from piccolo.querystring import QueryString

from db.engine import run_bounded
from db.named_sql import positional
from db.pagination import (
    Conditions,
    ListSql,
    any_prefix,
    contains,
    fetch_page,
    fetch_sql_page,
)
from db.tables import (
    LeaderAssignmentTable,
    MembershipTable,
    PersonTable,
    RoleGrantTable,
    UnitTable,
)
from domain.actors import Role
from domain.org.model import (
    LeaderAssignment,
    Locale,
    Membership,
    MembershipKind,
    MyCell,
    MyFollowedCell,
    MyGrant,
    MyProfile,
    Person,
    QuotaPeriod,
    RoleGrant,
    Unit,
)
from domain.org.ports import (
    AssignmentFilter,
    GrantFilter,
    MembershipFilter,
    PersonFilter,
    UnitFilter,
)
from domain.pagination import Page, PageRequest, PageWithin

EMPTY: Page[Any] = Page(items=(), next_cursor=None)

# Hot reads written once as SQL: Piccolo's builder costs ~0.3-0.6 ms of CPU per query, most of
# it in ForeignKey.__getattribute__ (see bench/README.md).
_UNIT_SQL = (
    'SELECT "id", "parent", "path", "name", "level", "is_cell", "active", "created_at",'
    ' "updated_at", "version" FROM "unit" WHERE "id" = {} LIMIT 1'
)
_PEOPLE_PAGE = ListSql(
    '"person"."id", "person"."home_unit", "person"."full_name", "person"."phone",'
    ' "person"."email", "person"."locale", "person"."active", "person"."created_at",'
    ' "person"."updated_at", "person"."version", "unit"."path" AS "home_unit_path"',
    '"person" JOIN "unit" ON "unit"."id" = "person"."home_unit"',
    path='"unit"."path"',
    sort='"person"."created_at"',
    row_id='"person"."id"',
    key="created_at",
    group_key="home_unit",
)

# GET /me: the person (part 0), then each live grant (1), membership (2) and followed cell (3)
# with its unit's name, in one statement. The parts share one set of columns: "t1" is the phone,
# the role, the membership kind or the quota period; "t2" the email or the unit's level.
_PROFILE_SQL = (
    'SELECT 0 AS "part", "person"."id" AS "id", "person"."home_unit" AS "unit",'
    ' "person"."full_name" AS "name", "person"."phone" AS "t1", "person"."email" AS "t2",'
    ' "person"."locale" AS "t3", "unit"."path" AS "t4", "person"."active" AS "flag",'
    ' "person"."version" AS "n", "person"."created_at" AS "created_at",'
    ' "person"."updated_at" AS "updated_at"'
    ' FROM "person" JOIN "unit" ON "unit"."id" = "person"."home_unit" WHERE "person"."id" = :me'
    ' UNION ALL SELECT 1, "role_grant"."id", "role_grant"."unit", "unit"."name",'
    ' "role_grant"."role", "unit"."level", NULL, NULL, NULL, NULL, "role_grant"."created_at", NULL'
    ' FROM "role_grant" JOIN "unit" ON "unit"."id" = "role_grant"."unit"'
    ' WHERE "role_grant"."person" = :me AND "role_grant"."revoked_at" IS NULL'
    ' UNION ALL SELECT 2, "membership"."id", "membership"."cell", "unit"."name",'
    ' "membership"."kind", NULL, NULL, NULL, "membership"."exempt", NULL,'
    ' "membership"."created_at", NULL'
    ' FROM "membership" JOIN "unit" ON "unit"."id" = "membership"."cell"'
    ' WHERE "membership"."person" = :me AND "membership"."left_on" IS NULL'
    ' UNION ALL SELECT 3, "leader_assignment"."id", "leader_assignment"."cell", "unit"."name",'
    ' "leader_assignment"."period", NULL, NULL, NULL, NULL, "leader_assignment"."quota",'
    ' "leader_assignment"."created_at", NULL'
    ' FROM "leader_assignment" JOIN "unit" ON "unit"."id" = "leader_assignment"."cell"'
    ' WHERE "leader_assignment"."leader" = :me AND "leader_assignment"."ended_on" IS NULL'
    ' ORDER BY "part", "created_at", "id"'
)


def _profile(rows: list[dict[str, Any]]) -> MyProfile | None:
    if not rows or rows[0]["part"] != 0:
        return None
    first = rows[0]
    person = Person(
        id=first["id"],
        home_unit_id=first["unit"],
        home_unit_path=first["t4"],
        full_name=first["name"],
        phone=first["t1"],
        email=first["t2"],
        locale=Locale(first["t3"]),
        active=bool(first["flag"]),
        created_at=first["created_at"],
        updated_at=first["updated_at"],
        version=first["n"],
    )
    parts: tuple[list[dict[str, Any]], ...] = ([], [], [], [])
    for row in rows:
        parts[row["part"]].append(row)
    return MyProfile(
        person=person,
        grants=tuple(
            MyGrant(r["id"], Role(r["t1"]), r["unit"], r["name"], r["t2"]) for r in parts[1]
        ),
        cells=tuple(
            MyCell(r["id"], r["unit"], r["name"], MembershipKind(r["t1"]), bool(r["flag"]))
            for r in parts[2]
        ),
        followed=tuple(
            MyFollowedCell(r["id"], r["unit"], r["name"], r["n"], QuotaPeriod(r["t1"]))
            for r in parts[3]
        ),
    )


def _unit(row: dict[str, Any]) -> Unit:
    return Unit(
        id=row["id"],
        parent_id=row["parent"],
        path=row["path"],
        name=row["name"],
        level=row["level"],
        is_cell=bool(row["is_cell"]),
        active=bool(row["active"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


# A member by its value: ``Locale(value)`` takes ~350 ns on Python 3.11, once a row of a page.
_LOCALES = {member.value: member for member in Locale}


def person_from_row(row: Mapping[str, Any]) -> Person:
    return Person(
        id=row["id"],
        home_unit_id=row["home_unit"],
        home_unit_path=row["home_unit_path"],
        full_name=row["full_name"],
        phone=row["phone"],
        email=row["email"],
        locale=_LOCALES[row["locale"]],
        active=bool(row["active"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _membership(row: dict[str, Any]) -> Membership:
    return Membership(
        id=row["id"],
        person_id=row["person"],
        cell_id=row["cell"],
        cell_path=row["cell_path"],
        kind=MembershipKind(row["kind"]),
        exempt=bool(row["exempt"]),
        exempt_resolution_date=row["exempt_resolution_date"],
        joined_on=row["joined_on"],
        left_on=row["left_on"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _grant(row: dict[str, Any]) -> RoleGrant:
    return RoleGrant(
        id=row["id"],
        person_id=row["person"],
        unit_id=row["unit"],
        unit_path=row["unit_path"],
        role=Role(row["role"]),
        revoked_at=row["revoked_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _assignment(row: dict[str, Any]) -> LeaderAssignment:
    return LeaderAssignment(
        id=row["id"],
        leader_id=row["leader"],
        cell_id=row["cell"],
        cell_path=row["cell_path"],
        quota=row["quota"],
        period=QuotaPeriod(row["period"]),
        started_on=row["started_on"],
        ended_on=row["ended_on"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _people() -> Select[Any]:
    return PersonTable.select(
        *PersonTable.all_columns(
            exclude=[PersonTable.password_hash, PersonTable.password_temporary]
        ),
        PersonTable.home_unit.path.as_alias("home_unit_path"),
    )


def _memberships() -> Select[Any]:
    return MembershipTable.select(
        *MembershipTable.all_columns(), MembershipTable.cell.path.as_alias("cell_path")
    )


def _grants() -> Select[Any]:
    return RoleGrantTable.select(
        *RoleGrantTable.all_columns(), RoleGrantTable.unit.path.as_alias("unit_path")
    )


def _assignments() -> Select[Any]:
    return LeaderAssignmentTable.select(
        *LeaderAssignmentTable.all_columns(),
        LeaderAssignmentTable.cell.path.as_alias("cell_path"),
    )


def _live(column: Any, live: bool | None) -> Where | None:  # noqa: ANN401 - a Piccolo column
    if live is None:
        return None
    return column.is_null() if live else column.is_not_null()  # type: ignore[no-any-return]


def _where(query: Select[Any], *conditions: Any) -> Select[Any]:  # noqa: ANN401
    for condition in conditions:
        if condition is not None:
            query = query.where(condition)
    return query


class PiccoloOrgRepository:
    # -- units ----------------------------------------------------------------------------------

    async def get_unit(self, unit_id: UUID) -> Unit | None:
        engine = UnitTable._meta.db  # noqa: SLF001
        rows = await engine.run_querystring(QueryString(_UNIT_SQL, unit_id))
        return _unit(rows[0]) if rows else None

    async def list_units(
        self, scopes: tuple[str, ...], where: UnitFilter, page: PageRequest
    ) -> Page[Unit]:
        scope = any_prefix(UnitTable.path, scopes)
        if scope is None:
            return EMPTY
        query = _where(
            UnitTable.select(),
            scope,
            UnitTable.parent == where.parent_id if where.parent_id else None,
            UnitTable.path.like(f"{where.within_path}%") if where.within_path else None,
            UnitTable.level == where.level if where.level else None,
            UnitTable.active == where.active if where.active is not None else None,
            contains(UnitTable.name, where.name_contains) if where.name_contains else None,
        )
        return await fetch_page(query, UnitTable, page, _unit)

    async def root_unit(self) -> Unit | None:
        row = (
            await UnitTable.select()
            .where(UnitTable.parent.is_null())
            .order_by(UnitTable.created_at)
            .first()
        )
        return _unit(row) if row else None

    async def units_by_ids(self, unit_ids: set[UUID]) -> list[Unit]:
        if not unit_ids:
            return []
        return [
            _unit(r) for r in await UnitTable.select().where(UnitTable.id.is_in(list(unit_ids)))
        ]

    async def add_unit(self, unit: Unit) -> None:
        await UnitTable.insert(
            UnitTable(
                id=unit.id,
                parent=unit.parent_id,
                path=unit.path,
                name=unit.name,
                level=unit.level,
                is_cell=unit.is_cell,
                active=unit.active,
                created_at=unit.created_at,
                updated_at=unit.updated_at,
                version=unit.version,
            )
        )

    async def save_unit(self, unit: Unit) -> None:
        await UnitTable.update(
            {
                UnitTable.parent: unit.parent_id,
                UnitTable.name: unit.name,
                UnitTable.level: unit.level,
                UnitTable.active: unit.active,
                UnitTable.updated_at: unit.updated_at,
                UnitTable.version: unit.version,
            }
        ).where(UnitTable.id == unit.id)

    async def move_subtree(self, old_path: str, new_path: str) -> None:
        await UnitTable.raw(
            "UPDATE unit SET path = {} || substr(path, {}) WHERE path LIKE {}",
            new_path,
            len(old_path) + 1,
            f"{old_path}%",
        )

    async def count_active_children(self, unit_id: UUID) -> int:
        return await UnitTable.count().where(  # type: ignore[no-any-return]
            (UnitTable.parent == unit_id) & (UnitTable.active == True)  # noqa: E712
        )

    async def count_live_members(self, cell_id: UUID) -> int:
        return await MembershipTable.count().where(  # type: ignore[no-any-return]
            (MembershipTable.cell == cell_id) & MembershipTable.left_on.is_null()
        )

    # -- people ---------------------------------------------------------------------------------

    async def get_person(self, person_id: UUID) -> Person | None:
        row = await _people().where(PersonTable.id == person_id).first()
        return person_from_row(row) if row else None

    async def profile_of(self, person_id: UUID) -> MyProfile | None:
        engine = PersonTable._meta.db  # noqa: SLF001
        return _profile(await run_bounded(engine, *positional(_PROFILE_SQL, {"me": person_id})))

    async def person_by_phone(self, phone: str) -> Person | None:
        row = await _people().where(PersonTable.phone == phone).first()
        return person_from_row(row) if row else None

    async def list_people(
        self, scopes: tuple[str, ...], where: PersonFilter, page: PageRequest
    ) -> PageWithin[Person]:
        if not scopes and where.within_unit_id is None:
            return PageWithin(EMPTY)
        engine = PersonTable._meta.db  # noqa: SLF001
        like = "ILIKE" if engine.engine_type in {"postgres", "cockroach"} else "LIKE"
        conditions = Conditions()
        if where.active is not None:
            conditions.add('"person"."active" = {}', where.active)
        if where.name_contains:
            conditions.add(f'"person"."full_name" {like} {{}}', f"%{where.name_contains}%")
        if where.phone:
            conditions.add('"person"."phone" = {}', where.phone)
        rows, cursor, within = await fetch_sql_page(
            PersonTable, _PEOPLE_PAGE, scopes, conditions, page, where.within_unit_id
        )
        return PageWithin(Page(tuple(person_from_row(r) for r in rows), cursor), within)

    async def add_person(
        self, person: Person, password_hash: str | None, *, password_temporary: bool = False
    ) -> None:
        await PersonTable.insert(
            PersonTable(
                id=person.id,
                home_unit=person.home_unit_id,
                full_name=person.full_name,
                phone=person.phone,
                email=person.email,
                locale=person.locale.value,
                active=person.active,
                password_hash=password_hash,
                password_temporary=password_temporary,
                created_at=person.created_at,
                updated_at=person.updated_at,
                version=person.version,
            )
        )

    async def save_person(self, person: Person) -> None:
        await PersonTable.update(
            {
                PersonTable.home_unit: person.home_unit_id,
                PersonTable.full_name: person.full_name,
                PersonTable.phone: person.phone,
                PersonTable.email: person.email,
                PersonTable.locale: person.locale.value,
                PersonTable.active: person.active,
                PersonTable.updated_at: person.updated_at,
                PersonTable.version: person.version,
            }
        ).where(PersonTable.id == person.id)

    # -- memberships ----------------------------------------------------------------------------

    async def get_membership(self, membership_id: UUID) -> Membership | None:
        row = await _memberships().where(MembershipTable.id == membership_id).first()
        return _membership(row) if row else None

    async def list_memberships(
        self, scopes: tuple[str, ...], where: MembershipFilter, page: PageRequest
    ) -> Page[Membership]:
        path = MembershipTable.cell.path
        scope = any_prefix(path, scopes)
        if scope is None:
            return EMPTY
        query = _where(
            _memberships(),
            scope,
            MembershipTable.person == where.person_id if where.person_id else None,
            path.like(f"{where.within_path}%") if where.within_path else None,
            _live(MembershipTable.left_on, where.live),
        )
        return await fetch_page(query, MembershipTable, page, _membership)

    async def live_memberships_of(self, person_id: UUID) -> list[Membership]:
        rows = await _memberships().where(
            (MembershipTable.person == person_id) & MembershipTable.left_on.is_null()
        )
        return [_membership(r) for r in rows]

    async def add_membership(self, membership: Membership) -> None:
        await MembershipTable.insert(
            MembershipTable(
                id=membership.id,
                person=membership.person_id,
                cell=membership.cell_id,
                kind=membership.kind.value,
                exempt=membership.exempt,
                exempt_resolution_date=membership.exempt_resolution_date,
                joined_on=membership.joined_on,
                left_on=membership.left_on,
                created_at=membership.created_at,
                updated_at=membership.updated_at,
                version=membership.version,
            )
        )

    async def save_membership(self, membership: Membership) -> None:
        await MembershipTable.update(
            {
                MembershipTable.kind: membership.kind.value,
                MembershipTable.exempt: membership.exempt,
                MembershipTable.exempt_resolution_date: membership.exempt_resolution_date,
                MembershipTable.left_on: membership.left_on,
                MembershipTable.updated_at: membership.updated_at,
                MembershipTable.version: membership.version,
            }
        ).where(MembershipTable.id == membership.id)

    # -- grants ---------------------------------------------------------------------------------

    async def get_grant(self, grant_id: UUID) -> RoleGrant | None:
        row = await _grants().where(RoleGrantTable.id == grant_id).first()
        return _grant(row) if row else None

    async def list_grants(
        self, scopes: tuple[str, ...], where: GrantFilter, page: PageRequest
    ) -> Page[RoleGrant]:
        path = RoleGrantTable.unit.path
        scope = any_prefix(path, scopes)
        if scope is None:
            return EMPTY
        query = _where(
            _grants(),
            scope,
            RoleGrantTable.person == where.person_id if where.person_id else None,
            path.like(f"{where.within_path}%") if where.within_path else None,
            RoleGrantTable.role == where.role.value if where.role else None,
            _live(RoleGrantTable.revoked_at, where.live),
        )
        return await fetch_page(query, RoleGrantTable, page, _grant)

    async def live_grants_of(self, person_id: UUID) -> list[RoleGrant]:
        rows = await _grants().where(
            (RoleGrantTable.person == person_id) & RoleGrantTable.revoked_at.is_null()
        )
        return [_grant(r) for r in rows]

    async def heads_of(self, unit_id: UUID) -> list[UUID]:
        return (await holders([unit_id], HEADS)).get(unit_id, [])

    async def active_admin_grants_over(self, unit_path: str) -> list[RoleGrant]:
        rows = await _grants().where(
            (RoleGrantTable.role == Role.ADMIN.value)
            & RoleGrantTable.revoked_at.is_null()
            & (RoleGrantTable.person.active == True)  # noqa: E712 - a SQL comparison
        )
        return [_grant(r) for r in rows if unit_path.startswith(r["unit_path"])]

    async def add_grant(self, grant: RoleGrant) -> None:
        await RoleGrantTable.insert(
            RoleGrantTable(
                id=grant.id,
                person=grant.person_id,
                unit=grant.unit_id,
                role=grant.role.value,
                revoked_at=grant.revoked_at,
                created_at=grant.created_at,
                updated_at=grant.updated_at,
                version=grant.version,
            )
        )

    async def save_grant(self, grant: RoleGrant) -> None:
        await RoleGrantTable.update(
            {
                RoleGrantTable.revoked_at: grant.revoked_at,
                RoleGrantTable.updated_at: grant.updated_at,
                RoleGrantTable.version: grant.version,
            }
        ).where(RoleGrantTable.id == grant.id)

    # -- leader assignments ---------------------------------------------------------------------

    async def get_assignment(self, assignment_id: UUID) -> LeaderAssignment | None:
        row = await _assignments().where(LeaderAssignmentTable.id == assignment_id).first()
        return _assignment(row) if row else None

    async def list_assignments(
        self, scopes: tuple[str, ...], where: AssignmentFilter, page: PageRequest
    ) -> Page[LeaderAssignment]:
        path = LeaderAssignmentTable.cell.path
        scope = any_prefix(path, scopes)
        if scope is None:
            return EMPTY
        query = _where(
            _assignments(),
            scope,
            LeaderAssignmentTable.leader == where.leader_id if where.leader_id else None,
            path.like(f"{where.within_path}%") if where.within_path else None,
            _live(LeaderAssignmentTable.ended_on, where.live),
        )
        return await fetch_page(query, LeaderAssignmentTable, page, _assignment)

    async def live_assignments_of(self, leader_id: UUID) -> list[LeaderAssignment]:
        rows = await _assignments().where(
            (LeaderAssignmentTable.leader == leader_id) & LeaderAssignmentTable.ended_on.is_null()
        )
        return [_assignment(r) for r in rows]

    async def add_assignment(self, assignment: LeaderAssignment) -> None:
        await LeaderAssignmentTable.insert(
            LeaderAssignmentTable(
                id=assignment.id,
                leader=assignment.leader_id,
                cell=assignment.cell_id,
                quota=assignment.quota,
                period=assignment.period.value,
                started_on=assignment.started_on,
                ended_on=assignment.ended_on,
                created_at=assignment.created_at,
                updated_at=assignment.updated_at,
                version=assignment.version,
            )
        )

    async def save_assignment(self, assignment: LeaderAssignment) -> None:
        await LeaderAssignmentTable.update(
            {
                LeaderAssignmentTable.quota: assignment.quota,
                LeaderAssignmentTable.period: assignment.period.value,
                LeaderAssignmentTable.ended_on: assignment.ended_on,
                LeaderAssignmentTable.updated_at: assignment.updated_at,
                LeaderAssignmentTable.version: assignment.version,
            }
        ).where(LeaderAssignmentTable.id == assignment.id)


HEADS = (Role.LEADER, Role.SECRETARY)  # who leads a unit: told of what happens to it
SECRETARIES = (Role.SECRETARY, Role.DEPUTY_SECRETARY)


async def holders(units: Sequence[UUID], roles: Sequence[Role]) -> dict[UUID, list[UUID]]:
    """Live holders of ``roles`` on each of ``units``, each person once, in one query."""
    if not units:
        return {}
    rows = await RoleGrantTable.select(RoleGrantTable.unit, RoleGrantTable.person).where(
        RoleGrantTable.unit.is_in(list(units))
        & RoleGrantTable.revoked_at.is_null()
        & RoleGrantTable.role.is_in([r.value for r in roles])
    )
    found: dict[UUID, list[UUID]] = {}
    for row in rows:
        people = found.setdefault(row["unit"], [])
        if row["person"] not in people:
            people.append(row["person"])
    return found
