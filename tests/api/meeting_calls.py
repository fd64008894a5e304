"""The meeting endpoints and the calls the meeting tests share: request bodies, a created, a
planned, a finalised meeting, and what the database holds of one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx

from db.tables import AttendanceTable, MeetingTable
from tests.api.helpers import Headers, if_match
from tests.factories import World, build_world, login
from tests.fakes import FakeClock

MEETINGS = "/api/v1/meetings"
DEC_4 = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)  # 19:30 in Hà Nội
AGENDA = {"agenda": [{"title": "Báo cáo tình hình", "kind": "report", "minutes": 30}]}


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def meeting_body(world: World, start: datetime = DEC_4, **extra: Any) -> dict[str, Any]:
    return {
        "cellId": str(world.cell_a.id),
        "kind": "extraordinary",
        "plannedStart": iso(start),
        "plannedEnd": iso(start + timedelta(minutes=120)),
        **extra,
    }


async def create(
    client: httpx.AsyncClient, headers: Headers, body: dict[str, Any]
) -> dict[str, Any]:
    reply = await client.post(MEETINGS, json=body, headers=headers)
    assert reply.status_code == 201, reply.text
    return reply.json()  # type: ignore[no-any-return]


def record_body(world: World, start: datetime = DEC_4, **extra: Any) -> dict[str, Any]:
    return {
        "actualStart": iso(start),
        "actualEnd": iso(start + timedelta(minutes=120)),
        "chairId": str(world.secretary_a.id),
        "minuteTakerId": str(world.member_a.id),
        "minutesText": "Chi bộ thảo luận và thống nhất.",
        "resolutions": [{"text": "Tổ chức vệ sinh khu phố", "votesFor": 2}],
        "attendance": [
            {"personId": str(world.secretary_a.id), "status": "present"},
            {"personId": str(world.member_a.id), "status": "present"},
        ],
        **extra,
    }


async def stored(meeting_id: str | UUID) -> dict[str, Any]:
    row = (
        await MeetingTable.select(
            MeetingTable.version,
            MeetingTable.status,
            MeetingTable.planned_start,
            MeetingTable.planned_end,
            MeetingTable.actual_start,
            MeetingTable.chair,
            MeetingTable.notice_published_at,
        )
        .where(MeetingTable.id == UUID(str(meeting_id)))
        .first()
    )
    assert row is not None
    return row


async def sheet_rows(meeting_id: str) -> int:
    return await AttendanceTable.count().where(  # type: ignore[no-any-return]
        AttendanceTable.meeting == UUID(meeting_id)
    )


@dataclass
class Setup:
    world: World
    secretary: Headers
    meeting: dict[str, Any]

    @property
    def url(self) -> str:
        return f"{MEETINGS}/{self.meeting['id']}"


async def setup(client: httpx.AsyncClient, start: datetime = DEC_4, **extra: Any) -> Setup:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    return Setup(
        world, secretary, await create(client, secretary, meeting_body(world, start, **extra))
    )


async def finalized(client: httpx.AsyncClient, clock: FakeClock) -> Setup:
    s = await setup(client)
    clock.advance(timedelta(days=8))
    logged = await client.put(
        f"{s.url}/record", json=record_body(s.world), headers=if_match(s.secretary, 1)
    )
    assert logged.status_code == 200, logged.text
    final = await client.post(f"{s.url}/finalize", headers=if_match(s.secretary, 2))
    assert final.status_code == 200, final.text
    assert final.headers["etag"] == '"3"'
    return s


async def planned(
    client: httpx.AsyncClient, world: World, headers: dict[str, str]
) -> dict[str, Any]:
    rule = {"kind": "day_of_month", "day": 4, "at": "19:30", "durationMinutes": 120}
    reply = await client.put(
        f"/api/v1/units/{world.cell_a.id}/meeting-rule", json=rule, headers=headers
    )
    assert reply.status_code == 200, reply.text
    plan = f"/api/v1/units/{world.cell_a.id}/meetings/plan"
    assert (await client.post(plan, headers=headers)).json() == {"planned": 3}
    assert (await client.post(plan, headers=headers)).json() == {"planned": 0}
    listed = await client.get(
        "/api/v1/meetings", params={"cellId": str(world.cell_a.id)}, headers=headers
    )
    items = listed.json()["items"]
    assert [m["occurrence"] for m in items] == ["2026-12", "2027-01", "2027-02"]
    first: dict[str, Any] = items[0]
    return first
