"""The biên bản and the nghị quyết as .docx: the Party layout (header blocks, number and symbol,
place-and-date line, title, the body's facts, the signature blocks), A4, Times New Roman, the
configured margins; numbered once from the register; refused with what is missing."""

from __future__ import annotations

from datetime import timedelta

import httpx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from db.tables import DocumentNumberTable
from tests.api.document_calls import DISCUSSION, FULL_POINTS, logged, opened, texts
from tests.api.helpers import if_match, problem
from tests.factories import login
from tests.fakes import FakeClock


async def test_the_minutes_in_the_party_layout(client: httpx.AsyncClient, clock: FakeClock) -> None:
    s = await logged(client, clock)
    scored = await client.put(
        f"{s.url}/quality-score", json={"points": FULL_POINTS}, headers=if_match(s.secretary, 0)
    )
    assert scored.status_code == 200, scored.text
    reply = await client.get(f"{s.url}/minutes.docx", headers=s.secretary)
    document = opened(reply)
    assert reply.headers["content-disposition"] == 'attachment; filename="bien-ban-01-BB-CB.docx"'

    section = document.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin,
             section.bottom_margin, section.left_margin, section.right_margin)  # fmt: skip
    assert [round(size.mm) for size in sizes if size is not None] == [210, 297, 20, 20, 30, 15]

    header, signatures = document.tables
    left, right = header.rows[0].cells
    assert [p.text for p in left.paragraphs] == [
        "ĐẢNG ỦY PHƯỜNG BA ĐÌNH", "CHI BỘ KHU DÂN CƯ SỐ 1", "*", "Số 01-BB/CB",
    ]  # fmt: skip
    party = right.paragraphs[0].runs[0]
    assert (party.text, party.bold, party.underline, party.font.size) == (
        "ĐẢNG CỘNG SẢN VIỆT NAM", True, True, Pt(15),
    )  # fmt: skip
    dated = right.paragraphs[2].runs[0]
    assert dated.text == "Ba Đình, ngày 04 tháng 12 năm 2026"
    assert (dated.italic, dated.font.size) == (True, Pt(14))
    assert left.paragraphs[1].runs[0].bold is True

    body = [p.text for p in document.paragraphs]
    title = next(p for p in document.paragraphs if p.text == "BIÊN BẢN")
    assert (title.alignment, title.runs[0].bold, title.runs[0].font.size) == (
        WD_ALIGN_PARAGRAPH.CENTER, True, Pt(16),
    )  # fmt: skip
    assert "Sinh hoạt chi bộ thường kỳ tháng 12 năm 2026" in body
    assert "Thời gian bắt đầu: 19 giờ 30 phút, ngày 04 tháng 12 năm 2026." in body
    assert "Địa điểm: Nhà văn hóa tổ dân phố số 1." in body
    assert (
        "Tổng số đảng viên của chi bộ: 3 đồng chí; miễn sinh hoạt: 0 đồng chí; phải dự: 3 đồng"
        " chí (chính thức: 3, dự bị: 0)."
    ) in body
    assert (
        "Có mặt: 2 đồng chí (chính thức: 2, dự bị: 0); vắng mặt: 1 đồng chí (có lý do: 1, không"
        " lý do: 0); sinh hoạt nơi khác: 0 đồng chí."
    ) in body
    assert "- Đồng chí Đỗ Minh Khang: vắng có lý do (đi công tác)." in body
    assert "Khách mời (cấp ủy cấp trên dự): đồng chí Vũ Đức Minh." in body
    assert "Chủ trì: đồng chí Phạm Văn Bình. Thư ký: đồng chí Lê Thị Hoa." in body
    items = body[body.index("NỘI DUNG SINH HOẠT") + 1 : body.index("BIỂU QUYẾT")]
    assert items[:4] == [
        "1. Đánh giá kết quả tháng 11",
        "Người trình bày: đồng chí Phạm Văn Bình.",
        "Ý kiến phát biểu:",
        "- Đồng chí Lê Thị Hoa: Nhất trí với báo cáo.",
    ]
    assert "- Đồng chí Vũ Đức Minh: Phường hỗ trợ xe thu gom." in items
    assert "Kết luận của chủ trì: Ra quân ngày 13/12, đồng chí Hoa phụ trách." in items
    assert (
        "1. Ra quân vệ sinh môi trường khu dân cư: tán thành 2/2 đồng chí (100%), không tán"
        " thành 0, không biểu quyết 0."
    ) in body
    assert "Xếp loại chất lượng sinh hoạt chi bộ: Tốt (100 điểm)." in body
    assert body[-2].endswith("Hội nghị kết thúc lúc 21 giờ 35 phút cùng ngày.")

    taker, chair = signatures.rows[0].cells
    assert [p.text for p in taker.paragraphs if p.text] == [
        "NGƯỜI GHI BIÊN BẢN", "(Ký, ghi rõ họ tên)", "Lê Thị Hoa",
    ]  # fmt: skip
    assert [p.text for p in chair.paragraphs if p.text] == [
        "CHỦ TRÌ HỘI NGHỊ", "(Ký, ghi rõ họ tên)", "Phạm Văn Bình",
    ]  # fmt: skip
    runs = [r for p in document.paragraphs for r in p.runs] + [
        r for t in document.tables for c in t.rows[0].cells for p in c.paragraphs for r in p.runs
    ]
    assert {r.font.name for r in runs} == {"Times New Roman"}
    assert {r.font.size for r in runs} <= {Pt(14), Pt(15), Pt(16)}
    assert document.styles["Normal"].font.name == "Times New Roman"


async def test_the_resolution_has_a_number_of_its_own(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock)
    assert (await client.get(f"{s.url}/minutes.docx", headers=s.secretary)).status_code == 200
    document = opened(await client.get(f"{s.url}/resolution.docx", headers=s.secretary))
    found = texts(document)
    assert "Số 01-NQ/CB" in found
    assert "NGHỊ QUYẾT" in found
    assert "QUYẾT NGHỊ:" in found
    assert (
        "Chi bộ khu dân cư số 1 họp ngày 04 tháng 12 năm 2026 tại Nhà văn hóa tổ dân phố"
        " số 1, có 2/3 đảng viên dự. Sau khi thảo luận, Chi bộ"
    ) in found
    assert "2. Vận động đảng viên đóng đảng phí đúng hạn (tán thành 1/2 đồng chí)." in found
    receivers, signer = document.tables[1].rows[0].cells
    assert [p.text for p in receivers.paragraphs] == [
        "Nơi nhận:", "- Đảng ủy phường Ba Đình (b/c),", "- Đảng viên trong chi bộ,",
        "- Lưu Chi bộ.",
    ]  # fmt: skip
    assert [p.text for p in signer.paragraphs if p.text] == [
        "T/M CHI BỘ", "BÍ THƯ", "(Ký, ghi rõ họ tên)", "Phạm Văn Bình",
    ]  # fmt: skip


async def test_numbers_run_per_cell_and_type_and_are_kept_when_downloaded_again(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock)
    first = texts(opened(await client.get(f"{s.url}/minutes.docx", headers=s.secretary)))
    again = texts(opened(await client.get(f"{s.url}/minutes.docx", headers=s.secretary)))
    assert "Số 01-BB/CB" in first
    assert "Số 01-BB/CB" in again
    # a member reads the numbered minutes; issuing one is for whoever manages the meetings
    member = await login(client, s.world.member_a)
    assert "Số 01-BB/CB" in texts(opened(await client.get(f"{s.url}/minutes.docx", headers=member)))
    problem(
        await client.get(f"{s.url}/resolution.docx", headers=member),
        403,
        "document_issue_forbidden",
    )
    # the next meeting of the cell takes the next number
    clock.advance(timedelta(days=20))
    body = {
        "cellId": str(s.world.cell_a.id), "kind": "extraordinary",
        "plannedStart": "2026-12-20T01:00:00Z", "plannedEnd": "2026-12-20T03:00:00Z",
        "place": "Nhà văn hóa tổ dân phố số 1",
    }  # fmt: skip
    other = (await client.post("/api/v1/meetings", json=body, headers=s.secretary)).json()
    url = f"/api/v1/meetings/{other['id']}"
    agenda = {"agenda": [{"title": "Việc đột xuất", "kind": "discussion", "minutes": 30}]}
    noticed = await client.put(f"{url}/notice", json=agenda, headers=if_match(s.secretary, 1))
    assert noticed.status_code == 200, noticed.text
    record = {
        "actualStart": "2026-12-20T01:00:00Z", "actualEnd": "2026-12-20T02:45:00Z",
        "chairId": str(s.world.secretary_a.id), "minuteTakerId": str(s.world.member_a.id),
        "resolutions": [{"text": "Hỗ trợ gia đình khó khăn", "votesFor": 2}],
        "attendance": [
            {"personId": str(s.world.secretary_a.id), "status": "present"},
            {"personId": str(s.world.member_a.id), "status": "present"},
            {"personId": str(s.absentee.id), "status": "unexcused"},
        ],
    }  # fmt: skip
    assert (
        await client.put(f"{url}/record", json=record, headers=if_match(s.secretary, 2))
    ).status_code == 200
    # the open follow-ups of the last meeting are carried onto the agenda as review items
    said = {
        "items": [
            {"opinions": [], "conclusion": "Mỗi đảng viên ủng hộ 100.000 đồng."}
            for _ in noticed.json()["agenda"]
        ]
    }
    said_reply = await client.put(f"{url}/discussion", json=said, headers=if_match(s.secretary, 0))
    assert said_reply.status_code == 200, said_reply.text
    second = texts(opened(await client.get(f"{url}/minutes.docx", headers=s.secretary)))
    assert "Số 02-BB/CB" in second
    assert "- Đồng chí Đỗ Minh Khang: vắng không lý do." in second
    rows = await DocumentNumberTable.select(
        DocumentNumberTable.kind, DocumentNumberTable.term, DocumentNumberTable.number
    ).order_by(DocumentNumberTable.number)
    assert [(r["kind"], r["term"], r["number"]) for r in rows] == [
        ("minutes", "2025-01", 1), ("minutes", "2025-01", 2),
    ]  # fmt: skip


async def test_refused_with_what_is_missing_and_no_number_taken(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock, discussed=False)
    refused = problem(
        await client.get(f"{s.url}/minutes.docx", headers=s.secretary), 409, "document_incomplete"
    )
    assert refused["missing"] == ["conclusion:0", "conclusion:1"]
    assert await DocumentNumberTable.count() == 0
    short = {"items": DISCUSSION["items"][:1]}
    problem(
        await client.put(f"{s.url}/discussion", json=short, headers=if_match(s.secretary, 0)),
        422,
        "discussion_not_agenda",
    )
    said = await client.put(
        f"{s.url}/discussion", json=DISCUSSION, headers=if_match(s.secretary, 0)
    )
    assert (said.status_code, said.headers["etag"]) == (200, '"1"')
    stale = await client.put(
        f"{s.url}/discussion", json=DISCUSSION, headers=if_match(s.secretary, 0)
    )
    assert stale.status_code == 412
    got = await client.get(f"{s.url}/discussion", headers=s.secretary)
    assert got.json()["items"][1]["opinions"][1] == {
        "speaker": "Vũ Đức Minh", "text": "Phường hỗ trợ xe thu gom.",
    }  # fmt: skip
    assert (await client.get(f"{s.url}/minutes.docx", headers=s.secretary)).status_code == 200


async def test_a_planned_meeting_has_no_minutes(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock)
    body = {
        "cellId": str(s.world.cell_a.id), "kind": "extraordinary",
        "plannedStart": "2026-12-28T01:00:00Z", "plannedEnd": "2026-12-28T03:00:00Z",
    }  # fmt: skip
    planned = (await client.post("/api/v1/meetings", json=body, headers=s.secretary)).json()
    refused = problem(
        await client.get(f"/api/v1/meetings/{planned['id']}/resolution.docx", headers=s.secretary),
        409,
        "document_incomplete",
    )
    assert refused["missing"] == ["record", "actual_times", "resolutions"]
