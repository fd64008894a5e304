"""Meeting quality over HTTP: the set that applies (the default, a ward's own, the latest
version), scoring with the band, the confirmation by the attending cadre, a new version never
changing a meeting already scored, the annual band."""

from __future__ import annotations

import httpx

from db.tables import MeetingQualityTable
from tests.api.document_calls import FULL_POINTS, WARD_SHEET, logged
from tests.api.helpers import if_match, problem
from tests.factories import login
from tests.fakes import FakeClock


async def test_score_confirm_and_the_version_a_meeting_keeps(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock)
    cell, ward = s.world.cell_a.id, s.world.ward1.id
    default = (
        await client.get(f"/api/v1/units/{cell}/quality-criteria", headers=s.secretary)
    ).json()
    assert (default["unitId"], default["version"], default["maxTotal"]) == (None, 1, 100)
    assert [c["code"] for c in default["criteria"] if c["mustBeFull"]] == [
        "att_rate", "att_duration", "con_contributions", "clo_minutes",
    ]  # fmt: skip

    url = f"{s.url}/quality-score"
    problem(await client.get(url, headers=s.secretary), 404, "quality_score_not_found")
    assert (
        await client.put(url, json={"points": FULL_POINTS}, headers=s.secretary)
    ).status_code == 428
    short = {**FULL_POINTS, "con_contributions": 14}
    scored = await client.put(url, json={"points": short}, headers=if_match(s.secretary, 0))
    assert scored.status_code == 200, scored.text
    body = scored.json()
    assert (body["total"], body["band"], body["criteriaVersion"]) == (99, "fair", 1)
    assert scored.headers["etag"] == '"1"'
    bad = {**FULL_POINTS, "clo_minutes": 11}
    refused = problem(
        await client.put(url, json={"points": bad}, headers=if_match(s.secretary, 1)),
        422,
        "quality_points_invalid",
    )
    assert "points.clo_minutes" in str(refused)

    # the ward chooses its own set: the scored meeting keeps the default it was scored with
    admin = await login(client, s.world.admin)
    made = await client.post(
        f"/api/v1/units/{ward}/quality-criteria", json=WARD_SHEET, headers=admin
    )
    assert made.status_code == 201, made.text
    assert (made.json()["unitId"], made.json()["version"]) == (str(ward), 1)
    again = await client.post(
        f"/api/v1/units/{ward}/quality-criteria", json=WARD_SHEET, headers=admin
    )
    assert again.json()["version"] == 2
    applies = (
        await client.get(f"/api/v1/units/{cell}/quality-criteria", headers=s.secretary)
    ).json()
    assert (applies["id"], applies["version"]) == (again.json()["id"], 2)
    rescored = await client.put(url, json={"points": FULL_POINTS}, headers=if_match(s.secretary, 1))
    assert rescored.status_code == 200, rescored.text
    assert (rescored.json()["band"], rescored.json()["criteriaSetId"]) == ("good", default["id"])

    # confirmation: not the scorer, only a leader who attended; then the score is fixed
    confirm = f"{url}/confirm"
    problem(
        await client.post(confirm, headers=if_match(s.secretary, 2)),
        403,
        "quality_confirm_forbidden",
    )
    problem(
        await client.post(confirm, headers=if_match(admin, 2)), 403, "quality_confirm_forbidden"
    )
    confirmed = await client.post(confirm, headers=if_match(s.leader, 2))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["confirmedBy"] == str(s.world.leader_1.id)
    problem(
        await client.put(url, json={"points": FULL_POINTS}, headers=if_match(s.secretary, 3)),
        409,
        "quality_already_confirmed",
    )
    assert await MeetingQualityTable.count() == 1

    # the annual band, by the rule of the set that applies now (the ward's: one Tốt is enough)
    year = await client.get(
        f"/api/v1/units/{cell}/quality-annual", params={"year": 2026}, headers=s.leader
    )
    assert year.json()["band"] == "good"
    assert year.json()["meetings"] == {"good": 1, "fair": 0, "average": 0, "poor": 0}
    empty = await client.get(
        f"/api/v1/units/{cell}/quality-annual", params={"year": 2025}, headers=s.leader
    )
    assert empty.json()["band"] is None


async def test_who_may_set_criteria_and_score(client: httpx.AsyncClient, clock: FakeClock) -> None:
    s = await logged(client, clock)
    cell, ward = s.world.cell_a.id, s.world.ward1.id
    admin = await login(client, s.world.admin)
    problem(
        await client.post(
            f"/api/v1/units/{ward}/quality-criteria", json=WARD_SHEET, headers=s.leader
        ),
        403,
        "quality_criteria_forbidden",
    )
    problem(
        await client.post(f"/api/v1/units/{cell}/quality-criteria", json=WARD_SHEET, headers=admin),
        422,
        "quality_criteria_on_cell",
    )
    unusable = {**WARD_SHEET, "thresholds": {"good": 60, "fair": 80, "average": 40}}
    problem(
        await client.post(f"/api/v1/units/{ward}/quality-criteria", json=unusable, headers=admin),
        422,
        "quality_criteria_invalid",
    )
    url = f"{s.url}/quality-score"
    problem(
        await client.put(url, json={"points": FULL_POINTS}, headers=if_match(s.leader, 0)),
        403,
        "quality_score_forbidden",
    )
    other_ward = await login(client, s.world.leader_2)
    problem(await client.get(url, headers=other_ward), 404, "meeting_not_found")
