"""Issuing documents at once: many phones download the minutes and resolutions of a cell's
meetings together, each meeting twice. Every document gets one number, no number is given twice,
the numbers run without a gap, and each type counts on its own. Each request commits on its own,
so the test owns a database of its own."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from io import BytesIO
from uuid import uuid4

import httpx
from docx import Document

from db.engine import Database
from db.repositories.documents import PiccoloDocumentRepository
from db.repositories.meetings import PiccoloMeetingRepository
from db.tables import DocumentNumberTable
from domain.documents.model import Discussion, ItemDiscussion
from domain.meetings.model import (
    AgendaItem,
    AgendaKind,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Resolution,
    attendance_sheet,
    meeting_day,
)
from tests.api.helpers import client_on
from tests.factories import World, build_world, login
from tests.fakes import START

MEETINGS = 4
NUMBER = re.compile(r"^Số (\d+)-(BB|NQ)/CB$")


async def _held(world: World, n: int) -> Meeting:
    """A meeting of cell A, logged with everything both documents need."""
    start = START - timedelta(days=3 + n)
    meeting = Meeting(
        uuid4(), world.cell_a.id, world.cell_a.path, MeetingKind.EXTRAORDINARY,
        MeetingStatus.HELD, start, start + timedelta(hours=2), START, START,
        place="Nhà văn hóa tổ dân phố số 1",
        agenda=[AgendaItem("Việc của khu dân cư", AgendaKind.DISCUSSION, 60)],
        actual_start=start, actual_end=start + timedelta(hours=2),
        chair_id=world.secretary_a.id, minute_taker_id=world.member_a.id,
        resolutions=[Resolution("Thống nhất triển khai", votes_for=2)],
    )  # fmt: skip
    repo = PiccoloMeetingRepository()
    meeting.attendance = attendance_sheet(
        await repo.roster_on(world.cell_a.id, meeting_day(meeting))
    )
    for row in meeting.attendance:
        row.status = AttendanceStatus.PRESENT
    await repo.add(meeting)
    await repo.save(meeting, attendance=True)
    item = ItemDiscussion((), "Chi bộ thống nhất.")
    await PiccoloDocumentRepository().save_discussion(
        Discussion(meeting.id, meeting.cell_path, [item], version=1, updated_at=START), 0
    )
    return meeting


def _number(reply: httpx.Response) -> tuple[str, int]:
    assert reply.status_code == 200, reply.text
    document = Document(BytesIO(reply.content))
    found = [
        NUMBER.match(p.text) for t in document.tables for c in t.rows[0].cells for p in c.paragraphs
    ]
    [match] = [m for m in found if m]
    return match[2], int(match[1])


async def test_documents_issued_at_once_get_distinct_numbers_without_gaps(
    committed: Database,
) -> None:
    world = await build_world()
    meetings = [await _held(world, n) for n in range(MEETINGS)]
    async with client_on(committed) as client:
        secretary = await login(client, world.secretary_a)
        urls = [
            f"/api/v1/meetings/{m.id}/{kind}.docx"
            for m in meetings
            for kind in ("minutes", "resolution")
            for _ in range(2)  # each document asked for twice at once
        ]
        replies = await asyncio.gather(*(client.get(url, headers=secretary) for url in urls))
    numbers: dict[str, set[tuple[int, str]]] = {"BB": set(), "NQ": set()}
    for url, reply in zip(urls, replies, strict=True):
        kind, number = _number(reply)
        numbers[kind].add((number, url))
    for kind in ("BB", "NQ"):
        by_url = {url: number for number, url in numbers[kind]}
        assert len(by_url) == MEETINGS, f"{kind}: a document got two numbers"
        assert sorted(by_url.values()) == list(range(1, MEETINGS + 1)), kind
    assert await DocumentNumberTable.count() == 2 * MEETINGS
