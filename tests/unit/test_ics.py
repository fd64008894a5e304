"""The RFC 5545 writer: escaping, folding at 75 octets without breaking UTF-8, CRLF, UTC times."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

from api.ics import Event, escape_text, fold, render, utc

START = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)


def event(**overrides: object) -> Event:
    values: dict[str, object] = {
        "uid": "7f1c@chibo",
        "stamp": START - timedelta(days=3),
        "start": START,
        "end": START + timedelta(hours=2),
        "summary": "Sinh hoạt chi bộ thường kỳ — Chi bộ khu dân cư số 1",
    }
    values.update(overrides)
    return Event(**values)  # type: ignore[arg-type]


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def test_text_escaping() -> None:
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    assert escape_text("dòng 1\r\ndòng 2\rdòng 3") == "dòng 1\\ndòng 2\\ndòng 3"
    assert escape_text("tab\tkept, bell\x07 dropped") == "tab\tkept\\, bell dropped"
    assert escape_text("Nhà văn hóa: tổ 5") == "Nhà văn hóa: tổ 5"  # colons need no escape


def test_short_lines_are_not_folded() -> None:
    assert fold("SUMMARY:ngắn") == "SUMMARY:ngắn"
    assert fold("X" * 75) == "X" * 75


def test_folding_at_75_octets_never_splits_a_vietnamese_character() -> None:
    line = "SUMMARY:" + "Sinh hoạt chi bộ thường kỳ — Chi bộ khu dân cư số 1, " * 6
    folded = fold(line)
    physical = folded.split("\r\n")
    assert len(physical) > 1
    for n, part in enumerate(physical):
        octets = part.encode()
        assert len(octets) <= 75
        octets.decode()  # each physical line is whole UTF-8 on its own
        assert part.startswith(" ") == (n > 0)
    assert unfold(folded) == line
    # Lines are filled: a line ends early only when the next character would not fit.
    for part, following in itertools.pairwise(physical):
        assert len(part.encode()) + len(following[1].encode()) > 75


def test_fold_of_multibyte_characters_only() -> None:
    line = "ệ" * 100  # 3 octets each
    physical = fold(line).split("\r\n")
    assert [len(p.encode()) for p in physical] == [75, 73, 73, 73, 10]
    assert unfold(fold(line)) == line


def test_utc_format_converts_from_any_offset() -> None:
    hanoi = timezone(timedelta(hours=7))
    assert utc(datetime(2026, 12, 4, 19, 30, tzinfo=hanoi)) == "20261204T123000Z"


def test_calendar_uses_crlf_everywhere_and_holds_the_event() -> None:
    body = render([event(location="Nhà văn hóa tổ 5, phường Ba Đình")], name="Lịch; của tôi")
    text = body.decode()
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = unfold(text).split("\r\n")[:-1]
    assert lines[:4] == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//chibo//chibo 1.0//VI",
                         "CALSCALE:GREGORIAN"]  # fmt: skip
    assert "X-WR-CALNAME:Lịch\\; của tôi" in lines
    assert lines[-1] == "END:VCALENDAR"
    begin = lines.index("BEGIN:VEVENT")
    assert lines[begin : lines.index("END:VEVENT") + 1] == [
        "BEGIN:VEVENT",
        "UID:7f1c@chibo",
        "DTSTAMP:20261201T123000Z",
        "DTSTART:20261204T123000Z",
        "DTEND:20261204T143000Z",
        "SUMMARY:Sinh hoạt chi bộ thường kỳ — Chi bộ khu dân cư số 1",
        "LOCATION:Nhà văn hóa tổ 5\\, phường Ba Đình",
        "STATUS:CONFIRMED",
        "SEQUENCE:0",
        "END:VEVENT",
    ]
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_cancelled_event_and_description_with_newlines() -> None:
    text = render(
        [event(status="CANCELLED", description="Đã hủy: mưa bão\nNội dung:\n1. Báo cáo")]
    ).decode()
    lines = unfold(text).split("\r\n")
    assert "STATUS:CANCELLED" in lines
    assert "DESCRIPTION:Đã hủy: mưa bão\\nNội dung:\\n1. Báo cáo" in lines


def test_empty_calendar_is_still_valid() -> None:
    text = render([]).decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "BEGIN:VEVENT" not in text
