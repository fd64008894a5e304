"""The caller's language: Vietnamese unless Accept-Language prefers English. Every reply names it
in Content-Language (api/http/edge.py)."""

from __future__ import annotations

from domain.org.model import Locale


def negotiate(accept_language: str | None) -> Locale:
    best, best_q = Locale.VI, 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        try:
            q = float(params.strip().removeprefix("q=")) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        if language in {"vi", "en"} and q > best_q:
            best, best_q = Locale(language), q
    return best
