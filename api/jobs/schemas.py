"""The scheduled jobs' runs as the API answers them."""

from __future__ import annotations

from datetime import datetime

from api.http.schemas import Out


class JobOut(Out):
    name: str
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_duration_ms: int | None
    last_outcome: str | None  # ok | error; null: never ran
    last_error: str | None  # the latest error, even if later runs went well
    last_error_at: datetime | None
    next_run_at: datetime | None
