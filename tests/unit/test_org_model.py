"""Rules of the organisation tree, memberships and leader assignments: no I/O."""

from __future__ import annotations

import dataclasses
from datetime import date
from uuid import uuid4

import pytest

from domain.actors import Role
from domain.errors import ConflictError, RuleViolationError
from domain.org.model import (
    LeaderAssignment,
    Membership,
    MembershipKind,
    QuotaPeriod,
    RoleGrant,
    Unit,
    check_cell,
    check_leader_may_follow,
    unit_path,
)
from tests.factories import make_unit
from tests.fakes import START


def make_membership(**overrides: object) -> Membership:
    membership = Membership(
        id=uuid4(),
        person_id=uuid4(),
        cell_id=uuid4(),
        cell_path="/c/w/a/",
        kind=MembershipKind.FULL,
        exempt=False,
        exempt_resolution_date=None,
        joined_on=date(2020, 1, 1),
        left_on=None,
        created_at=START,
        updated_at=START,
    )
    return dataclasses.replace(membership, **overrides)  # type: ignore[arg-type]


def make_assignment(**overrides: object) -> LeaderAssignment:
    assignment = LeaderAssignment(
        id=uuid4(),
        leader_id=uuid4(),
        cell_id=uuid4(),
        cell_path="/c/w/a/",
        quota=4,
        period=QuotaPeriod.YEAR,
        started_on=date(2026, 1, 1),
        ended_on=None,
        created_at=START,
        updated_at=START,
    )
    return dataclasses.replace(assignment, **overrides)  # type: ignore[arg-type]


def make_grant(role: Role, unit: Unit) -> RoleGrant:
    return RoleGrant(uuid4(), uuid4(), unit.id, unit.path, role, None, START, START)


def _tree() -> tuple[Unit, Unit, Unit, Unit]:
    city = make_unit(None, "Thành ủy", "city")
    ward1 = make_unit(city, "Phường 1", "ward")
    ward2 = make_unit(city, "Phường 2", "ward")
    cell = make_unit(ward1, "Chi bộ 1", "cell", is_cell=True)
    return city, ward1, ward2, cell


def test_unit_path_nests_under_the_parent() -> None:
    city, ward1, _, cell = _tree()
    assert city.path == f"/{city.id.hex}/"
    assert cell.path == unit_path(ward1.path, cell.id) == f"{ward1.path}{cell.id.hex}/"


@pytest.mark.parametrize("target", ["itself", "child", "grandchild"])
def test_unit_cannot_move_into_its_own_subtree(target: str) -> None:
    city, ward1, _, _ = _tree()
    district = make_unit(ward1, "Khu", "area")
    below = make_unit(district, "Tổ", "group")
    new_parent = {"itself": ward1, "child": district, "grandchild": below}[target]
    with pytest.raises(RuleViolationError) as raised:
        ward1.check_move_under(new_parent)
    assert raised.value.code == "unit_move_cycle"
    ward1.check_move_under(city)


def test_unit_may_move_under_a_sibling() -> None:
    _, ward1, ward2, cell = _tree()
    cell.check_move_under(ward2)
    ward2.check_move_under(ward1)


def test_cell_cannot_have_children() -> None:
    _, _, ward2, cell = _tree()
    with pytest.raises(RuleViolationError) as raised:
        cell.check_may_hold_children()
    assert raised.value.code == "cell_cannot_have_children"
    with pytest.raises(RuleViolationError) as raised:
        ward2.check_move_under(cell)
    assert raised.value.code == "cell_cannot_have_children"


def test_inactive_unit_cannot_take_children() -> None:
    _, ward1, ward2, _ = _tree()
    ward2.active = False
    with pytest.raises(RuleViolationError) as raised:
        ward1.check_move_under(ward2)
    assert raised.value.code == "unit_inactive"


def test_check_cell_wants_an_active_cell() -> None:
    _, ward1, _, cell = _tree()
    check_cell(cell)
    with pytest.raises(RuleViolationError) as raised:
        check_cell(ward1)
    assert raised.value.code == "unit_not_cell"
    cell.active = False
    with pytest.raises(RuleViolationError) as raised:
        check_cell(cell)
    assert raised.value.code == "unit_inactive"


def test_exempt_membership_needs_the_resolution_date() -> None:
    with pytest.raises(RuleViolationError) as raised:
        make_membership(exempt=True).check()
    assert raised.value.code == "exempt_resolution_date_required"
    make_membership(exempt=True, exempt_resolution_date=date(2025, 6, 1)).check()


def test_membership_cannot_end_before_it_began() -> None:
    membership = make_membership(joined_on=date(2024, 5, 10))
    with pytest.raises(RuleViolationError) as raised:
        membership.end(date(2024, 5, 9))
    assert raised.value.code == "membership_dates_invalid"
    same_day = make_membership(joined_on=date(2024, 5, 10))
    same_day.end(date(2024, 5, 10))
    assert same_day.left_on == date(2024, 5, 10)


def test_membership_ends_once() -> None:
    membership = make_membership()
    membership.end(date(2026, 1, 1))
    with pytest.raises(ConflictError) as raised:
        membership.end(date(2026, 2, 1))
    assert raised.value.code == "membership_already_ended"
    assert membership.left_on == date(2026, 1, 1)


def test_assignment_ends_once_and_not_before_it_started() -> None:
    assignment = make_assignment(started_on=date(2026, 1, 1))
    with pytest.raises(RuleViolationError) as raised:
        assignment.end(date(2025, 12, 31))
    assert raised.value.code == "assignment_dates_invalid"
    assignment.end(date(2026, 3, 1))
    with pytest.raises(ConflictError) as conflict:
        assignment.end(date(2026, 4, 1))
    assert conflict.value.code == "assignment_already_ended"


def test_grant_revokes_once() -> None:
    _, ward1, _, _ = _tree()
    grant = make_grant(Role.LEADER, ward1)
    grant.revoke(START)
    with pytest.raises(ConflictError) as raised:
        grant.revoke(START)
    assert raised.value.code == "grant_already_revoked"


def test_leader_must_lead_a_unit_above_the_cell() -> None:
    city, ward1, ward2, cell = _tree()
    check_leader_may_follow([make_grant(Role.LEADER, ward1)], cell)
    check_leader_may_follow([make_grant(Role.LEADER, city)], cell)
    for grants in (
        [],
        [make_grant(Role.LEADER, ward2)],
        [make_grant(Role.INSPECTOR, ward1), make_grant(Role.ADMIN, city)],
    ):
        with pytest.raises(RuleViolationError) as raised:
            check_leader_may_follow(grants, cell)
        assert raised.value.code == "leader_grant_required"
