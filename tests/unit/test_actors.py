"""Scope rules of the Actor: a role on a unit holds on its subtree, nothing else."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from domain.actors import ROLE_PERMISSIONS, Actor, Grant, Permission, Role, is_within
from domain.errors import ForbiddenError, NotFoundError

CITY = "/c1/"
WARD_1 = "/c1/w1/"
WARD_2 = "/c1/w2/"
CELL_A = "/c1/w1/a/"
CELL_B = "/c1/w2/b/"


def make_actor(*grants: tuple[Role, str]) -> Actor:
    return Actor(
        person_id=uuid4(),
        session_id=uuid4(),
        grants=tuple(Grant(role, _id_of(path), path) for role, path in grants),
    )


def _id_of(path: str) -> UUID:
    return UUID(int=abs(hash(path)) % (1 << 128))


def test_is_within_is_a_prefix_test_on_whole_segments() -> None:
    assert is_within(CELL_A, WARD_1)
    assert is_within(WARD_1, WARD_1)
    assert not is_within(WARD_1, CELL_A)
    assert not is_within(CELL_B, WARD_1)
    # The trailing slash keeps "/c1/w1/" from matching a sibling "/c1/w10/".
    assert not is_within("/c1/w10/", WARD_1)


def test_grant_holds_on_the_whole_subtree_only() -> None:
    leader = make_actor((Role.LEADER, WARD_1))
    assert leader.may(Permission.VIEW_UNIT, WARD_1)
    assert leader.may(Permission.VIEW_UNIT, CELL_A)
    assert not leader.may(Permission.VIEW_UNIT, CITY)
    assert not leader.may(Permission.VIEW_UNIT, WARD_2)
    assert not leader.may(Permission.VIEW_UNIT, CELL_B)


def test_nested_scopes_collapse_to_the_outermost() -> None:
    actor = make_actor((Role.SECRETARY, CELL_A), (Role.LEADER, WARD_1), (Role.SECRETARY, CELL_B))
    assert actor.scopes(Permission.VIEW_PEOPLE) == (WARD_1, CELL_B)


def test_scopes_keep_only_roles_carrying_the_permission() -> None:
    actor = make_actor((Role.MEMBER, CELL_A), (Role.SECRETARY, CELL_B))
    assert actor.scopes(Permission.VIEW_UNIT) == (CELL_A, CELL_B)
    assert actor.scopes(Permission.VIEW_PEOPLE) == (CELL_B,)
    assert actor.scopes(Permission.MANAGE_ORG) == ()


def test_actor_without_grants_sees_nothing() -> None:
    actor = make_actor()
    assert actor.scopes(Permission.VIEW_UNIT) == ()
    assert not actor.may(Permission.VIEW_UNIT, CELL_A)


ORG_PERMISSIONS = (
    Permission.VIEW_UNIT,
    Permission.VIEW_PEOPLE,
    Permission.MANAGE_ORG,
    Permission.READ_AUDIT,
)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, set(ORG_PERMISSIONS)),
        (Role.LEADER, {Permission.VIEW_UNIT, Permission.VIEW_PEOPLE, Permission.READ_AUDIT}),
        (Role.INSPECTOR, {Permission.VIEW_UNIT, Permission.VIEW_PEOPLE}),
        (Role.SECRETARY, {Permission.VIEW_UNIT, Permission.VIEW_PEOPLE}),
        (Role.DEPUTY_SECRETARY, {Permission.VIEW_UNIT, Permission.VIEW_PEOPLE}),
        (Role.MEMBER, {Permission.VIEW_UNIT}),
    ],
)
def test_organisation_permissions_per_role(role: Role, allowed: set[Permission]) -> None:
    actor = make_actor((role, WARD_1))
    assert {p for p in ORG_PERMISSIONS if actor.may(p, CELL_A)} == allowed
    assert not any(actor.may(p, WARD_2) for p in Permission)


def test_admin_holds_every_permission() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)


def test_only_admin_manages_the_organisation() -> None:
    managers = [r for r in Role if Permission.MANAGE_ORG in ROLE_PERMISSIONS[r]]
    assert managers == [Role.ADMIN]


def test_require_visible_outside_scope_reads_as_missing() -> None:
    secretary_b = make_actor((Role.SECRETARY, CELL_B))
    secretary_b.require_visible(Permission.VIEW_UNIT, CELL_B, "unit_not_found")
    with pytest.raises(NotFoundError) as raised:
        secretary_b.require_visible(Permission.VIEW_UNIT, CELL_A, "unit_not_found")
    assert raised.value.code == "unit_not_found"


def test_require_inside_view_but_without_permission_is_forbidden() -> None:
    leader = make_actor((Role.LEADER, WARD_1))
    leader.require_visible(Permission.VIEW_UNIT, CELL_A, "unit_not_found")
    with pytest.raises(ForbiddenError) as raised:
        leader.require(Permission.MANAGE_ORG, CELL_A, "org_manage_forbidden")
    assert raised.value.code == "org_manage_forbidden"
    admin = make_actor((Role.ADMIN, CITY))
    admin.require(Permission.MANAGE_ORG, CELL_A, "org_manage_forbidden")


def test_secretary_never_sees_another_cell() -> None:
    secretary_a = make_actor((Role.SECRETARY, CELL_A))
    for permission in Permission:
        assert not secretary_a.may(permission, CELL_B)
        assert not secretary_a.may(permission, WARD_1)
        assert not secretary_a.may(permission, CITY)
    # a sibling cell whose id starts with this cell's id
    assert not secretary_a.may(Permission.VIEW_UNIT, "/c1/w1/ab/")


@pytest.mark.parametrize("permission", list(Permission))
def test_a_live_membership_gives_in_its_cell_what_a_member_grant_gives(
    permission: Permission,
) -> None:
    member = Actor(uuid4(), uuid4(), (), cells=(CELL_A,))
    granted = make_actor((Role.MEMBER, CELL_A))
    assert member.may(permission, CELL_A) is granted.may(permission, CELL_A)
    assert not member.may(permission, CELL_B)
