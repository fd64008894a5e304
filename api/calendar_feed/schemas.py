"""The calendar feed token reply."""

from __future__ import annotations

from datetime import datetime

from api.http.schemas import Out


class CalendarTokenOut(Out):
    feed_path: str
    created_at: datetime
