"""Whose checklist templates a caller may list: owners above or at their units, or inside them."""

from __future__ import annotations

import pytest

from domain.inspections.model import TemplateOwners, units_above

CITY, WARD1, WARD2 = "/c/", "/c/w1/", "/c/w2/"
CELL1 = "/c/w1/k1/"


def test_units_above_a_unit_include_itself() -> None:
    assert units_above(CELL1) == [CITY, WARD1, CELL1]


@pytest.mark.parametrize(
    ("owner", "admitted"),
    [
        (CITY, True),  # above the caller's ward
        (WARD1, True),  # the caller's ward itself
        (CELL1, True),  # inside it
        (WARD2, False),  # a sibling ward
        ("/c/w2/k7/", False),  # inside the sibling
        ("/c/w10/", False),  # a path that only starts with the same characters
    ],
)
def test_a_ward_leader_sees_templates_above_and_inside_the_ward(owner: str, admitted: bool) -> None:
    assert TemplateOwners.of((WARD1,)).admit(owner) is admitted


def test_without_scope_no_template() -> None:
    assert not TemplateOwners.of(()).admit(CITY)
