"""A small iCalendar (RFC 5545) writer: VCALENDAR with VEVENTs, times in UTC.

Lines end in CRLF and are folded at 75 octets without splitting a UTF-8 character (3.1); TEXT
values escape backslash, semicolon, comma and newlines (3.3.11).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
MAX_LINE_OCTETS = 75
PRODID = "-//chibo//chibo 1.0//VI"


@dataclass(frozen=True, slots=True)
class Event:
    uid: str
    stamp: datetime
    start: datetime
    end: datetime
    summary: str
    location: str | None = None
    description: str | None = None
    status: str = "CONFIRMED"  # TENTATIVE / CONFIRMED / CANCELLED
    sequence: int = 0
    last_modified: datetime | None = None


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped, other controls dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(c for c in value if c in "\n\t" or (ord(c) >= 0x20 and ord(c) != 0x7F))  # noqa: PLR2004
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded into physical lines of at most 75 octets (CRLF excluded); each
    continuation starts with a space, which counts toward its 75."""
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, MAX_LINE_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_LINE_OCTETS - 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def utc(moment: datetime) -> str:
    """DATE-TIME in UTC form: 20261204T123000Z."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(event: Event) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{utc(event.stamp)}",
        f"DTSTART:{utc(event.start)}",
        f"DTEND:{utc(event.end)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    lines += [f"STATUS:{event.status}", f"SEQUENCE:{event.sequence}"]
    if event.last_modified:
        lines.append(f"LAST-MODIFIED:{utc(event.last_modified)}")
    lines.append("END:VEVENT")
    return lines


def render(events: Iterable[Event], *, name: str | None = None, prodid: str = PRODID) -> bytes:
    """The whole calendar as UTF-8 bytes."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{prodid}", "CALSCALE:GREGORIAN"]
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    lines += ["REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
    for event in events:
        lines += _event_lines(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines).encode()
