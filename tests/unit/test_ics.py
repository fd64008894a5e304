"""The feed the ``icalendar`` library writes for us: read back with the same library, and checked
on the wire for the RFC 5545 rules a phone calendar depends on (CRLF, 75-octet lines that are
whole UTF-8, escaped TEXT, UTC times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import icalendar

from api.calendar_feed.ics import Event, render

START = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)
HANOI = timezone(timedelta(hours=7))
LONG = "Sinh hoạt chi bộ thường kỳ — Chi bộ khu dân cư số 1, " * 6


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


def only_event(body: bytes) -> icalendar.Event:
    events = icalendar.Calendar.from_ical(body).events
    assert len(events) == 1
    return events[0]


def assert_wire_rules(body: bytes) -> None:
    text = body.decode()
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    for part in text.split("\r\n"):
        assert len(part.encode()) <= 75


def test_text_values_are_escaped_on_the_wire_and_read_back_whole() -> None:
    summary = "a\\b;c,d\ne — Nhà văn hóa: tổ 5"
    body = render([event(summary=summary)])
    assert "SUMMARY:a\\\\b\\;c\\,d\\ne — Nhà văn hóa: tổ 5" in unfold(body.decode()).split("\r\n")
    assert only_event(body)["SUMMARY"] == summary


def test_line_breaks_are_one_newline_and_controls_other_than_tab_are_dropped() -> None:
    body = render([event(description="dòng 1\r\ndòng 2\rdòng 3\ttab, bell\x07 dropped")])
    assert only_event(body)["DESCRIPTION"] == "dòng 1\ndòng 2\ndòng 3\ttab, bell dropped"


def test_long_vietnamese_lines_fold_at_75_octets_without_splitting_a_character() -> None:
    body = render([event(summary=LONG, location="ệ" * 100)])
    physical = body.decode().split("\r\n")
    assert any(part.startswith(" ") for part in physical)
    assert_wire_rules(body)  # each physical line decodes on its own: no split character
    parsed = only_event(body)
    assert parsed["SUMMARY"] == LONG
    assert parsed["LOCATION"] == "ệ" * 100


def test_times_are_written_in_utc_whatever_zone_they_come_in() -> None:
    local = datetime(2026, 12, 4, 19, 30, tzinfo=HANOI)
    body = render([event(start=local, end=local + timedelta(hours=2), last_modified=local)])
    lines = unfold(body.decode()).split("\r\n")
    assert "DTSTART:20261204T123000Z" in lines
    assert "DTEND:20261204T143000Z" in lines
    assert "LAST-MODIFIED:20261204T123000Z" in lines
    parsed = only_event(body)
    assert parsed.start == START
    assert isinstance(parsed.start, datetime)
    assert parsed.start.tzinfo is not None
    assert parsed.end == START + timedelta(hours=2)


def test_calendar_holds_its_header_and_the_event() -> None:
    body = render([event(location="Nhà văn hóa tổ 5, phường Ba Đình")], name="Lịch; của tôi")
    assert_wire_rules(body)
    lines = unfold(body.decode()).split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert {
        "VERSION:2.0",
        "PRODID:-//chibo//chibo 1.0//VI",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Lịch\\; của tôi",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    } <= set(lines)
    parsed = only_event(body)
    assert parsed["UID"] == "7f1c@chibo"
    assert parsed.stamp == START - timedelta(days=3)
    assert parsed.start == START
    assert parsed.end == START + timedelta(hours=2)
    assert parsed["SUMMARY"] == "Sinh hoạt chi bộ thường kỳ — Chi bộ khu dân cư số 1"
    assert parsed["LOCATION"] == "Nhà văn hóa tổ 5, phường Ba Đình"
    assert parsed["STATUS"] == "CONFIRMED"
    assert parsed["SEQUENCE"] == 0
    assert "DESCRIPTION" not in parsed
    assert "LAST-MODIFIED" not in parsed


def test_cancelled_event_and_description_with_newlines() -> None:
    body = render(
        [
            event(
                status="CANCELLED", sequence=3, description="Đã hủy: mưa bão\nNội dung:\n1. Báo cáo"
            )
        ]
    )
    lines = unfold(body.decode()).split("\r\n")
    assert "DESCRIPTION:Đã hủy: mưa bão\\nNội dung:\\n1. Báo cáo" in lines
    parsed = only_event(body)
    assert parsed["STATUS"] == "CANCELLED"
    assert parsed["SEQUENCE"] == 3
    assert parsed["DESCRIPTION"] == "Đã hủy: mưa bão\nNội dung:\n1. Báo cáo"


def test_empty_calendar_is_still_valid() -> None:
    body = render([])
    text = body.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert icalendar.Calendar.from_ical(body).events == []
