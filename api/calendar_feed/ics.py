"""The iCalendar (RFC 5545) feed, written by the ``icalendar`` library: VEVENTs with UTC times.

The library folds lines at 75 octets without splitting a UTF-8 character, ends them in CRLF and
escapes TEXT values; we only drop the control characters RFC 5545 forbids in TEXT (3.3.11),
which it passes through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar

PRODID = "-//chibo//chibo 1.0//VI"
REFRESH = timedelta(hours=1)


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


def _text(value: str) -> str:
    """Line breaks as LF, controls other than LF and TAB dropped (TSAFE-CHAR)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in value if c in "\n\t" or (ord(c) >= 0x20 and ord(c) != 0x7F))  # noqa: PLR2004


def _vevent(event: Event) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", _text(event.uid))
    vevent.add("dtstamp", event.stamp.astimezone(UTC))
    vevent.add("dtstart", event.start.astimezone(UTC))
    vevent.add("dtend", event.end.astimezone(UTC))
    vevent.add("summary", _text(event.summary))
    if event.location:
        vevent.add("location", _text(event.location))
    if event.description:
        vevent.add("description", _text(event.description))
    vevent.add("status", event.status)
    vevent.add("sequence", event.sequence)
    if event.last_modified:
        vevent.add("last-modified", event.last_modified.astimezone(UTC))
    return vevent


def render(events: Iterable[Event], *, name: str | None = None, prodid: str = PRODID) -> bytes:
    """The whole calendar as UTF-8 bytes."""
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", prodid)
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", icalendar.vText(_text(name)))  # X- names are not typed
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    for event in events:
        calendar.add_component(_vevent(event))
    body: bytes = calendar.to_ical()
    return body
