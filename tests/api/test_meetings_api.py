"""Meetings over HTTP on both engines: every bad input answers its 4xx with its code and changes
nothing; idempotent replay; stale and concurrent edits; scope (404 outside, 403 read-only);
check-in and leaders' visits; upcoming meetings, months, exempt members."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from db.repositories.meetings import PiccoloMeetingRepository
from db.repositories.org import PiccoloOrgRepository
from db.tables import AttendanceTable, LeaderVisitTable, MeetingRuleTable, MeetingTable
from domain.meetings.model import Meeting
from domain.org.model import Membership, MembershipKind, Person
from tests.api.helpers import if_match, problem
from tests.api.meeting_calls import (
    AGENDA,
    DEC_4,
    MEETINGS,
    Setup,
    create,
    finalized,
    iso,
    meeting_body,
    record_body,
    setup,
    sheet_rows,
    stored,
)
from tests.factories import World, build_world, login, make_person
from tests.fakes import START, FakeClock

# -- bad input: its code, and nothing changed --------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ({"kind": "nth_weekday", "at": "08:00", "nth": 1}, "meeting_rule_invalid"),
        ({"kind": "nth_weekday", "at": "08:00", "weekday": 6}, "meeting_rule_invalid"),
        ({"kind": "day_of_month", "at": "08:00"}, "meeting_rule_invalid"),
        ({"kind": "day_of_month", "at": "08:00", "day": 32}, "validation_failed"),
        ({"kind": "day_of_month", "at": "24:00", "day": 4}, "validation_failed"),
        ({"kind": "weekly", "at": "08:00", "day": 4}, "validation_failed"),
    ],
)
async def test_an_invalid_rule_is_refused_and_the_old_rule_kept(
    client: httpx.AsyncClient, rule: dict[str, Any], code: str
) -> None:
    world = await build_world()
    headers = await login(client, world.secretary_a)
    url = f"/api/v1/units/{world.cell_a.id}/meeting-rule"
    good = {"kind": "day_of_month", "day": 4, "at": "19:30", "durationMinutes": 120}
    assert (await client.put(url, json=good, headers=headers)).status_code == 200
    problem(await client.put(url, json=rule, headers=headers), 422, code)
    kept = await client.get(url, headers=headers)
    assert (kept.json()["kind"], kept.json()["day"]) == ("day_of_month", 4)
    assert await MeetingRuleTable.count() == 1


async def test_a_window_ending_before_it_starts_is_refused(client: httpx.AsyncClient) -> None:
    s = await setup(client)
    backwards = meeting_body(s.world, plannedEnd=iso(DEC_4 - timedelta(minutes=1)))
    problem(
        await client.post(MEETINGS, json=backwards, headers=s.secretary),
        422,
        "meeting_window_invalid",
    )
    assert await MeetingTable.count() == 1
    move = {"plannedStart": iso(DEC_4), "plannedEnd": iso(DEC_4), "reason": "Trùng lịch"}
    reply = await client.post(f"{s.url}/move", json=move, headers=if_match(s.secretary, 1))
    problem(reply, 422, "meeting_window_invalid")
    row = await stored(s.meeting["id"])
    assert (row["version"], row["planned_end"]) == (1, DEC_4 + timedelta(minutes=120))


async def test_logging_a_meeting_that_has_not_happened_is_refused(
    client: httpx.AsyncClient,
) -> None:
    s = await setup(client)  # the clock is on 27 November, the meeting on 4 December
    reply = await client.put(
        f"{s.url}/record", json=record_body(s.world), headers=if_match(s.secretary, 1)
    )
    problem(reply, 422, "meeting_in_future")
    row = await stored(s.meeting["id"])
    assert (row["version"], row["status"], row["actual_start"]) == (1, "planned", None)
    assert await sheet_rows(s.meeting["id"]) == 0


@pytest.mark.parametrize("field", ["chairId", "minuteTakerId"])
async def test_a_chair_or_minute_taker_from_outside_the_cell_is_refused(
    client: httpx.AsyncClient, clock: FakeClock, field: str
) -> None:
    s = await setup(client)
    clock.advance(timedelta(days=8))
    body = {**record_body(s.world), field: str(s.world.leader_1.id)}
    reply = await client.put(f"{s.url}/record", json=body, headers=if_match(s.secretary, 1))
    problem(reply, 422, "chair_or_taker_not_member")
    row = await stored(s.meeting["id"])
    assert (row["version"], row["status"], row["chair"]) == (1, "planned", None)
    assert await sheet_rows(s.meeting["id"]) == 0


async def test_marking_someone_not_on_the_sheet_is_refused(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await setup(client)
    outsider = str(s.world.secretary_b.id)
    reply = await client.put(
        f"{s.url}/attendance/{outsider}",
        json={"status": "present"},
        headers=if_match(s.secretary, 1),
    )
    problem(reply, 422, "not_on_attendance_sheet")
    clock.advance(timedelta(days=8))
    body = record_body(s.world)
    body["attendance"].append({"personId": outsider, "status": "present"})
    reply = await client.put(f"{s.url}/record", json=body, headers=if_match(s.secretary, 1))
    problem(reply, 422, "not_on_attendance_sheet")
    assert (await stored(s.meeting["id"]))["version"] == 1
    assert await sheet_rows(s.meeting["id"]) == 0


async def test_finalising_incomplete_minutes_lists_what_is_missing(
    client: httpx.AsyncClient,
) -> None:
    s = await setup(client)
    reply = await client.post(f"{s.url}/finalize", headers=if_match(s.secretary, 1))
    body = problem(reply, 409, "minutes_incomplete")
    assert body["missing"] == [  # the sheet is sorted by name: Lê Thị Hoa, Phạm Văn Bình
        "actual_times",
        "chair",
        "minute_taker",
        "minutes_text",
        f"attendance:{s.world.member_a.id}",
        f"attendance:{s.world.secretary_a.id}",
        "quorum",
    ]
    row = await stored(s.meeting["id"])
    assert (row["version"], row["status"]) == (1, "planned")


async def test_an_excused_absence_without_reason_and_no_quorum_block_finalising(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await setup(client)
    clock.advance(timedelta(days=8))
    body = record_body(s.world)
    body["attendance"][1] = {"personId": str(s.world.member_a.id), "status": "excused"}
    body["attendance"][0]["status"] = "unexcused"
    body["resolutions"] = []  # nobody present votes
    logged = await client.put(f"{s.url}/record", json=body, headers=if_match(s.secretary, 1))
    assert logged.status_code == 200, logged.text
    reply = await client.post(f"{s.url}/finalize", headers=if_match(s.secretary, 2))
    assert problem(reply, 409, "minutes_incomplete")["missing"] == [
        f"absence_reason:{s.world.member_a.id}",
        "quorum",
    ]
    assert (await stored(s.meeting["id"]))["status"] == "held"


def updates(s: Setup) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every update of one meeting: method, path, body."""
    window = {"plannedStart": iso(DEC_4), "plannedEnd": iso(DEC_4 + timedelta(hours=2))}
    return [
        ("POST", f"{s.url}/move", {**window, "reason": "Trùng lịch"}),
        ("POST", f"{s.url}/cancel", {"reason": "Bão"}),
        ("PUT", f"{s.url}/notice", AGENDA),
        ("PUT", f"{s.url}/record", record_body(s.world)),
        ("PUT", f"{s.url}/attendance/{s.world.member_a.id}", {"status": "excused", "reason": "Ốm"}),
        ("POST", f"{s.url}/finalize", None),
    ]


async def test_nothing_changes_after_finalising(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await finalized(client, clock)
    for method, path, body in updates(s):
        reply = await client.request(method, path, json=body, headers=if_match(s.secretary, 3))
        problem(reply, 409, "meeting_finalized")
    row = await stored(s.meeting["id"])
    assert (row["version"], row["status"]) == (3, "finalized")
    present = await AttendanceTable.count().where(AttendanceTable.status == "present")
    assert present == 2


async def test_updates_without_if_match_answer_428(client: httpx.AsyncClient) -> None:
    s = await setup(client)
    amend = ("POST", f"{s.url}/amendments", {"reason": "Sửa", "minutesText": "Mới"})
    for method, path, body in [*updates(s), amend]:
        reply = await client.request(method, path, json=body, headers=s.secretary)
        problem(reply, 428, "if_match_required")
    row = await stored(s.meeting["id"])
    assert (row["version"], row["status"], row["notice_published_at"]) == (1, "planned", None)


@pytest.mark.parametrize("if_match", ['"7"', '"0"', "abc", '"1x"', "*", '"²"'])
async def test_a_stale_if_match_answers_412_with_the_current_version(
    client: httpx.AsyncClient, if_match: str
) -> None:
    s = await setup(client)
    amend = ("POST", f"{s.url}/amendments", {"reason": "Sửa", "minutesText": "Mới"})
    # raw bytes: a header is latin-1 on the wire, so "²" reaches the server as itself
    headers = {k.encode(): v.encode() for k, v in s.secretary.items()}
    headers[b"If-Match"] = if_match.encode("latin-1")
    for method, path, body in [*updates(s), amend]:
        reply = await client.request(method, path, json=body, headers=headers)
        assert problem(reply, 412, "version_mismatch")["currentVersion"] == 1
    row = await stored(s.meeting["id"])
    assert (row["version"], row["status"], row["notice_published_at"]) == (1, "planned", None)


async def test_a_weak_etag_matches(client: httpx.AsyncClient) -> None:
    s = await setup(client)
    reply = await client.put(
        f"{s.url}/notice", json=AGENDA, headers={**s.secretary, "If-Match": 'W/"1"'}
    )
    assert reply.status_code == 200
    assert reply.headers["etag"] == '"2"'


async def test_of_two_edits_made_against_one_version_the_second_gets_412(
    client: httpx.AsyncClient,
) -> None:
    s = await setup(client)
    got = await client.get(s.url, headers=s.secretary)
    seen = got.headers["etag"]  # both phones read version 1
    first = await client.put(
        f"{s.url}/notice", json=AGENDA, headers={**s.secretary, "If-Match": seen}
    )
    assert first.status_code == 200
    move = {
        "plannedStart": iso(DEC_4 + timedelta(days=1)),
        "plannedEnd": iso(DEC_4 + timedelta(days=1, hours=2)),
        "reason": "Trùng lịch",
    }
    second = await client.post(
        f"{s.url}/move", json=move, headers={**s.secretary, "If-Match": seen}
    )
    assert problem(second, 412, "version_mismatch")["currentVersion"] == 2
    row = await stored(s.meeting["id"])
    assert (row["version"], row["planned_start"]) == (2, DEC_4)
    assert row["notice_published_at"] == START


async def test_a_write_landing_between_read_and_save_is_not_overwritten(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two API processes: the other one commits its update after this request has read the
    meeting and checked If-Match, before it writes. The write must not silently win."""
    s = await setup(client)
    read = PiccoloMeetingRepository.get
    raced: list[bool] = []

    async def racing_get(self: PiccoloMeetingRepository, meeting_id: UUID) -> Meeting | None:
        meeting = await read(self, meeting_id)
        if not raced:
            raced.append(True)
            await MeetingTable.update(
                {MeetingTable.version: 2, MeetingTable.title: "Sửa từ máy khác"}
            ).where(MeetingTable.id == meeting_id)
        return meeting

    monkeypatch.setattr(PiccoloMeetingRepository, "get", racing_get)
    reply = await client.post(
        f"{s.url}/cancel", json={"reason": "Bão"}, headers=if_match(s.secretary, 1)
    )
    assert problem(reply, 412, "version_mismatch")["currentVersion"] == 2
    # here the "other process" wrote inside this request's savepoint, so its write is rolled
    # back with it; what matters is that the cancellation was not written over it
    assert (await stored(s.meeting["id"]))["status"] == "planned"


# -- offline-safe creation ---------------------------------------------------------------------


async def test_an_idempotent_replay_returns_the_first_reply_and_creates_one_meeting(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    headers = {**await login(client, world.secretary_a), "Idempotency-Key": "phone-1-meeting-1"}
    body = meeting_body(world, title="Sinh hoạt bất thường")
    first = await client.post(MEETINGS, json=body, headers=headers)
    again = await client.post(MEETINGS, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await MeetingTable.count() == 1
    other = await client.post(MEETINGS, json={**body, "title": "Khác"}, headers=headers)
    problem(other, 422, "idempotency_key_reused")
    assert await MeetingTable.count() == 1


async def test_a_client_supplied_id_is_kept_and_cannot_be_reused(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    headers = await login(client, world.secretary_a)
    chosen = uuid4()
    made = await create(client, headers, meeting_body(world, id=str(chosen)))
    assert made["id"] == str(chosen)
    assert (await client.get(f"{MEETINGS}/{chosen}", headers=headers)).status_code == 200
    again = meeting_body(world, DEC_4 + timedelta(days=3), id=str(chosen), title="Khác")
    problem(await client.post(MEETINGS, json=again, headers=headers), 409, "id_conflict")
    assert await MeetingTable.count() == 1
    row = await stored(chosen)
    assert (row["planned_start"], row["version"]) == (DEC_4, 1)


# -- scope -------------------------------------------------------------------------------------


def everything(s: Setup) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every operation on one meeting, reads included."""
    return [
        ("GET", s.url, None),
        ("GET", f"{s.url}/checkin-code", None),
        ("POST", f"{s.url}/check-in", {"code": "123-abcdef"}),
        ("GET", f"{s.url}/leader-visits", None),
        ("POST", f"{s.url}/leader-visits/{s.world.leader_1.id}/confirm", {}),
        ("POST", f"{s.url}/amendments", {"reason": "Sửa", "minutesText": "Mới"}),
        *updates(s),
    ]


async def test_a_secretary_of_another_cell_gets_404_for_everything(
    client: httpx.AsyncClient,
) -> None:
    s = await setup(client, START + timedelta(minutes=20))  # check-in window open
    other = await login(client, s.world.secretary_b)
    for method, path, body in everything(s):
        reply = await client.request(method, path, json=body, headers=if_match(other, 1))
        problem(reply, 404, "meeting_not_found")
    row = await stored(s.meeting["id"])
    assert (row["version"], row["status"]) == (1, "planned")
    assert await sheet_rows(s.meeting["id"]) == 0
    assert await LeaderVisitTable.count() == 0
    own = await create(client, other, meeting_body(s.world, cellId=str(s.world.cell_b.id)))
    listed = await client.get(MEETINGS, headers=other)
    assert [m["id"] for m in listed.json()["items"]] == [own["id"]]
    by_cell = await client.get(MEETINGS, params={"cellId": str(s.world.cell_a.id)}, headers=other)
    assert by_cell.json()["items"] == []
    created = await client.post(MEETINGS, json=meeting_body(s.world), headers=other)
    problem(created, 404, "unit_not_found")


async def test_a_member_reads_but_does_not_manage(
    client: httpx.AsyncClient,
) -> None:
    s = await setup(client, START + timedelta(minutes=20))
    member = await login(client, s.world.member_a)
    got = await client.get(s.url, headers=member)
    assert got.status_code == 200
    assert got.json()["id"] == s.meeting["id"]
    listed = await client.get(MEETINGS, headers=member)
    assert [m["id"] for m in listed.json()["items"]] == [s.meeting["id"]]
    managing = [*updates(s), ("GET", f"{s.url}/checkin-code", None)]
    for method, path, body in managing:
        reply = await client.request(method, path, json=body, headers=if_match(member, 1))
        problem(reply, 403, "meeting_manage_forbidden")
    problem(
        await client.post(MEETINGS, json=meeting_body(s.world), headers=member),
        403,
        "meeting_manage_forbidden",
    )
    cell = f"/api/v1/units/{s.world.cell_a.id}"
    rule = {"kind": "day_of_month", "day": 4, "at": "19:30"}
    problem(
        await client.put(f"{cell}/meeting-rule", json=rule, headers=member),
        403,
        "meeting_manage_forbidden",
    )
    row = await stored(s.meeting["id"])
    assert (row["version"], row["status"]) == (1, "planned")
    assert await MeetingTable.count() == 1


async def test_the_leader_over_the_cell_reads_and_another_leader_gets_404(
    client: httpx.AsyncClient,
) -> None:
    s = await setup(client)
    leader_1 = await login(client, s.world.leader_1)
    got = await client.get(s.url, headers=leader_1)
    assert got.status_code == 200
    assert got.json()["cellId"] == str(s.world.cell_a.id)
    leader_2 = await login(client, s.world.leader_2)
    problem(await client.get(s.url, headers=leader_2), 404, "meeting_not_found")
    assert (await client.get(MEETINGS, headers=leader_2)).json()["items"] == []


# -- check-in and leaders' visits --------------------------------------------------------------


async def _code(client: httpx.AsyncClient, s: Setup) -> str:
    reply = await client.get(f"{s.url}/checkin-code", headers=s.secretary)
    assert reply.status_code == 200, reply.text
    return reply.json()["code"]  # type: ignore[no-any-return]


async def test_a_member_checks_in_with_the_code(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await setup(client, START + timedelta(minutes=20))
    issued = await client.get(f"{s.url}/checkin-code", headers=s.secretary)
    assert datetime.fromisoformat(issued.json()["expiresAt"]) > START
    member = await login(client, s.world.member_a)
    clock.advance(timedelta(seconds=30))
    reply = await client.post(
        f"{s.url}/check-in", json={"code": issued.json()["code"]}, headers=member
    )
    assert reply.status_code == 200, reply.text
    sheet = (await client.get(s.url, headers=member)).json()["attendance"]
    mine = next(row for row in sheet if row["personId"] == str(s.world.member_a.id))
    assert mine["status"] == "present"
    assert datetime.fromisoformat(mine["checkedInAt"]) == clock.now()
    rows = await AttendanceTable.select(
        AttendanceTable.status, AttendanceTable.checked_in_at
    ).where(AttendanceTable.person == s.world.member_a.id)
    assert rows == [{"status": "present", "checked_in_at": clock.now()}]


async def test_expired_foreign_and_forged_codes_are_refused(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await setup(client, START + timedelta(minutes=20))
    other = await create(client, s.secretary, meeting_body(s.world, START + timedelta(minutes=20)))
    member = await login(client, s.world.member_a)
    code = await _code(client, s)
    foreign = (
        await client.get(f"{MEETINGS}/{other['id']}/checkin-code", headers=s.secretary)
    ).json()
    check_in = f"{s.url}/check-in"
    problem(
        await client.post(check_in, json={"code": foreign["code"]}, headers=member),
        422,
        "checkin_code_invalid",
    )
    step, _, mac = code.partition("-")
    for forged in (f"{int(step) + 1}-{mac}", f"{step}-{'0' * 16}", "²-abcdef", f"{step}-abcé"):
        reply = await client.post(check_in, json={"code": forged}, headers=member)
        problem(reply, 422, "checkin_code_invalid")
    clock.advance(timedelta(seconds=121))  # two code periods later
    problem(
        await client.post(check_in, json={"code": code}, headers=member),
        422,
        "checkin_code_expired",
    )
    assert await sheet_rows(s.meeting["id"]) == 0
    assert (await stored(s.meeting["id"]))["version"] == 1


async def test_the_previous_code_still_works(client: httpx.AsyncClient, clock: FakeClock) -> None:
    s = await setup(client, START + timedelta(minutes=20))
    member = await login(client, s.world.member_a)
    code = await _code(client, s)
    clock.advance(timedelta(seconds=60))
    reply = await client.post(f"{s.url}/check-in", json={"code": code}, headers=member)
    assert reply.status_code == 200, reply.text


async def test_check_in_outside_the_window_is_closed(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await setup(client, START + timedelta(minutes=31))  # opens one minute from now
    member = await login(client, s.world.member_a)
    problem(await client.get(f"{s.url}/checkin-code", headers=s.secretary), 422, "checkin_closed")
    clock.advance(timedelta(minutes=1))
    code = await _code(client, s)
    clock.advance(timedelta(minutes=31 + 120 + 60, seconds=1) - timedelta(minutes=1))
    problem(
        await client.post(f"{s.url}/check-in", json={"code": code}, headers=member),
        422,
        "checkin_closed",
    )
    assert await sheet_rows(s.meeting["id"]) == 0


async def test_check_in_far_from_the_meeting_place_is_refused(
    client: httpx.AsyncClient,
) -> None:
    place = {"lat": 21.0288, "lon": 105.8525}
    s = await setup(client, START + timedelta(minutes=20), placeLocation=place)
    member = await login(client, s.world.member_a)
    code = await _code(client, s)
    far = {"code": code, "location": {"lat": 21.0388, "lon": 105.8525}}  # about 1.1 km north
    problem(
        await client.post(f"{s.url}/check-in", json=far, headers=member), 422, "checkin_too_far"
    )
    assert await sheet_rows(s.meeting["id"]) == 0
    near = {"code": code, "location": {"lat": 21.0298, "lon": 105.8525}}  # about 110 m
    assert (await client.post(f"{s.url}/check-in", json=near, headers=member)).status_code == 200


async def test_a_leader_visit_counts_once_both_sides_confirm(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await setup(client, START + timedelta(minutes=20))
    leader = await login(client, s.world.leader_1)
    clock.advance(timedelta(minutes=25))  # the meeting has started
    code = await _code(client, s)
    reply = await client.post(f"{s.url}/check-in", json={"code": code}, headers=leader)
    assert reply.status_code == 200, reply.text
    visits = (await client.get(f"{s.url}/leader-visits", headers=leader)).json()["items"]
    assert len(visits) == 1
    assert visits[0]["leaderId"] == str(s.world.leader_1.id)
    assert datetime.fromisoformat(visits[0]["leaderConfirmedAt"]) == clock.now()
    assert (visits[0]["secretaryConfirmedAt"], visits[0]["counted"]) == (None, False)
    assert await sheet_rows(s.meeting["id"]) == 0  # a leader is not on the cell's sheet
    confirmed = await client.post(
        f"{s.url}/leader-visits/{s.world.leader_1.id}/confirm", json={}, headers=s.secretary
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["counted"] is True
    assert confirmed.json()["secretaryConfirmedAt"] is not None


async def test_a_leader_not_over_the_cell_cannot_check_in(client: httpx.AsyncClient) -> None:
    s = await setup(client, START + timedelta(minutes=20))
    leader_2 = await login(client, s.world.leader_2)
    code = await _code(client, s)
    reply = await client.post(f"{s.url}/check-in", json={"code": code}, headers=leader_2)
    problem(reply, 404, "meeting_not_found")
    assert await LeaderVisitTable.count() == 0


# -- reading -----------------------------------------------------------------------------------


async def test_upcoming_meetings_of_members_and_following_leaders(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    secretary_a = await login(client, world.secretary_a)
    rule = {"kind": "day_of_month", "day": 4, "at": "19:30", "durationMinutes": 120}
    cell_a = f"/api/v1/units/{world.cell_a.id}"
    assert (await client.put(f"{cell_a}/meeting-rule", json=rule, headers=secretary_a)).is_success
    planned = await client.post(f"{cell_a}/meetings/plan", headers=secretary_a)
    assert planned.json() == {"planned": 3}
    secretary_b = await login(client, world.secretary_b)
    cell_b = await create(client, secretary_b, meeting_body(world, cellId=str(world.cell_b.id)))

    for person in (world.member_a, world.leader_1):
        upcoming = await client.get(f"{MEETINGS}/upcoming", headers=await login(client, person))
        assert upcoming.status_code == 200
        items = upcoming.json()["items"]
        assert [m["occurrence"] for m in items] == ["2026-12", "2027-01", "2027-02"]
        assert {m["cellId"] for m in items} == {str(world.cell_a.id)}
    theirs = await client.get(f"{MEETINGS}/upcoming", headers=secretary_b)
    assert theirs.json() == {"items": [cell_b], "nextCursor": None}


async def test_upcoming_meetings_page_by_cursor_soonest_first(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary_a = await login(client, world.secretary_a)
    rule = {"kind": "day_of_month", "day": 4, "at": "19:30", "durationMinutes": 120}
    cell_a = f"/api/v1/units/{world.cell_a.id}"
    assert (await client.put(f"{cell_a}/meeting-rule", json=rule, headers=secretary_a)).is_success
    assert (await client.post(f"{cell_a}/meetings/plan", headers=secretary_a)).is_success
    member = await login(client, world.member_a)
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2}
    for _ in range(3):
        page = (await client.get(f"{MEETINGS}/upcoming", params=params, headers=member)).json()
        seen += [m["occurrence"] for m in page["items"]]
        if page["nextCursor"] is None:
            break
        params = {"limit": 2, "cursor": page["nextCursor"]}
    assert seen == ["2026-12", "2027-01", "2027-02"]
    bad = await client.get(f"{MEETINGS}/upcoming", params={"cursor": "x"}, headers=member)
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_cursor"


async def test_meetings_by_local_month(client: httpx.AsyncClient) -> None:
    world = await build_world()
    headers = await login(client, world.secretary_a)
    starts = {
        "nov_30_local": datetime(2026, 11, 30, 16, 30, tzinfo=UTC),  # 23:30 on 30 Nov
        "dec_1_local": datetime(2026, 11, 30, 17, 30, tzinfo=UTC),  # 00:30 on 1 Dec
        "dec_31_local": datetime(2026, 12, 31, 16, 30, tzinfo=UTC),  # 23:30 on 31 Dec
        "jan_1_local": datetime(2026, 12, 31, 17, 30, tzinfo=UTC),  # 00:30 on 1 Jan
    }
    ids = {}
    for name, start in starts.items():
        ids[name] = (await create(client, headers, meeting_body(world, start, title=name)))["id"]
    december = await client.get(MEETINGS, params={"month": "2026-12"}, headers=headers)
    assert december.status_code == 200
    assert [m["title"] for m in december.json()["items"]] == ["dec_1_local", "dec_31_local"]
    january = await client.get(
        MEETINGS, params={"month": "2027-01", "cellId": str(world.cell_a.id)}, headers=headers
    )
    assert [m["id"] for m in january.json()["items"]] == [ids["jan_1_local"]]
    bad = await client.get(MEETINGS, params={"month": "2026-13"}, headers=headers)
    problem(bad, 422, "validation_failed")


async def _member(world: World, name: str, exempt_since: date | None) -> Person:
    repo = PiccoloOrgRepository()
    person = make_person(world.cell_a, name)
    await repo.add_person(person, None)
    await repo.add_membership(
        Membership(
            id=uuid4(),
            person_id=person.id,
            cell_id=world.cell_a.id,
            cell_path=world.cell_a.path,
            kind=MembershipKind.FULL,
            exempt=exempt_since is not None,
            exempt_resolution_date=exempt_since,
            joined_on=date(2020, 1, 1),
            left_on=None,
            created_at=START,
            updated_at=START,
        )
    )
    return person


async def test_an_exempt_member_is_listed_apart_and_not_counted(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await setup(client)
    exempt = await _member(s.world, "Đỗ Văn Cao", date(2026, 6, 1))
    later = await _member(s.world, "Ngô Thị Dung", date(2027, 1, 15))  # not yet on 4 December
    got = (await client.get(s.url, headers=s.secretary)).json()
    status = {row["personId"]: row["status"] for row in got["attendance"]}
    assert status == {
        str(exempt.id): "exempt",
        str(later.id): None,
        str(s.world.member_a.id): None,
        str(s.world.secretary_a.id): None,
    }
    reply = await client.put(
        f"{s.url}/attendance/{exempt.id}",
        json={"status": "present"},
        headers=if_match(s.secretary, 1),
    )
    problem(reply, 422, "member_exempt")
    reply = await client.put(
        f"{s.url}/attendance/{later.id}",
        json={"status": "exempt"},
        headers=if_match(s.secretary, 1),
    )
    problem(reply, 422, "exempt_is_from_roster")
    assert (await stored(s.meeting["id"]))["version"] == 1

    clock.advance(timedelta(days=8))
    body = record_body(s.world)
    body["attendance"].append({"personId": str(later.id), "status": "unexcused"})
    logged = await client.put(f"{s.url}/record", json=body, headers=if_match(s.secretary, 1))
    assert logged.status_code == 200, logged.text
    counts = logged.json()["counts"]
    assert (counts["members"], counts["full"], counts["exempt"], counts["present"]) == (4, 3, 1, 2)
    assert counts["unexcused"] == 1
    assert counts["quorumMet"] is True  # 2 of 3; with the exempt counted it would be 2 of 4
    final = await client.post(f"{s.url}/finalize", headers=if_match(s.secretary, 2))
    assert final.status_code == 200, final.text
