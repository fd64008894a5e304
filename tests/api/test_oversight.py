from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import httpx

from db.repositories.meetings import PiccoloMeetingRepository
from domain.meetings.model import (
    AttendanceRow,
    AttendanceStatus,
    LeaderVisit,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from domain.org.model import MembershipKind
from tests.factories import World, build_world, login
from tests.fakes import START


async def _held(world: World, start: datetime, member_status: AttendanceStatus) -> Meeting:
    meeting = Meeting(
        id=uuid4(),
        cell_id=world.cell_a.id,
        cell_path=world.cell_a.path,
        kind=MeetingKind.REGULAR,
        status=MeetingStatus.HELD,
        planned_start=start,
        planned_end=start + timedelta(hours=2),
        created_at=START,
        updated_at=START,
        attendance=[
            AttendanceRow(
                world.member_a.id, world.member_a.full_name, MembershipKind.FULL, member_status
            )
        ],
    )
    repo = PiccoloMeetingRepository()
    await repo.add(meeting)
    await repo.save(meeting, attendance=True)
    return meeting


async def test_member_with_unexcused_absences_in_three_months_is_flagged(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    for month in (2, 5, 9):
        await _held(world, datetime(2026, month, 4, 12, 30, tzinfo=UTC), AttendanceStatus.UNEXCUSED)
    await _held(world, datetime(2026, 5, 20, 12, 30, tzinfo=UTC), AttendanceStatus.UNEXCUSED)
    url = f"/api/v1/units/{world.cell_a.id}/absence-flags"
    reply = await client.get(
        url, params={"year": 2026}, headers=await login(client, world.secretary_a)
    )
    assert reply.json() == {
        "items": [
            {"personId": str(world.member_a.id), "fullName": "Lê Thị Hoa", "months": [2, 5, 9]}
        ],
        "nextCursor": None,
    }
    outside = await client.get(
        url, params={"year": 2026}, headers=await login(client, world.leader_2)
    )
    assert outside.status_code == 404
    previous = await client.get(
        url, params={"year": 2025}, headers=await login(client, world.leader_1)
    )
    assert previous.json() == {"items": [], "nextCursor": None}


async def test_leader_sees_quota_progress_of_followed_cells(client: httpx.AsyncClient) -> None:
    world = await build_world()
    visited = await _held(world, datetime(2026, 3, 4, 12, 30, tzinfo=UTC), AttendanceStatus.PRESENT)
    half = await _held(world, datetime(2026, 4, 4, 12, 30, tzinfo=UTC), AttendanceStatus.PRESENT)
    repo = PiccoloMeetingRepository()
    await repo.save_visit(LeaderVisit(visited.id, world.leader_1.id, START, START))
    await repo.save_visit(LeaderVisit(half.id, world.leader_1.id, START, None))
    reply = await client.get(
        "/api/v1/me/followed-cells", headers=await login(client, world.leader_1)
    )
    [cell] = reply.json()["items"]
    assert cell["cellName"] == "Chi bộ khu dân cư số 1"
    # quota 4 a year; by 27 November about 3.6 are due, only the visit confirmed both ways counts
    assert cell["quota"] | {"periodStart": None} == {
        "period": "year",
        "periodStart": None,
        "periodEnd": "2027-01-01",
        "quota": 4,
        "attended": 1,
        "expectedByNow": 3,
        "behind": True,
    }
    others = await client.get(
        "/api/v1/me/followed-cells", headers=await login(client, world.leader_2)
    )
    assert others.json() == {"items": [], "nextCursor": None}
