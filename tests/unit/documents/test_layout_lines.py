"""The issuing body's name in the header block: broken before the locality when too long for one
line, never inside it (no I/O)."""

from __future__ import annotations

from api.documents.layout import upper_body_lines


def test_a_short_name_stays_on_one_line() -> None:
    assert upper_body_lines("Đảng ủy phường Ba Đình", "Ba Đình") == "ĐẢNG ỦY PHƯỜNG BA ĐÌNH"


def test_a_long_name_breaks_before_its_locality() -> None:
    assert upper_body_lines("Đảng ủy phường Hoàn Kiếm", "Hoàn Kiếm") == (
        "ĐẢNG ỦY PHƯỜNG\nHOÀN KIẾM"
    )
    assert upper_body_lines("Đảng ủy phường Hoàn Kiếm mở rộng", "Hoàn Kiếm") == (
        "ĐẢNG ỦY PHƯỜNG HOÀN KIẾM MỞ RỘNG"
    )
