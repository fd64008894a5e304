"""Rules of the meeting record over HTTP on both engines: votes against the voters present,
the amendment history on the meeting."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.api.helpers import if_match, problem
from tests.api.meeting_calls import finalized, iso, record_body, stored
from tests.api.meeting_calls import setup as meeting_setup
from tests.factories import login
from tests.fakes import START, FakeClock


async def test_more_votes_than_full_members_present_are_refused(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await meeting_setup(client)
    clock.advance(timedelta(days=8))
    body = record_body(s.world, resolutions=[{"text": "Vệ sinh khu phố", "votesFor": 3}])
    reply = await client.put(f"{s.url}/record", json=body, headers=if_match(s.secretary, 1))
    refused = problem(reply, 422, "votes_exceed_voters")
    assert refused["errors"] == [
        {"field": "resolutions[0]", "message": "3 votes, 2 full members present"}
    ]
    assert "đồng chí" in refused["title"]
    english = await client.put(
        f"{s.url}/record", json=body, headers={**if_match(s.secretary, 1), "Accept-Language": "en"}
    )
    assert problem(english, 422, "votes_exceed_voters")["title"].startswith("Votes for")
    assert (await stored(s.meeting["id"]))["status"] == "planned"
    body["resolutions"] = [{"text": "Vệ sinh khu phố", "votesFor": 1, "votesAgainst": 1}]
    reply = await client.put(f"{s.url}/record", json=body, headers=if_match(s.secretary, 1))
    assert reply.status_code == 200, reply.text


async def test_a_meeting_shows_the_history_of_its_amendments(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await finalized(client, clock)
    assert (await client.get(s.url, headers=s.secretary)).json()["amendments"] == []
    clock.advance(timedelta(days=1))
    first = await client.post(
        f"{s.url}/amendments",
        json={"reason": "Sửa lỗi chính tả", "minutesText": "Chi bộ đã thảo luận và thống nhất."},
        headers=if_match(s.secretary, 3),
    )
    assert first.status_code == 200, first.text
    clock.advance(timedelta(days=1))
    votes = [{"text": "Tổ chức vệ sinh khu phố", "votesFor": 1, "votesAgainst": 1}]
    second = await client.post(
        f"{s.url}/amendments",
        json={"reason": "Ghi nhầm số phiếu", "resolutions": votes},
        headers=if_match(s.secretary, 4),
    )
    assert second.status_code == 200, second.text
    assert (
        second.json()["amendments"]
        == (await client.get(s.url, headers=s.secretary)).json()["amendments"]
    )
    member = await login(client, s.world.member_a)
    history = (await client.get(s.url, headers=member)).json()["amendments"]
    resolution = {"text": "Tổ chức vệ sinh khu phố", "votesAgainst": 0, "votesAbstain": 0}
    assert history == [
        {
            "byId": str(s.world.secretary_a.id),
            "byName": "Phạm Văn Bình",
            "at": iso(START + timedelta(days=9)),
            "reason": "Sửa lỗi chính tả",
            "minutesText": {
                "before": "Chi bộ thảo luận và thống nhất.",
                "after": "Chi bộ đã thảo luận và thống nhất.",
            },
            "resolutions": None,
        },
        {
            "byId": str(s.world.secretary_a.id),
            "byName": "Phạm Văn Bình",
            "at": iso(START + timedelta(days=10)),
            "reason": "Ghi nhầm số phiếu",
            "minutesText": None,
            "resolutions": {
                "before": [{**resolution, "votesFor": 2}],
                "after": [{**resolution, "votesFor": 1, "votesAgainst": 1}],
            },
        },
    ]
    listed = await client.get("/api/v1/meetings", headers=member)
    assert listed.json()["items"][0]["amendments"] is None  # lists leave the history out
