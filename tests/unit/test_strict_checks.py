"""The shared input checks of api/http/strict.py, by the path of every faulty value."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from api.http.strict import checker
from api.inspections.schemas import TemplateIn
from api.org.schemas import MembershipIn


def faults(body_type: type, body: dict[str, Any]) -> list[tuple[str, str]]:
    check = checker(body_type)
    assert check is not None
    return check(msgspec.convert(body, body_type), "")


def test_a_nul_deep_in_a_list_is_named_by_its_path() -> None:
    items = [
        {"key": "a", "question": "Đủ chưa?", "answerKind": "yes_no"},
        {"key": "b", "question": "x\x00", "answerKind": "yes_no", "guidance": "\x00"},
    ]
    found = faults(TemplateIn, {"name": "Mẫu", "items": items})
    assert found == [("items[1].question", "nul_character"), ("items[1].guidance", "nul_character")]


def test_free_json_is_searched_at_any_depth() -> None:
    class Free(msgspec.Struct):
        data: Any
        at: datetime

    check = checker(Free)
    assert check is not None
    value = Free(data={"a": [{"b\x00": 1}, "c\x00"]}, at=datetime(2026, 1, 1))  # noqa: DTZ001
    assert check(value, "") == [
        ("data.a[0]", "nul_character"),
        ("data.a[1]", "nul_character"),
        ("at", "naive_datetime"),
    ]
    assert check(Free(data=None, at=datetime(2026, 1, 1, tzinfo=UTC)), "") == []


def test_each_date_field_has_its_years() -> None:
    body = {"personId": "0" * 32, "cellId": "0" * 32, "kind": "full", "joinedOn": "1965-05-19"}
    assert faults(MembershipIn, body) == []
    assert faults(MembershipIn, {**body, "joinedOn": "1929-12-31"}) == [
        ("joinedOn", "date_out_of_range")
    ]
