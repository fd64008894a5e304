from __future__ import annotations

from datetime import timedelta

import httpx

from tests.api.helpers import if_match
from tests.api.meeting_calls import planned
from tests.factories import build_world, login
from tests.fakes import FakeClock


async def test_plan_notice_log_finalize_amend(client: httpx.AsyncClient, clock: FakeClock) -> None:
    world = await build_world()
    headers = await login(client, world.secretary_a)
    meeting = await planned(client, world, headers)
    url = f"/api/v1/meetings/{meeting['id']}"
    assert meeting["plannedStart"] == "2026-12-04T12:30:00Z"  # 19:30 in Hà Nội

    got = await client.get(url, headers=headers)
    assert got.headers["etag"] == '"1"'
    sheet = got.json()["attendance"]
    assert {row["fullName"] for row in sheet} == {"Lê Thị Hoa", "Phạm Văn Bình"}

    agenda = {"agenda": [{"title": "Báo cáo tình hình", "kind": "report", "minutes": 30}]}
    assert (await client.put(f"{url}/notice", json=agenda, headers=headers)).status_code == 428
    stale = await client.put(f"{url}/notice", json=agenda, headers=if_match(headers, 7))
    assert stale.status_code == 412
    assert stale.json()["currentVersion"] == 1
    noticed = await client.put(f"{url}/notice", json=agenda, headers=if_match(headers, 1))
    assert noticed.status_code == 200
    assert noticed.headers["etag"] == '"2"'
    inbox = await client.get(
        "/api/v1/me/notifications", headers=await login(client, world.member_a)
    )
    [notice] = inbox.json()["items"]
    assert notice["title"] == "Thông báo sinh hoạt chi bộ"
    assert notice["body"].startswith(
        "Chi bộ khu dân cư số 1 sinh hoạt lúc 19:30 thứ Sáu, 04/12/2026"
    )
    follower = await client.get(
        "/api/v1/me/notifications", headers=await login(client, world.leader_1)
    )
    assert [n["data"]["meetingId"] for n in follower.json()["items"]] == [meeting["id"]]

    clock.advance(timedelta(days=10))  # logged days after the meeting, from an offline phone
    record = {
        "actualStart": "2026-12-04T12:30:00Z",
        "actualEnd": "2026-12-04T14:45:00Z",
        "chairId": str(world.secretary_a.id),
        "minuteTakerId": str(world.member_a.id),
        "minutesText": "Chi bộ thảo luận và thống nhất.",
        "resolutions": [{"text": "Tổ chức vệ sinh khu phố", "votesFor": 1}],
        "attendance": [{"personId": str(world.secretary_a.id), "status": "present"}],
    }
    logged = await client.put(f"{url}/record", json=record, headers=if_match(headers, 2))
    assert logged.status_code == 200, logged.text
    body = logged.json()
    assert body["counts"]["present"] == 1
    assert body["flags"] == ["logged_late"]

    incomplete = await client.post(f"{url}/finalize", headers=if_match(headers, 3))
    assert incomplete.status_code == 409
    assert incomplete.json()["missing"] == [f"attendance:{world.member_a.id}", "quorum"]

    marked = await client.put(
        f"{url}/attendance/{world.member_a.id}",
        json={"status": "present"},
        headers=if_match(headers, 3),
    )
    assert marked.json()["counts"]["quorumMet"] is True
    final = await client.post(f"{url}/finalize", headers=if_match(headers, 4))
    assert final.status_code == 200
    assert final.json()["status"] == "finalized"

    edit = await client.put(f"{url}/record", json=record, headers=if_match(headers, 5))
    assert edit.status_code == 409
    assert edit.json()["code"] == "meeting_finalized"
    amended = await client.post(
        f"{url}/amendments",
        json={"reason": "Sửa lỗi chính tả", "minutesText": "Chi bộ đã thảo luận và thống nhất."},
        headers=if_match(headers, 5),
    )
    assert amended.status_code == 200
    assert amended.json()["minutesText"] == "Chi bộ đã thảo luận và thống nhất."


async def test_other_cell_secretary_sees_nothing(client: httpx.AsyncClient) -> None:
    world = await build_world()
    meeting = await planned(client, world, await login(client, world.secretary_a))
    other = await login(client, world.secretary_b)
    reply = await client.get(f"/api/v1/meetings/{meeting['id']}", headers=other)
    assert reply.status_code == 404
    listed = await client.get("/api/v1/meetings", headers=other)
    assert listed.json()["items"] == []
