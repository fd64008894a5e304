"""Rules of the meeting record over HTTP on both engines: votes against the voters present,
the amendment history on the meeting."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.api.test_meetings_api import (
    matching,
    problem,
    record_body,
    stored,
)
from tests.api.test_meetings_api import setup as meeting_setup
from tests.fakes import FakeClock


async def test_more_votes_than_full_members_present_are_refused(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await meeting_setup(client)
    clock.advance(timedelta(days=8))
    body = record_body(s.world, resolutions=[{"text": "Vệ sinh khu phố", "votesFor": 3}])
    reply = await client.put(f"{s.url}/record", json=body, headers=matching(s.secretary, 1))
    refused = problem(reply, 422, "votes_exceed_voters")
    assert refused["errors"] == [
        {"field": "resolutions[0]", "message": "3 votes, 2 full members present"}
    ]
    assert "đồng chí" in refused["title"]
    english = await client.put(
        f"{s.url}/record", json=body, headers={**matching(s.secretary, 1), "Accept-Language": "en"}
    )
    assert problem(english, 422, "votes_exceed_voters")["title"].startswith("Votes for")
    assert (await stored(s.meeting["id"]))["status"] == "planned"
    body["resolutions"] = [{"text": "Vệ sinh khu phố", "votesFor": 1, "votesAgainst": 1}]
    reply = await client.put(f"{s.url}/record", json=body, headers=matching(s.secretary, 1))
    assert reply.status_code == 200, reply.text
