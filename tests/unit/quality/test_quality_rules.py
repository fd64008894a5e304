"""Meeting quality rules at their edges: bands at the thresholds, must-be-full criteria capping Tốt
at Khá, points checked against the set, the annual band, the nearest set up the tree, who may
confirm (no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.errors import ConflictError, ForbiddenError, RuleViolationError
from domain.quality.model import (
    AnnualStep,
    Band,
    CriteriaSet,
    Criterion,
    Thresholds,
    ancestor_ids,
    nearest,
    scored,
)

AT = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)
SHEET = CriteriaSet(
    id=uuid4(),
    unit_id=None,
    version=1,
    name="Thang 100 điểm",
    criteria=(
        Criterion("prep", "preparation", "Chuẩn bị", 15),
        Criterion("attendance", "attendance", "Dự họp", 20, must_be_full=True),
        Criterion("conduct", "conduct", "Tiến hành", 45),
        Criterion("closing", "closing", "Kết thúc", 20),
    ),
    thresholds=Thresholds(good=90, fair=70, average=50),
    annual=(
        AnnualStep(Band.GOOD, 7, Band.FAIR),
        AnnualStep(Band.FAIR, 7, Band.AVERAGE),
        AnnualStep(Band.AVERAGE, 7),
    ),
    created_at=AT,
)


def points(total: int, *, attendance: int = 20) -> dict[str, int]:
    """``total`` points with ``attendance`` of them on the attendance criterion."""
    rest = total - attendance
    conduct = min(rest, 45)
    closing = min(rest - conduct, 20)
    return {"prep": rest - conduct - closing, "attendance": attendance, "conduct": conduct,
            "closing": closing}  # fmt: skip


@pytest.mark.parametrize(
    ("total", "band"),
    [(100, Band.GOOD), (90, Band.GOOD), (89, Band.FAIR), (70, Band.FAIR), (69, Band.AVERAGE),
     (50, Band.AVERAGE), (49, Band.POOR), (20, Band.POOR)],
)  # fmt: skip
def test_the_band_of_a_total_at_each_threshold(total: int, band: Band) -> None:
    score = SHEET.score(points(total))
    assert (score.total, score.band, score.capped) == (total, band, False)


def test_a_must_be_full_criterion_short_of_full_turns_tot_into_kha() -> None:
    score = SHEET.score({"prep": 15, "attendance": 19, "conduct": 45, "closing": 20})
    assert (score.total, score.band, score.capped) == (99, Band.FAIR, True)


def test_a_must_be_full_criterion_does_not_lower_a_band_below_tot() -> None:
    score = SHEET.score(points(75, attendance=10))
    assert (score.band, score.capped) == (Band.FAIR, False)


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"prep": 15, "attendance": 20, "conduct": 45}, "points.closing"),
        ({**points(100), "extra": 1}, "points.extra"),
        ({**points(100), "conduct": 46}, "points.conduct"),
        ({**points(100), "prep": -1}, "points.prep"),
    ],
)
def test_points_must_score_every_criterion_within_its_points(
    given: dict[str, int], field: str
) -> None:
    with pytest.raises(RuleViolationError) as refused:
        SHEET.score(given)
    assert refused.value.code == "quality_points_invalid"
    assert [f for f, _ in refused.value.detail["errors"]] == [field]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "change",
    [
        {"criteria": ()},
        {"criteria": (Criterion("a", "g", "A", 50), Criterion("a", "g", "B", 50))},
        {"criteria": (Criterion("a", "g", "A", 0),)},
        {"thresholds": Thresholds(good=70, fair=90, average=50)},
        {"thresholds": Thresholds(good=101, fair=70, average=50)},
        {"annual": (AnnualStep(Band.FAIR, 7), AnnualStep(Band.GOOD, 7))},
        {"annual": (AnnualStep(Band.POOR, 1),)},
    ],
)
def test_a_set_that_cannot_be_used_is_refused(change: dict[str, object]) -> None:
    SHEET.check()
    with pytest.raises(RuleViolationError) as refused:
        replace(SHEET, **change).check()  # type: ignore[arg-type]
    assert refused.value.code == "quality_criteria_invalid"


def test_the_annual_band_by_the_configured_rule() -> None:
    good, fair, average, poor = Band.GOOD, Band.FAIR, Band.AVERAGE, Band.POOR
    assert SHEET.annual_band([]) is None
    assert SHEET.annual_band([good] * 7 + [fair] * 5) is good
    assert SHEET.annual_band([good] * 6 + [fair] * 6) is fair  # six Tốt are not seven
    assert SHEET.annual_band([good] * 11 + [average]) is fair  # one below Khá
    assert SHEET.annual_band([fair] * 7 + [poor]) is average  # one below Trung bình
    assert SHEET.annual_band([average] * 6 + [poor] * 6) is poor
    lenient = replace(SHEET, annual=(AnnualStep(good, 1),))
    assert lenient.annual_band([good, poor]) is good


def test_the_nearest_set_up_the_tree_and_its_latest_version() -> None:
    city, ward, cell, other = uuid4(), uuid4(), uuid4(), uuid4()
    path = f"/{city.hex}/{ward.hex}/{cell.hex}/"
    assert ancestor_ids(path) == [city, ward, cell]
    default = SHEET
    city_v1 = replace(SHEET, id=uuid4(), unit_id=city)
    city_v2 = replace(city_v1, id=uuid4(), version=2)
    ward_v1 = replace(SHEET, id=uuid4(), unit_id=ward)
    elsewhere = replace(SHEET, id=uuid4(), unit_id=other, version=9)
    assert nearest([default], path) is default
    assert nearest([default, city_v1, city_v2, elsewhere], path) is city_v2
    assert nearest([city_v2, ward_v1, default, city_v1], path) is ward_v1
    assert nearest([elsewhere], path) is None


def test_only_an_attending_cadre_who_did_not_score_confirms_once() -> None:
    secretary, leader = uuid4(), uuid4()
    quality = scored(uuid4(), "/a/", SHEET, points(95), secretary, AT)
    with pytest.raises(ForbiddenError):
        quality.confirm(leader, False, AT)  # noqa: FBT003 - did not attend
    with pytest.raises(ForbiddenError):
        quality.confirm(secretary, True, AT)  # noqa: FBT003 - the scorer
    quality.confirm(leader, True, AT)  # noqa: FBT003
    assert (quality.confirmed_by, quality.confirmed_at) == (leader, AT)
    with pytest.raises(ConflictError):
        quality.confirm(uuid4(), True, AT)  # noqa: FBT003
    with pytest.raises(ConflictError):
        quality.rescore(SHEET, points(60), secretary, AT)
