"""The inspection's state machine, answers, conclusion and duration flag."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.errors import ConflictError, ForbiddenError, RuleViolationError
from domain.inspections.model import (
    Answer,
    AnswerKind,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionFlag,
    InspectionKind,
    InspectionPolicy,
    InspectionStatus,
    Recommendation,
    Severity,
)

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
LEAD = UUID("00000000-0000-0000-0000-00000000000a")
MEMBER = UUID("00000000-0000-0000-0000-00000000000b")
STRANGER = UUID("00000000-0000-0000-0000-00000000000c")
ITEMS = (
    ChecklistItem("met", "Sinh hoạt đủ hằng tháng?", AnswerKind.YES_NO),
    ChecklistItem("quality", "Chất lượng", AnswerKind.SCORE, max_score=5),
    ChecklistItem("comment", "Nhận xét", AnswerKind.TEXT),
    ChecklistItem("extra", "Ghi chú thêm", AnswerKind.TEXT, required=False),
    ChecklistItem("board", "Bảng tin", AnswerKind.YES_NO, required=False, photo_required=True),
)
FULL_ANSWERS: dict[str, str | int | bool] = {"met": True, "quality": 3, "comment": "Tốt"}
P, IP, C, CL = (
    InspectionStatus.PLANNED,
    InspectionStatus.IN_PROGRESS,
    InspectionStatus.CONCLUDED,
    InspectionStatus.CLOSED,
)


def make_template(items: tuple[ChecklistItem, ...] = ITEMS) -> ChecklistTemplate:
    owner = uuid4()
    return ChecklistTemplate(
        uuid4(), "Mẫu kiểm tra", 1, items, NOW - timedelta(days=30), owner, f"/{owner.hex}/"
    )


def make_inspection(**overrides: Any) -> Inspection:
    values: dict[str, Any] = {
        "id": uuid4(),
        "target_id": uuid4(),
        "target_path": "/city/ward/cell/",
        "kind": InspectionKind.PERIODIC,
        "status": P,
        "window_start": NOW,
        "window_end": NOW + timedelta(days=1),
        "topic": "Chế độ sinh hoạt",
        "lead_id": LEAD,
        "member_ids": (MEMBER,),
        "template": make_template(),
        "created_by": uuid4(),
        "created_at": NOW - timedelta(days=10),
        "updated_at": NOW - timedelta(days=10),
    }
    values.update(overrides)
    return Inspection(**values)


def started() -> Inspection:
    inspection = make_inspection()
    inspection.check_in(LEAD, NOW, None)
    return inspection


def answered() -> Inspection:
    inspection = started()
    for key, value in FULL_ANSWERS.items():
        inspection.answer(LEAD, Answer(key, value))
    return inspection


def concluded() -> Inspection:
    inspection = answered()
    inspection.conclude(LEAD, "Kết luận", [], NOW)
    return inspection


def recommendation() -> Recommendation:
    return Recommendation(uuid4(), "Bổ sung sổ", date(2027, 1, 15), responsible_unit_id=uuid4())


# -- allowed transitions -------------------------------------------------------------------------


def test_the_lead_check_in_starts_the_visit() -> None:
    inspection = make_inspection()
    inspection.check_in(LEAD, NOW, (21.03, 105.85))
    assert inspection.status is IP
    assert inspection.lead_checked_in_at == NOW
    assert inspection.check_in_location == (21.03, 105.85)


def test_a_member_check_in_does_not_start_the_visit() -> None:
    inspection = make_inspection()
    inspection.check_in(MEMBER, NOW, None)
    assert inspection.status is P
    assert inspection.lead_checked_in_at is None


def test_a_second_lead_check_in_keeps_the_first_instant() -> None:
    inspection = started()
    inspection.check_in(LEAD, NOW + timedelta(hours=1), (1.0, 1.0))
    assert inspection.lead_checked_in_at == NOW
    assert inspection.check_in_location is None
    assert inspection.status is IP


def test_conclusion_by_the_lead_with_recommendations() -> None:
    inspection = answered()
    recs = [recommendation()]
    inspection.conclude(LEAD, "Chi bộ thực hiện tốt", recs, NOW + timedelta(hours=3))
    assert inspection.status is C
    assert inspection.conclusion == "Chi bộ thực hiện tốt"
    assert inspection.concluded_at == NOW + timedelta(hours=3)
    assert inspection.recommendations == recs


def test_closing_once_every_task_is_closed() -> None:
    inspection = concluded()
    inspection.close(open_tasks=0)
    assert inspection.status is CL


def test_closing_with_open_tasks_is_refused() -> None:
    inspection = concluded()
    with pytest.raises(ConflictError) as raised:
        inspection.close(open_tasks=2)
    assert raised.value.code == "inspection_tasks_open"
    assert inspection.status is C


# -- forbidden transitions: every action from every state it is not allowed in -----------------

ACTIONS: dict[str, Callable[[Inspection], None]] = {
    "check_in": lambda i: i.check_in(LEAD, NOW, None),
    "answer": lambda i: i.answer(LEAD, Answer("met", value=True)),
    "finding": lambda i: i.add_finding(LEAD, Finding(uuid4(), "Thiếu sổ", Severity.LOW)),
    "conclude": lambda i: i.conclude(LEAD, "Kết luận", [], NOW),
    "close": lambda i: i.close(0),
}
ALLOWED = {
    "check_in": {P, IP},
    "answer": {IP},
    "finding": {IP},
    "conclude": {IP},
    "close": {C},
}


def in_status(status: InspectionStatus) -> Inspection:
    """An inspection in ``status`` with every required item answered."""
    inspection = answered()
    inspection.status = status
    return inspection


@pytest.mark.parametrize(
    ("action", "status"),
    [(a, s) for a in ACTIONS for s in InspectionStatus if s not in ALLOWED[a]],
)
def test_forbidden_transitions_are_conflicts(action: str, status: InspectionStatus) -> None:
    inspection = in_status(status)
    before = (inspection.status, dict(inspection.answers), list(inspection.findings))
    with pytest.raises(ConflictError) as raised:
        ACTIONS[action](inspection)
    assert raised.value.code == "inspection_status_invalid"
    assert (inspection.status, dict(inspection.answers), list(inspection.findings)) == before


@pytest.mark.parametrize(
    ("action", "status"), [(a, s) for a in ACTIONS for s in InspectionStatus if s in ALLOWED[a]]
)
def test_allowed_transitions_pass(action: str, status: InspectionStatus) -> None:
    ACTIONS[action](in_status(status))


def test_the_status_only_moves_forward() -> None:
    inspection = make_inspection()
    seen = [inspection.status]
    inspection.check_in(LEAD, NOW, None)
    seen.append(inspection.status)
    for key, value in FULL_ANSWERS.items():
        inspection.answer(MEMBER, Answer(key, value))
    inspection.conclude(LEAD, "Kết luận", [], NOW)
    seen.append(inspection.status)
    inspection.close(0)
    seen.append(inspection.status)
    assert seen == [P, IP, C, CL]


# -- team-only and lead-only ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "act",
    [
        lambda i: i.check_in(STRANGER, NOW, None),
        lambda i: i.answer(STRANGER, Answer("met", value=True)),
        lambda i: i.add_finding(STRANGER, Finding(uuid4(), "x", Severity.HIGH)),
    ],
)
def test_only_the_team_works_the_visit(act: Callable[[Inspection], None]) -> None:
    inspection = started()
    with pytest.raises(ForbiddenError) as raised:
        act(inspection)
    assert raised.value.code == "inspection_team_only"
    assert inspection.answers == {}
    assert inspection.findings == []


def test_a_member_answers_and_adds_findings() -> None:
    inspection = started()
    inspection.answer(MEMBER, Answer("met", value=False, note="Thiếu tháng 10"))
    inspection.add_finding(MEMBER, Finding(uuid4(), "Thiếu biên bản", Severity.MEDIUM))
    assert inspection.answers["met"].value is False
    assert [f.severity for f in inspection.findings] == [Severity.MEDIUM]


@pytest.mark.parametrize("who", [MEMBER, STRANGER])
def test_only_the_lead_concludes(who: UUID) -> None:
    inspection = answered()
    with pytest.raises(ForbiddenError) as raised:
        inspection.conclude(who, "Kết luận", [], NOW)
    assert raised.value.code == "inspection_lead_only"
    assert inspection.status is IP
    assert inspection.conclusion is None


def test_an_answer_can_be_replaced() -> None:
    inspection = started()
    inspection.answer(LEAD, Answer("quality", 2))
    inspection.answer(MEMBER, Answer("quality", 4))
    assert inspection.answers["quality"].value == 4


# -- answers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("met", True),
        ("met", False),
        ("quality", 0),
        ("quality", 5),
        ("comment", "Đạt"),
        ("extra", "x"),
    ],
)
def test_valid_answers(key: str, value: str | int | bool) -> None:
    inspection = started()
    inspection.answer(LEAD, Answer(key, value))
    assert inspection.answers[key].value == value


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("met", 1),
        ("met", "yes"),
        ("quality", -1),
        ("quality", 6),
        ("quality", True),
        ("quality", "3"),
        ("comment", ""),
        ("comment", "   "),
        ("comment", 5),
        ("comment", False),
    ],
)
def test_invalid_answers(key: str, value: str | int | bool) -> None:
    inspection = started()
    with pytest.raises(RuleViolationError) as raised:
        inspection.answer(LEAD, Answer(key, value))
    assert raised.value.code == "answer_invalid"
    assert inspection.answers == {}


def test_an_unknown_item_is_refused() -> None:
    inspection = started()
    with pytest.raises(RuleViolationError) as raised:
        inspection.answer(LEAD, Answer("nope", value=True))
    assert raised.value.code == "checklist_item_unknown"


def test_a_photo_is_required_where_the_item_says_so() -> None:
    inspection = started()
    with pytest.raises(RuleViolationError) as raised:
        inspection.answer(LEAD, Answer("board", value=True))
    assert raised.value.code == "answer_photo_required"
    inspection.answer(LEAD, Answer("board", value=True, photo_ids=(uuid4(),)))
    assert "board" in inspection.answers


# -- conclusion needs every required item ---------------------------------------------------------


def test_conclusion_lists_the_missing_required_items() -> None:
    inspection = started()
    inspection.answer(LEAD, Answer("quality", 3))
    inspection.answer(LEAD, Answer("extra", "chỉ mục không bắt buộc"))
    with pytest.raises(ConflictError) as raised:
        inspection.conclude(LEAD, "Kết luận", [], NOW)
    assert raised.value.code == "checklist_incomplete"
    assert raised.value.detail["missing"] == ["met", "comment"]
    assert inspection.status is IP


def test_optional_items_are_not_needed_for_the_conclusion() -> None:
    inspection = answered()
    assert inspection.unanswered() == []
    inspection.conclude(LEAD, "Kết luận", [], NOW)
    assert inspection.status is C


# -- templates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "items",
    [
        (),
        (ITEMS[0], ITEMS[0]),
        (ChecklistItem("s", "Điểm", AnswerKind.SCORE),),
        (ChecklistItem("y", "Có/không", AnswerKind.YES_NO, max_score=5),),
    ],
    ids=["empty", "duplicate-keys", "score-without-max", "max-without-score"],
)
def test_invalid_templates(items: tuple[ChecklistItem, ...]) -> None:
    with pytest.raises(RuleViolationError) as raised:
        make_template(items).check()
    assert raised.value.code == "checklist_items_invalid"


def test_a_valid_template_passes() -> None:
    make_template().check()


# -- duration flag -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "flagged"),
    [(1, False), (20, False), (26, False), (26.6, False), (26.7, True), (27, True), (40, True)],
)
def test_too_long_allows_the_third_extension(days: float, flagged: bool) -> None:
    inspection = make_inspection(window_end=NOW + timedelta(days=days))
    expected = [InspectionFlag.TOO_LONG] if flagged else []
    assert inspection.flags(InspectionPolicy()) == expected


def test_the_duration_limit_is_configuration() -> None:
    inspection = make_inspection(window_end=NOW + timedelta(days=11))
    assert inspection.flags(InspectionPolicy(grassroots_max_days=10, extension_ratio=0)) == [
        InspectionFlag.TOO_LONG
    ]
    assert inspection.flags(InspectionPolicy(grassroots_max_days=10, extension_ratio=0.1)) == []
