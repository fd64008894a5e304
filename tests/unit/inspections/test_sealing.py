"""Sealing: who sees an inspection, as a pure function of (actor, inspection, now)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.actors import Actor, Grant, Role
from domain.inspections.model import InspectionKind
from domain.inspections.sealing import SealFacts, is_sealed, may_see
from tests.unit.inspections.test_model import LEAD, MEMBER, make_inspection

CITY = "/city/"
WARD1 = "/city/ward1/"
WARD2 = "/city/ward2/"
CELL_A = "/city/ward1/cell_a/"
CELL_B = "/city/ward2/cell_b/"
START = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)
BEFORE = START - timedelta(days=3)
AFTER = START + timedelta(hours=1)
TICK = timedelta(microseconds=1)
CREATOR = uuid4()


def actor(
    *grants: tuple[Role, str], person: UUID | None = None, cells: tuple[str, ...] = ()
) -> Actor:
    return Actor(
        person_id=person or uuid4(),
        session_id=uuid4(),
        grants=tuple(Grant(role, uuid4(), path) for role, path in grants),
        cells=cells,
    )


def facts(target: str = CELL_A, **overrides: object) -> SealFacts:
    base = SealFacts(
        target_path=target,
        surprise=True,
        window_start=START,
        lead_checked_in_at=None,
        created_by=CREATOR,
        team=frozenset({LEAD, MEMBER}),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


# Who, on a surprise inspection of cell A: (name, actor, sees it sealed, sees it revealed).
CASES: list[tuple[str, Actor, bool, bool]] = [
    ("creator", actor((Role.LEADER, WARD1), person=CREATOR), True, True),
    ("lead", actor((Role.INSPECTOR, WARD1), person=LEAD), True, True),
    ("team member", actor((Role.INSPECTOR, WARD2), person=MEMBER), True, True),
    ("leader above the target", actor((Role.LEADER, WARD1)), True, True),
    ("leader of the city", actor((Role.LEADER, CITY)), True, True),
    ("admin above", actor((Role.ADMIN, CITY)), True, True),
    ("secretary of the target", actor((Role.SECRETARY, CELL_A)), False, True),
    ("deputy of the target", actor((Role.DEPUTY_SECRETARY, CELL_A)), False, True),
    ("member of the target", actor((Role.MEMBER, CELL_A)), False, True),
    (
        "leader who is a member of the target",
        actor((Role.LEADER, WARD1), (Role.MEMBER, CELL_A)),
        False,
        True,
    ),
    (
        "leader with only a membership in the target",
        actor((Role.LEADER, WARD1), cells=(CELL_A,)),
        False,
        True,
    ),
    (
        "admin above, a member of the target",
        actor((Role.ADMIN, CITY), cells=(CELL_A,)),
        False,
        True,
    ),
    (
        "leader above, a member of another cell",
        actor((Role.LEADER, WARD1), cells=(CELL_B,)),
        True,
        True,
    ),
    ("leader of another ward", actor((Role.LEADER, WARD2)), False, False),
    ("secretary of another cell", actor((Role.SECRETARY, CELL_B)), False, False),
    ("inspector not on the team", actor((Role.INSPECTOR, WARD1)), False, True),
    ("inspector of another ward", actor((Role.INSPECTOR, WARD2)), False, False),
    ("nobody", actor(), False, False),
]


@pytest.mark.parametrize(
    ("name", "who", "sealed_view", "open_view"), CASES, ids=[c[0] for c in CASES]
)
def test_who_sees_a_sealed_surprise_inspection(
    name: str, who: Actor, sealed_view: bool, open_view: bool
) -> None:
    assert may_see(who, facts(), BEFORE) is sealed_view
    assert may_see(who, facts(), AFTER) is open_view


def test_when_the_target_is_a_ward_its_own_leader_does_not_see_it_sealed() -> None:
    own_leader = actor((Role.LEADER, WARD1))
    city_leader = actor((Role.LEADER, CITY))
    secretary_below = actor((Role.SECRETARY, CELL_A))
    ward = facts(WARD1)
    assert not may_see(own_leader, ward, BEFORE)
    assert not may_see(secretary_below, ward, BEFORE)
    assert may_see(city_leader, ward, BEFORE)
    assert may_see(own_leader, ward, AFTER)
    assert not may_see(secretary_below, ward, AFTER)  # a ward is outside a cell's scope


def test_the_creator_inside_the_target_still_sees_it() -> None:
    creator = actor((Role.LEADER, CELL_A), person=CREATOR)
    assert may_see(creator, facts(), BEFORE)


def test_other_kinds_are_never_sealed() -> None:
    periodic = facts(surprise=False)
    assert not is_sealed(periodic, BEFORE)
    assert may_see(actor((Role.SECRETARY, CELL_A)), periodic, BEFORE)
    assert not may_see(actor((Role.LEADER, WARD2)), periodic, BEFORE)


def test_the_result_depends_only_on_its_inputs() -> None:
    who, seal = actor((Role.SECRETARY, CELL_A)), facts()
    assert [may_see(who, seal, BEFORE) for _ in range(3)] == [False] * 3
    assert [may_see(who, seal, AFTER) for _ in range(3)] == [True] * 3


# -- the reveal moment at both edges --------------------------------------------------------------


def test_the_window_start_reveals_it_to_the_microsecond() -> None:
    secretary = actor((Role.SECRETARY, CELL_A))
    assert is_sealed(facts(), START - TICK)
    assert not may_see(secretary, facts(), START - TICK)
    assert not is_sealed(facts(), START)
    assert may_see(secretary, facts(), START)


def test_the_lead_check_in_before_the_start_reveals_it_from_that_instant() -> None:
    secretary = actor((Role.SECRETARY, CELL_A))
    checked_in = START - timedelta(days=1)
    seal = facts(lead_checked_in_at=checked_in)
    assert is_sealed(seal, checked_in - TICK)
    assert not may_see(secretary, seal, checked_in - TICK)
    assert not is_sealed(seal, checked_in)
    assert may_see(secretary, seal, checked_in)
    assert may_see(secretary, seal, START - TICK)


def test_a_lead_check_in_through_the_model_reveals_it() -> None:
    secretary = actor((Role.SECRETARY, "/city/ward/cell/"))
    inspection = make_inspection(
        kind=InspectionKind.SURPRISE, window_start=START, window_end=START + timedelta(days=1)
    )
    checked_in = START - timedelta(hours=2)
    assert not may_see(secretary, inspection.seal, checked_in)
    inspection.check_in(LEAD, checked_in, None)
    assert not may_see(secretary, inspection.seal, checked_in - TICK)
    assert may_see(secretary, inspection.seal, checked_in)


def test_a_team_member_check_in_does_not_reveal_it() -> None:
    secretary = actor((Role.SECRETARY, "/city/ward/cell/"))
    inspection = make_inspection(
        kind=InspectionKind.SURPRISE, window_start=START, window_end=START + timedelta(days=1)
    )
    inspection.check_in(MEMBER, START - timedelta(hours=2), None)
    assert is_sealed(inspection.seal, START - timedelta(hours=1))
    assert not may_see(secretary, inspection.seal, START - TICK)
    assert may_see(secretary, inspection.seal, START)
