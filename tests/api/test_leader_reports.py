"""The leader report over HTTP: a leader's visits confirmed both ways against the quota owed in
the period, the cells not visited for N months, who may read it, and the same numbers in the
JSON, the .xlsx and the .docx (and in the cell report's columns of the leaders' visits)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import httpx
from openpyxl import load_workbook

from tests.api.document_calls import DOCX, logged, opened, texts
from tests.api.helpers import Headers, problem
from tests.factories import login
from tests.fakes import FakeClock

LEADERS = "/api/v1/reports/leaders"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def leader_report(
    client: httpx.AsyncClient, headers: Headers, leader: Any, period: str, **params: str
) -> dict[str, Any]:
    reply = await client.get(
        f"{LEADERS}/{leader.id}", params={"period": period, **params}, headers=headers
    )
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


async def test_a_leaders_visits_against_quota_and_the_cells_not_visited(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock)  # leader_1 at cell A's meeting of 4 December
    w = s.world
    body = await leader_report(client, s.leader, w.leader_1, "2026")
    assert (body["leaderName"], body["unvisitedMonths"], body["unvisitedSince"]) == (
        w.leader_1.full_name,
        3,
        "2026-10-01",
    )
    [row] = body["rows"]
    # not yet confirmed by the secretary: no visit counts
    assert (row["cellId"], row["followed"], row["visits"], row["quota"]) == (
        str(w.cell_a.id), True, 0, 4,
    )  # fmt: skip
    assert (row["lastVisitedOn"], row["unvisited"]) == (None, True)

    visit = f"{s.url}/leader-visits/{w.leader_1.id}/confirm"
    assert (await client.post(visit, json={}, headers=s.secretary)).status_code == 200
    body = await leader_report(client, s.leader, w.leader_1, "2026")
    [row] = body["rows"]
    assert (row["visits"], row["quota"], row["lastVisitedOn"], row["unvisited"]) == (
        1, 4, "2026-12-04", False,
    )  # fmt: skip
    assert body["totals"] == {
        "cells": 1, "visits": 1, "quota": 4, "unvisited": 0, "behind": True,
    }  # fmt: skip
    # the cell report counts the same visits and quota
    cells = await client.get(
        f"/api/v1/reports/units/{w.ward1.id}/cells", params={"period": "2026"}, headers=s.leader
    )
    figures = cells.json()["wards"][0]["figures"]
    assert (figures["leaderVisits"], figures["leaderVisitQuota"]) == (1, 4)

    # November: a yearly 4 owes none in a single month; no visit since September
    november = await leader_report(client, s.leader, w.leader_1, "2026-11", months="2")
    [row] = november["rows"]
    assert (row["visits"], row["quota"], row["lastVisitedOn"], row["unvisited"]) == (
        0, 0, None, True,
    )  # fmt: skip
    assert november["unvisitedSince"] == "2026-10-01"
    assert november["totals"]["behind"] is False


async def test_who_may_read_a_leaders_report(client: httpx.AsyncClient, clock: FakeClock) -> None:
    s = await logged(client, clock)
    w = s.world
    for reader in (w.admin, w.inspector):  # above the leader's unit
        await leader_report(client, await login(client, reader), w.leader_1, "2026-12")
    for outsider in (w.leader_2, w.secretary_a, w.member_a):
        problem(
            await client.get(
                f"{LEADERS}/{w.leader_1.id}",
                params={"period": "2026-12"},
                headers=await login(client, outsider),
            ),
            404,
            "person_not_found",
        )
    problem(
        await client.get(f"{LEADERS}/{w.leader_1.id}", params={"period": "12"}, headers=s.leader),
        422,
        "report_period_invalid",
    )


async def test_the_leader_reports_files_show_the_numbers_of_the_json(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock)
    w = s.world
    visit = f"{s.url}/leader-visits/{w.leader_1.id}/confirm"
    assert (await client.post(visit, json={}, headers=s.secretary)).status_code == 200
    body = await leader_report(client, s.leader, w.leader_1, "2026")
    expected = [
        [r["cellName"], r["visits"], r["quota"], "x" if r["unvisited"] else None]
        for r in body["rows"]
    ]
    t = body["totals"]
    expected.append(["Cộng", t["visits"], t["quota"], str(t["unvisited"])])
    url = f"{LEADERS}/{w.leader_1.id}"

    xlsx = await client.get(url, params={"period": "2026"}, headers={**s.leader, "Accept": XLSX})
    assert xlsx.headers["content-type"] == XLSX
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet["A1"].value == f"ĐỒNG CHÍ {w.leader_1.full_name.upper()}: DỰ SINH HOẠT CHI BỘ"
    assert [c.value for c in sheet[5]] == ["Chi bộ", "Lượt dự", "Định mức", "Lần dự gần nhất",
                                          "Chưa dự"]  # fmt: skip
    table = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    assert [[r[0], r[1], r[2], r[4]] for r in table] == expected
    assert table[0][3].date().isoformat() == body["rows"][0]["lastVisitedOn"]

    docx = await client.get(url, params={"period": "2026", "format": "docx"}, headers=s.leader)
    document = opened(docx)
    assert docx.headers["content-type"] == DOCX
    assert f"Kết quả dự sinh hoạt chi bộ của đồng chí {w.leader_1.full_name} năm 2026" in texts(
        document
    )
    grid = [[c.text for c in row.cells] for row in document.tables[1].rows]
    assert grid[1] == ["Chi bộ", "Lượt dự", "Định mức", "Lần dự gần nhất", "Chưa dự"]
    assert [[r[0], int(r[1]), int(r[2]), r[4] or None] for r in grid[2:]] == expected
    assert grid[2][3] == "04/12/2026"
    assert "NGƯỜI BÁO CÁO" in texts(document)
