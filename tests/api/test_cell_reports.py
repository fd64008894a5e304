"""The cell report over HTTP: each figure from the records of a month (a meeting logged with its
attendance and a leader's visit, a task, a petition, an inspection), the caller's scope, a totals
row per ward, and the seal of a surprise inspection holding in the counts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from typing import Any

import httpx
import pytest
from docx.shared import Pt
from openpyxl import load_workbook

from domain.reports.model import METRICS
from tests.api.document_calls import DOCX, logged, opened, texts
from tests.api.helpers import Headers, if_match, problem
from tests.api.inspection_calls import INSPECTIONS, TEMPLATE, Scene, inspection_body
from tests.api.meeting_calls import MEETINGS, create, meeting_body, record_body
from tests.api.task_calls import new_task, record_petition
from tests.factories import login
from tests.fakes import FakeClock

REPORTS = "/api/v1/reports/units"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the JSON figures in the order of the files' columns, after the name and the meeting's day
FIGURE_ORDER = (
    "regularDue", "regularHeld", "regularOnTime", "regularFullLength", "thematicHeld",
    "attendancePresent", "attendanceExpected", "attendanceRate", "unexcusedAbsences",
    "repeatAbsentees", "leaderVisits", "leaderVisitQuota", "inspectionsPlanned",
    "inspectionsDone", "tasks", "tasksOpen", "tasksOverdue", "tasksEscalated", "tasksClosed",
    "tasksClosedOnTime", "medianDaysToClose", "petitionsReceived", "petitionsAnsweredOnTime",
    "petitionsAnsweredLate", "petitionsOverdue", "surveyAnswers", "surveySatisfied",
    "surveyNotResolved", "surveyAssisted",
)  # fmt: skip


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
    printed = opened(
        await client.get(
            f"{REPORTS}/{w.cell_a.id}/report.docx", params={"period": "2026-12"},
            headers=s.secretary,
        )
    )  # fmt: skip
    assert "- Cuộc kiểm tra theo kế hoạch: 0; đã hoàn thành: 0." in texts(printed)
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


def _number(text: str) -> int | float | None:
    """A .docx cell's Vietnamese number: 1.234 or 66,7; empty for none."""
    if not text:
        return None
    plain = text.replace(".", "").replace(",", ".")
    return float(plain) if "." in plain else int(plain)


async def test_the_xlsx_and_docx_show_the_numbers_of_the_json(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock)
    w = s.world
    await new_task(client, s.secretary, w.cell_a, w.member_a, due_on="2026-12-04")
    admin = await login(client, w.admin)
    url = f"{REPORTS}/{w.city.id}/cells"
    body = await report(client, admin, w.city)
    expected = []  # per line of the files: each ward's cells, then its totals
    for ward in body["wards"]:
        rows = [r for r in body["rows"] if r["wardId"] == ward["wardId"]]
        expected += [(r["cellName"], r["figures"]) for r in rows]
        expected.append((f"Cộng {ward['wardName']}", ward["figures"]))
    numbers = [[f[k] for k in FIGURE_ORDER] for _, f in expected]

    by_query = await client.get(url, params={"period": "2026-12", "format": "xlsx"}, headers=admin)
    by_accept = await client.get(
        url, params={"period": "2026-12"}, headers={**admin, "Accept": XLSX}
    )
    for reply in (by_query, by_accept):
        assert reply.status_code == 200, reply.text
        assert reply.headers["content-type"] == XLSX
    sheet = load_workbook(BytesIO(by_query.content)).active
    assert sheet is not None
    assert sheet["A1"].value == "THÀNH ỦY HÀ NỘI: KẾT QUẢ HOẠT ĐỘNG CÁC CHI BỘ"
    assert sheet["A2"].value.startswith("Kỳ báo cáo: tháng 12 năm 2026.")
    assert [c.value for c in sheet[4]][:3] == [None, "Sinh hoạt thường kỳ", None]  # merged
    assert [c.value for c in sheet[5]][:3] == ["Chi bộ", "Ngày họp", "Số tháng"]
    assert sheet["A6"].font.name == "Times New Roman"
    table = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    assert [r[0] for r in table] == [name for name, _ in expected]
    assert table[0][1].date() == date(2026, 12, 4)  # a real date, shown dd/mm/yyyy
    assert sheet["B6"].number_format == "dd/mm/yyyy"
    assert [r[2:-1] for r in table] == numbers
    assert [r[-1] for r in table] == [None] * len(table)  # nothing scored yet

    docx = await client.get(url, params={"period": "2026-12"}, headers={**admin, "Accept": DOCX})
    document = opened(docx)
    assert "BÁO CÁO" in [p.text for p in document.paragraphs]
    assert "Kết quả sinh hoạt và hoạt động của chi bộ tháng 12 năm 2026" in [
        p.text for p in document.paragraphs
    ]
    section = document.sections[0]
    width, height = section.page_width, section.page_height
    assert width is not None
    assert height is not None
    assert (round(width.mm), round(height.mm)) == (297, 210)
    grid = document.tables[1]  # after the header blocks
    cells = [[c.text for c in row.cells] for row in grid.rows]
    assert (cells[0][:2], cells[1][:3]) == (
        ["Chi bộ", "Sinh hoạt thường kỳ"], ["Chi bộ", "Ngày họp", "Số tháng"],
    )  # fmt: skip
    assert cells[2][1] == "04/12/2026"
    assert [r[0] for r in cells[2:]] == [name for name, _ in expected]
    assert [[_number(t) for t in r[2:-1]] for r in cells[2:]] == numbers
    assert grid.style is not None
    assert (grid.style.font.name, grid.style.font.size) == ("Times New Roman", Pt(7))
    assert "T/M ĐẢNG ỦY" in texts(document)


async def test_an_issued_report_is_kept_as_filed_and_a_correction_is_a_new_version(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock)
    w = s.world
    issues = f"{REPORTS}/{w.ward1.id}/cells/issues"
    december = {"period": "2026-12"}
    problem(
        await client.post(issues, params=december, headers=await login(client, w.member_a)),
        404,
        "unit_not_found",
    )  # a member does not see the ward
    problem(
        await client.post(
            f"{REPORTS}/{w.cell_a.id}/cells/issues",
            params=december,
            headers=await login(client, w.member_a),
        ),
        403,
        "report_issue_forbidden",
    )
    first = await client.post(issues, params=december, headers=s.leader)
    assert first.status_code == 201, first.text
    assert (first.json()["version"], first.json()["period"]) == (1, "2026-12")
    filed = await client.get(f"/api/v1/reports/issues/{first.json()['id']}", headers=s.leader)
    assert filed.status_code == 200, filed.text
    assert filed.json()["rows"][0]["figures"]["attendancePresent"] == 2
    assert filed.headers["etag"] == f'"{first.json()["contentHash"]}"'

    # the same figures later: the version already filed
    clock.advance(timedelta(hours=1))
    again = await client.post(issues, params=december, headers=s.leader)
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])

    # a correction to the records: a new version; the first is shown byte for byte as filed
    await new_task(client, s.secretary, w.cell_a, w.member_a)
    second = await client.post(issues, params=december, headers=s.leader)
    assert second.status_code == 201, second.text
    assert second.json()["version"] == 2
    assert second.json()["contentHash"] != first.json()["contentHash"]
    # each version keeps where the records it read stood: the new task moved the tasks' mark
    before = {i["entity"]: i for i in first.json()["inputs"]}
    after = {i["entity"]: i for i in second.json()["inputs"]}
    assert {"unit", "leader_assignment", "meeting", "leader_visits"} <= before.keys()
    assert "inspection" not in after  # a sealed one must move nothing the cell reads
    assert after["task"]["objects"] == before.get("task", {"objects": 0})["objects"] + 1
    assert after["task"]["position"] > max(i["position"] for i in before.values())
    assert after["meeting"] == before["meeting"]
    shown = await client.get(f"/api/v1/reports/issues/{first.json()['id']}", headers=s.leader)
    assert shown.content == filed.content
    meeting = before["meeting"]
    assert f"meeting={meeting['position']}/{meeting['objects']}" in shown.headers["report-inputs"]
    listed = await client.get(issues, params=december, headers=s.leader)
    assert [i["version"] for i in listed.json()["items"]] == [1, 2]
    # outside the caller's view, a filed report reads as missing
    problem(
        await client.get(
            f"/api/v1/reports/issues/{first.json()['id']}",
            headers=await login(client, w.secretary_b),
        ),
        404,
        "report_issue_not_found",
    )


async def test_a_figure_month_by_month(client: httpx.AsyncClient, clock: FakeClock) -> None:
    s = await logged(client, clock)  # December's meeting: 2 present
    w = s.world
    url = f"{REPORTS}/{w.ward1.id}/trend"
    reply = await client.get(
        url, params={"metric": "attendancePresent", "months": "3"}, headers=s.leader
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["metric"], body["unitId"]) == ("attendancePresent", str(w.ward1.id))
    assert body["points"] == [
        {"period": "2026-10", "value": 0},
        {"period": "2026-11", "value": 0},
        {"period": "2026-12", "value": 2},
    ]
    rate = await client.get(
        url, params={"metric": "attendanceRate", "months": "2"}, headers=s.leader
    )
    assert [p["value"] for p in rate.json()["points"]] == [None, 66.7]
    problem(
        await client.get(url, params={"metric": "typedTotal"}, headers=s.leader),
        422,
        "report_metric_invalid",
    )


async def test_the_periods_report_of_a_cell_and_a_ward_in_the_party_layout(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock)
    w = s.world
    await new_task(client, s.secretary, w.cell_a, w.member_a, due_on="2026-12-04")
    for unit, headers, symbol, signer in (
        (w.ward1, s.leader, "BC/ĐU", "T/M ĐẢNG ỦY"),
        (w.cell_a, s.secretary, "BC/CB", "T/M CHI BỘ"),
    ):
        f = (await report(client, headers, unit))["wards"][0]["figures"]
        reply = await client.get(
            f"{REPORTS}/{unit.id}/report.docx", params={"period": "2026-12"}, headers=headers
        )
        document = opened(reply)
        width, height = document.sections[0].page_width, document.sections[0].page_height
        assert width is not None
        assert height is not None
        assert (round(width.mm), round(height.mm)) == (210, 297)  # A4 upright
        found = texts(document)
        assert f"Số     -{symbol}" in found
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in found
        assert [t for t in found if t.startswith("Ba Đình, ngày")]
        paragraphs = [p.text for p in document.paragraphs]
        assert paragraphs[paragraphs.index("BÁO CÁO") + 1] == "Kết quả công tác tháng 12 năm 2026"
        for heading in (
            "I. TÌNH HÌNH SINH HOẠT CHI BỘ",
            "V. TIẾP NHẬN VÀ TRẢ LỜI ĐƠN THƯ, KIẾN NGHỊ",
        ):
            assert heading in paragraphs
        # the figures of the JSON report, in words
        assert (
            f"- Đảng viên phải dự: {f['attendanceExpected']} lượt; có mặt:"
            f" {f['attendancePresent']} lượt (66,7%); vắng không lý do:"
            f" {f['unexcusedAbsences']} lượt; đảng viên vắng không lý do 2 trong 3 tháng gần"
            f" nhất: {f['repeatAbsentees']} đồng chí." in paragraphs
        )
        assert (
            f"- Nhiệm vụ giao trong kỳ: {f['tasks']}; đang thực hiện: {f['tasksOpen']}; quá hạn:"
            f" {f['tasksOverdue']}; chuyển cấp trên: {f['tasksEscalated']}; hoàn thành:"
            f" {f['tasksClosed']}, trong đó đúng hạn: {f['tasksClosedOnTime']}." in paragraphs
        )
        assert any(
            p.startswith(f"- Tiếp nhận: {f['petitionsReceived']}; trả lời đúng hạn:")
            for p in paragraphs
        )
        assert signer in [p.text for c in document.tables[-1].rows[0].cells for p in c.paragraphs]
    cell_lines = [p.text for p in document.paragraphs]
    assert "- Ngày sinh hoạt thường kỳ: 04/12/2026; xếp loại chất lượng: chưa xếp loại." in (
        cell_lines
    )


@pytest.mark.parametrize("metric", sorted(METRICS))
async def test_each_trend_is_the_months_reports(
    client: httpx.AsyncClient, clock: FakeClock, metric: str
) -> None:
    """Every figure's trend, month by month, is the ward's totals row of that month's report
    (the trend reads the months at once, the report one month)."""
    s = await logged(client, clock)  # December's meeting, a leader's visit
    w = s.world
    # a thematic meeting in November: counted in November's and December's (the quarter's)
    november = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
    thematic = await create(client, s.secretary, meeting_body(w, november, kind="thematic"))
    held = await client.put(
        f"{MEETINGS}/{thematic['id']}/record",
        json=record_body(w, november),
        headers=if_match(s.secretary, 1),
    )
    assert held.status_code == 200, held.text
    await new_task(client, s.secretary, w.cell_a, w.member_a, due_on="2026-12-04")
    for received_at in ("2026-10-06T03:00:00Z", "2026-11-27T02:00:00Z"):
        await record_petition(client, s.secretary, w, received_at=received_at)
    clock.advance(timedelta(days=31))  # January: its report has nothing yet
    camel = re.sub(r"_([a-z])", lambda m: m[1].upper(), metric)
    reply = await client.get(
        f"{REPORTS}/{w.ward1.id}/trend", params={"metric": camel, "months": "4"}, headers=s.leader
    )
    assert reply.status_code == 200, reply.text
    months = ("2026-10", "2026-11", "2026-12", "2027-01")
    expected = [
        {
            "period": m,
            "value": (await report(client, s.leader, w.ward1, m))["wards"][0]["figures"][camel],
        }
        for m in months
    ]
    assert reply.json()["points"] == expected
    # from December on: November, before the trend's first month, is still December's quarter
    later = await client.get(
        f"{REPORTS}/{w.ward1.id}/trend", params={"metric": camel, "months": "2"}, headers=s.leader
    )
    assert later.json()["points"] == expected[2:]
