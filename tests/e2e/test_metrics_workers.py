"""`chibo serve --workers 2`: both workers' requests are counted in one scrape, whichever worker
answers it, and the series a former run left in the metrics folder are gone at start."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests import processes
from tests.processes import CHIBO, chibo, free_port, wait_until_ready

TOKEN = "e2e-metrics-token-that-is-long-enough-012345"
MAX_REQUESTS = 2000  # the kernel spreads new connections over both workers long before this


def live_count(text: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "chibo_http_request_duration_seconds_count"
        and sample.labels["route"] == "/health/live"
    )


@pytest.mark.e2e
def test_two_workers_report_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # two processes importing the app at once on a busy 2-CPU machine take longer than one
    monkeypatch.setattr(processes, "STARTUP_SECONDS", 120)
    folder = tmp_path / "metrics"
    folder.mkdir()
    stale = folder / "histogram_999999.db"
    stale.write_bytes(b"left by an earlier run")
    env = {
        **os.environ,
        "CHIBO_DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
        "CHIBO_SECRET_KEY": "e2e-secret-key-that-is-long-enough-0123456789",
        "CHIBO_METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    chibo("migrate", env=env, cwd=tmp_path)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [str(CHIBO), "serve", "--port", str(port), "--workers", "2", "--no-worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_until_ready(server, base_url)
        assert not stale.exists()
        sent = 0
        # a new connection each time, so each request may land on either worker
        while len(list(folder.glob("histogram_*.db"))) < 2 and sent < MAX_REQUESTS:
            assert httpx.get(f"{base_url}/health/live", timeout=5).status_code == 200
            sent += 1
        assert len(list(folder.glob("histogram_*.db"))) == 2
        for _ in range(4):  # several scrapes, answered by either worker, agree
            reply = httpx.get(
                f"{base_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
            )
            assert reply.status_code == 200, reply.text
            assert live_count(reply.text) == sent
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
