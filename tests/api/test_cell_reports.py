"""The cell report over HTTP: each figure from the records of a month (a meeting logged with its
attendance and a leader's visit, a task, a petition, an inspection), the caller's scope, a totals
row per ward, and the seal of a surprise inspection holding in the counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.api.document_calls import logged
from tests.api.helpers import Headers, problem
from tests.api.inspection_calls import INSPECTIONS, TEMPLATE, Scene, inspection_body
from tests.api.task_calls import new_task, record_petition
from tests.factories import login
from tests.fakes import FakeClock

REPORTS = "/api/v1/reports/units"


async def report(
    client: httpx.AsyncClient, headers: Headers, unit: Any, period: str = "2026-12"
) -> dict[str, Any]:
    reply = await client.get(
        f"{REPORTS}/{unit.id}/cells", params={"period": period}, headers=headers
    )
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


async def test_a_month_of_records_in_the_cell_report(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock)  # 4 December, 125 minutes, 2 present, 1 excused
    w = s.world
    await new_task(client, s.secretary, w.cell_a, w.member_a, due_on="2026-12-04")
    await record_petition(client, s.secretary, w, received_at="2026-12-05T01:00:00Z")
    template = await client.post("/api/v1/checklist-templates", json=TEMPLATE, headers=s.leader)
    surprise = inspection_body(
        Scene(w, s.leader, s.leader, template.json()),
        kind="surprise",
        windowStart=(clock.now() + timedelta(days=3)).isoformat(),
        windowEnd=(clock.now() + timedelta(days=3, hours=8)).isoformat(),
    )
    made = await client.post(INSPECTIONS, json=surprise, headers=s.leader)
    assert made.status_code == 201, made.text

    body = await report(client, s.leader, w.ward1)
    assert (body["unitName"], body["period"]) == (w.ward1.name, "2026-12")
    [row] = body["rows"]
    assert (row["cellId"], row["regularHeldOn"], row["band"]) == (
        str(w.cell_a.id),
        "2026-12-04",
        None,
    )
    f = row["figures"]
    assert (f["regularDue"], f["regularHeld"], f["regularOnTime"], f["regularFullLength"]) == (
        1, 1, 1, 1,
    )  # fmt: skip
    assert (f["attendancePresent"], f["attendanceExpected"], f["attendanceRate"]) == (2, 3, 66.7)
    assert (f["unexcusedAbsences"], f["repeatAbsentees"]) == (0, 0)
    assert (f["leaderVisits"], f["leaderVisitQuota"]) == (0, 0)  # a yearly 4: none in a month
    assert (f["inspectionsPlanned"], f["inspectionsDone"]) == (1, 0)
    assert (f["tasks"], f["tasksOpen"], f["tasksOverdue"], f["tasksClosed"]) == (
        2,
        2,
        1,
        0,
    )  # the petition's own task too
    assert (f["petitionsReceived"], f["petitionsOverdue"]) == (1, 0)
    [ward] = body["wards"]
    assert (ward["wardId"], ward["cells"], ward["figures"]) == (str(w.ward1.id), 1, f)

    # a visit counts once the secretary confirmed it too
    visit = f"{s.url}/leader-visits/{w.leader_1.id}/confirm"
    assert (await client.post(visit, json={}, headers=s.secretary)).status_code == 200
    f = (await report(client, s.leader, w.ward1))["rows"][0]["figures"]
    assert f["leaderVisits"] == 1

    # the inspected cell sees nothing of the sealed inspection, not even in a count
    inside = (await report(client, s.secretary, w.cell_a))["rows"][0]["figures"]
    assert inside["inspectionsPlanned"] == 0
    assert {k: v for k, v in inside.items() if not k.startswith("inspections")} == {
        k: v for k, v in f.items() if not k.startswith("inspections")
    }
    # once its window has started, it counts for them too
    clock.advance(timedelta(days=4))
    assert (await report(client, s.secretary, w.cell_a))["rows"][0]["figures"][
        "inspectionsPlanned"
    ] == 1


async def test_the_city_has_a_row_per_cell_and_totals_per_ward(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock)
    w = s.world
    admin = await login(client, w.admin)
    body = await report(client, admin, w.city, "2026")
    assert [r["cellName"] for r in body["rows"]] == [w.cell_a.name, w.cell_b.name]
    assert [(t["wardName"], t["cells"]) for t in body["wards"]] == [
        (w.ward1.name, 1), (w.ward2.name, 1),
    ]  # fmt: skip
    a, b = (r["figures"] for r in body["rows"])
    assert (a["regularDue"], a["regularHeld"], b["regularHeld"]) == (12, 1, 0)
    assert b["attendanceRate"] is None
    # a quarterly 1, a yearly 4: the year owes 4 visits, a single month none
    assert a["leaderVisitQuota"] == 4
    # a cell's secretary sees only their cell, and nothing above it
    problem(
        await client.get(
            f"{REPORTS}/{w.city.id}/cells", params={"period": "2026"}, headers=s.secretary
        ),
        404,
        "unit_not_found",
    )


@pytest.mark.parametrize(
    "period", ["2026-13", "2026-Q5", "26-11", "2026-H3", "1999", "2026-10M", ""]
)
async def test_a_bad_period_is_refused(
    client: httpx.AsyncClient, clock: FakeClock, period: str
) -> None:
    s = await logged(client, clock)
    reply = await client.get(
        f"{REPORTS}/{s.world.ward1.id}/cells", params={"period": period}, headers=s.leader
    )
    problem(reply, 422, "report_period_invalid")
