"""Parsing a cell roster CSV (UTF-8, Vietnamese or English headers): every bad row by line."""

from __future__ import annotations

from datetime import date

import pytest

from api.org.roster import MAX_ROWS, parse_roster
from domain.errors import RuleViolationError
from domain.org.model import MembershipKind
from domain.org.roster import RowError

VI_HEADER = (
    "Họ và tên,Số điện thoại,Email,Loại,Ngày vào sinh hoạt,Miễn sinh hoạt,Ngày quyết định miễn"
)
EN_HEADER = "full_name,phone,email,kind,joined_on,exempt,exempt_resolution_date"


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    data = "\r\n".join(lines).encode()
    return (b"\xef\xbb\xbf" + data) if bom else data


def test_vietnamese_headers_bom_and_local_dates() -> None:
    rows, errors = parse_roster(
        csv_bytes(
            VI_HEADER,
            "Nguyễn Văn An,0912 345 678,an@example.vn,Chính thức,15/03/2019,,",
            "Trần Thị Bích,0987654321,,dự bị,2025-01-05,có,20/06/2025",
            bom=True,
        )
    )
    assert errors == []
    first, second = rows
    assert (first.line, first.full_name, first.phone) == (2, "Nguyễn Văn An", "+84912345678")
    assert first.email == "an@example.vn"
    assert first.kind is MembershipKind.FULL
    assert first.joined_on == date(2019, 3, 15)
    assert (first.exempt, first.exempt_resolution_date) == (False, None)
    assert (second.line, second.phone, second.email) == (3, "+84987654321", None)
    assert second.kind is MembershipKind.PROBATIONARY
    assert second.joined_on == date(2025, 1, 5)
    assert (second.exempt, second.exempt_resolution_date) == (True, date(2025, 6, 20))


def test_english_headers_in_any_order_and_case() -> None:
    rows, errors = parse_roster(
        csv_bytes(
            "Phone,Kind,Full_Name,Joined_On", "+84 912 000 111,probationary,Lê Hoa,01/12/2024"
        )
    )
    assert errors == []
    assert [(r.full_name, r.phone, r.kind, r.joined_on) for r in rows] == [
        ("Lê Hoa", "+84912000111", MembershipKind.PROBATIONARY, date(2024, 12, 1))
    ]


def test_short_vietnamese_header_spellings() -> None:
    rows, errors = parse_roster(
        csv_bytes("Họ tên,Điện thoại,Loại,Ngày vào sinh hoạt", "Phạm Bình,0912345678,full,1/2/2020")
    )
    assert errors == []
    assert rows[0].joined_on == date(2020, 2, 1)


def test_every_bad_field_is_reported_with_its_line() -> None:
    rows, errors = parse_roster(
        csv_bytes(
            EN_HEADER,
            "Good Person,0912345678,,full,2020-01-01,,",
            ",0912345679,,full,2020-01-01,,",
            "Bad Phone,12,,full,2020-01-01,,",
            "Bad Kind,0912345670,,chairman,2020-01-01,,",
            "Bad Date,0912345671,,full,31/02/2020,,",
            "Bad Email,0912345672,not-an-email,full,2020-01-01,,",
            "Bad Flag,0912345673,,full,2020-01-01,maybe,",
            "Bad Exempt Date,0912345674,,full,2020-01-01,x,2020/13/01",
            "Two Bad,abc,,?,yesterday,,",
        )
    )
    assert [r.line for r in rows] == [2]
    assert errors == [
        RowError(3, "fullName", "required"),
        RowError(4, "phone", "invalid_phone"),
        RowError(5, "kind", "invalid_kind"),
        RowError(6, "joinedOn", "invalid_date"),
        RowError(7, "email", "invalid_email"),
        RowError(8, "exempt", "invalid_boolean"),
        RowError(9, "exemptResolutionDate", "invalid_date"),
        RowError(10, "phone", "invalid_phone"),
        RowError(10, "kind", "invalid_kind"),
        RowError(10, "joinedOn", "invalid_date"),
    ]


def test_blank_lines_are_skipped_but_keep_line_numbers() -> None:
    rows, errors = parse_roster(
        csv_bytes(
            EN_HEADER,
            "An,0912345678,,full,2020-01-01,,",
            "",
            ",,,,,,",
            "Bình,bad,,full,2020-01-01,,",
        )
    )
    assert [r.line for r in rows] == [2]
    assert errors == [RowError(5, "phone", "invalid_phone")]


def test_short_row_reports_missing_required_fields() -> None:
    rows, errors = parse_roster(csv_bytes(EN_HEADER, "Chỉ Có Tên"))
    assert rows == []
    assert {(e.line, e.field) for e in errors} == {
        (2, "phone"),
        (2, "kind"),
        (2, "joinedOn"),
    }


def test_missing_required_columns_are_named() -> None:
    with pytest.raises(RuleViolationError) as raised:
        parse_roster(csv_bytes("Họ và tên,Email", "An,a@b.vn"))
    assert raised.value.code == "roster_invalid"
    assert raised.value.detail["errors"] == [
        ("line 1: phone", "column_missing"),
        ("line 1: kind", "column_missing"),
        ("line 1: joined_on", "column_missing"),
    ]


def test_empty_file_is_missing_every_column() -> None:
    with pytest.raises(RuleViolationError) as raised:
        parse_roster(b"")
    assert raised.value.code == "roster_invalid"


@pytest.mark.parametrize(
    "content",
    [
        # "Lê Hoa" in Windows-1258, the code page old Excel saves Vietnamese in
        b"full_name,phone,kind,joined_on\nL\xea Hoa,0912345678,full,2020-01-01\n",
        "Họ và tên,Số điện thoại\n".encode("utf-16"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"full_name,phone,kind,joined_on\nL\x00 Hoa,0912345678,full,2020-01-01\n",
    ],
)
def test_non_utf8_is_not_a_roster(content: bytes) -> None:
    with pytest.raises(RuleViolationError) as raised:
        parse_roster(content)
    assert raised.value.code == "roster_not_csv"


def test_too_many_rows_is_refused() -> None:
    lines = [f"Người {i},09{i:08d},full,2020-01-01" for i in range(MAX_ROWS + 1)]
    with pytest.raises(RuleViolationError) as raised:
        parse_roster(csv_bytes("full_name,phone,kind,joined_on", *lines))
    assert raised.value.detail["errors"] == [(f"line {MAX_ROWS + 2}", "too_many_rows")]


@pytest.mark.parametrize("line_end", ["\r", "\n", "\r\n"])
def test_any_line_end_reads_the_same(line_end: str) -> None:
    """Old Excel for Mac ends lines with a bare CR: the csv module failed on it with a 500."""
    content = line_end.join([EN_HEADER, "Lê Hoa,0912345678,,full,2020-01-01,,", ""]).encode()
    rows, errors = parse_roster(content)
    assert errors == []
    assert [(row.line, row.full_name) for row in rows] == [(2, "Lê Hoa")]


def test_broken_csv_is_not_a_roster() -> None:
    with pytest.raises(RuleViolationError) as raised:
        parse_roster(csv_bytes(EN_HEADER, '"Lê Hoa,0912345678,,full,2020-01-01,,'))
    assert raised.value.code == "roster_not_csv"
