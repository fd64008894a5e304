"""The calls the document and meeting-quality tests share: a meeting of cell A logged with all
that its biên bản needs (an absentee with a reason, a visiting leader, each agenda item
discussed), the discussion body, the points of a score on the default set, a ward's own criteria
set, and opening a .docx."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from typing import Any

import httpx
from docx import Document
from docx.document import Document as DocxDocument

from db.repositories.org import PiccoloOrgRepository
from domain.org.model import Person
from tests.api.helpers import Headers, if_match
from tests.api.meeting_calls import DEC_4, MEETINGS, create, iso, meeting_body
from tests.factories import World, add_membership, build_world, login, make_person, password_hash
from tests.fakes import FakeClock

AGENDA = [
    {"title": "Đánh giá kết quả tháng 11", "kind": "report", "minutes": 40,
     "presenter": "Phạm Văn Bình"},
    {"title": "Triển khai vệ sinh môi trường", "kind": "discussion", "minutes": 50},
]  # fmt: skip
DISCUSSION = {
    "items": [
        {
            "opinions": [{"speaker": "Lê Thị Hoa", "text": "Nhất trí với báo cáo."}],
            "conclusion": "Chi bộ thống nhất đánh giá tháng 11 hoàn thành tốt nhiệm vụ.",
        },
        {
            "opinions": [
                {"speaker": "Lê Thị Hoa", "text": "Đề nghị ra quân sáng Chủ nhật."},
                {"speaker": "Vũ Đức Minh", "text": "Phường hỗ trợ xe thu gom."},
            ],
            "conclusion": "Ra quân ngày 13/12, đồng chí Hoa phụ trách.",
        },
    ]
}
# the default criteria set (the data migration): 100 points, Tốt needs the four marked full
FULL_POINTS = {
    "prep_content": 10, "prep_notice": 5, "att_rate": 10, "att_duration": 10,
    "con_procedure": 10, "con_contributions": 15, "con_tasks": 10, "con_criticism": 10,
    "clo_resolution": 10, "clo_minutes": 10,
}  # fmt: skip
# a ward's own set: two criteria, lower thresholds, one Tốt meeting makes a Tốt year
WARD_SHEET: dict[str, Any] = {
    "name": "Bộ tiêu chí của phường",
    "criteria": [
        {"code": "chuan_bi", "group": "preparation", "title": "Chuẩn bị", "maxPoints": 30},
        {"code": "tien_hanh", "group": "conduct", "title": "Tiến hành", "maxPoints": 70,
         "mustBeFull": True},
    ],
    "thresholds": {"good": 80, "fair": 60, "average": 40},
    "annual": [{"band": "good", "meetings": 1, "noneBelow": "fair"}],
}  # fmt: skip
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Documented:
    world: World
    secretary: Headers
    leader: Headers
    absentee: Person
    meeting: dict[str, Any]

    @property
    def url(self) -> str:
        return f"{MEETINGS}/{self.meeting['id']}"


def record(world: World, absentee: Person) -> dict[str, Any]:
    return {
        "actualStart": iso(DEC_4),
        "actualEnd": iso(DEC_4 + timedelta(minutes=125)),
        "chairId": str(world.secretary_a.id),
        "minuteTakerId": str(world.member_a.id),
        "minutesText": "Chi bộ thảo luận dân chủ, thống nhất cao.",
        "resolutions": [
            {"text": "Ra quân vệ sinh môi trường khu dân cư", "votesFor": 2},
            {"text": "Vận động đảng viên đóng đảng phí đúng hạn", "votesFor": 1, "votesAbstain": 1},
        ],
        "attendance": [
            {"personId": str(world.secretary_a.id), "status": "present"},
            {"personId": str(world.member_a.id), "status": "present"},
            {"personId": str(absentee.id), "status": "excused", "reason": "đi công tác"},
        ],
    }


async def logged(
    client: httpx.AsyncClient, clock: FakeClock, *, discussed: bool = True
) -> Documented:
    """A meeting of cell A on 4 December, held and logged in full, leader_1 visiting."""
    world = await build_world()
    absentee = make_person(world.cell_a, "Đỗ Minh Khang")
    await PiccoloOrgRepository().add_person(absentee, password_hash())
    await add_membership(world.cell_a, absentee)
    secretary = await login(client, world.secretary_a)
    leader = await login(client, world.leader_1)
    body = meeting_body(world, kind="regular", place="Nhà văn hóa tổ dân phố số 1")
    meeting = await create(client, secretary, body)
    url = f"{MEETINGS}/{meeting['id']}"
    noticed = await client.put(
        f"{url}/notice", json={"agenda": AGENDA}, headers=if_match(secretary, 1)
    )
    assert noticed.status_code == 200, noticed.text
    clock.advance(timedelta(days=8))
    done = await client.put(
        f"{url}/record", json=record(world, absentee), headers=if_match(secretary, 2)
    )
    assert done.status_code == 200, done.text
    visit = await client.post(
        f"{url}/leader-visits/{world.leader_1.id}/confirm", json={}, headers=leader
    )
    assert visit.status_code == 200, visit.text
    if discussed:
        said = await client.put(
            f"{url}/discussion", json=DISCUSSION, headers=if_match(secretary, 0)
        )
        assert said.status_code == 200, said.text
    return Documented(world, secretary, leader, absentee, done.json())


def opened(reply: httpx.Response) -> DocxDocument:
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == DOCX
    return Document(BytesIO(reply.content))


def texts(document: DocxDocument) -> list[str]:
    """Every paragraph's text, the tables' cells included, in reading order."""
    found = [p.text for p in document.paragraphs]
    for table in document.tables:
        for cell in table.rows[0].cells:
            found += [p.text for p in cell.paragraphs]
    return found
