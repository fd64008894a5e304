"""The probes' reply."""

from __future__ import annotations

from api.http.schemas import Out


class HealthOut(Out):
    status: str
