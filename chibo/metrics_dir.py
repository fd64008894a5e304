"""Prometheus's multi-process mode for `chibo serve --workers N`: every worker writes its
series to files in one folder and a scrape of any worker sums them (api/http/metrics.py)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def prepare_metrics_dir(workers: int) -> Path | None:
    """The folder the workers share, emptied: the operator's (PROMETHEUS_MULTIPROC_DIR) or, for
    several workers, a new one. Files left by an earlier run would be summed with this one's:
    counters that jump, gauges of processes long gone. Call before the workers start, which read
    the variable when they import prometheus_client."""
    given = os.environ.get(VARIABLE)
    if not given and workers <= 1:
        return None
    folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="chibo-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ[VARIABLE] = str(folder)
    return folder
