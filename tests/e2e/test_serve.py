"""`chibo migrate`, `chibo seed-demo` and `chibo serve` run as a newcomer runs them."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from db.seed_demo import DEMO_PASSWORD, demo_plan
from tests.processes import chibo, served


@pytest.mark.e2e
def test_a_demo_secretary_logs_in_to_the_served_app(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CHIBO_DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
        "CHIBO_SECRET_KEY": "e2e-secret-key-that-is-long-enough-0123456789",
    }
    chibo("migrate", env=env, cwd=tmp_path)
    seeded = chibo("seed-demo", env=env, cwd=tmp_path)
    # Names and phones of the demo do not depend on the day, only its dates do.
    cell = demo_plan(datetime.now(UTC).date()).wards[0].cells[0]
    secretary = cell.members[0].person
    assert secretary.phone in seeded

    with served(env, tmp_path) as base_url, httpx.Client(base_url=base_url, timeout=10) as http:
        login = http.post(
            "/api/v1/auth/login",
            json={"phone": secretary.phone, "password": DEMO_PASSWORD},
        )
        assert login.status_code == 200, login.text
        token = login.json()["accessToken"]
        me = http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        body = me.json()
        assert body["person"]["phone"] == secretary.phone
        assert [c["cellName"] for c in body["cells"]] == [cell.name]
        assert {(g["role"], g["unitName"]) for g in body["grants"]} == {("secretary", cell.name)}

        # last month's meeting, logged by the demo, gives its biên bản
        held = http.get(
            "/api/v1/meetings",
            params={"status": "held"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert held.status_code == 200, held.text
        meeting_id = max(held.json()["items"], key=lambda m: m["plannedStart"])["id"]
        minutes = http.get(
            f"/api/v1/meetings/{meeting_id}/minutes.docx",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert minutes.status_code == 200, minutes.text
        assert minutes.content.startswith(b"PK")  # a .docx is a zip package

        openapi = http.get("/api/docs/openapi.json")
        assert openapi.status_code == 200
        assert openapi.json()["openapi"].startswith("3.1")
        assert http.get("/api/docs").status_code == 200
