"""The personal calendar feed: a token shown once, the person's meetings as RFC 5545, revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import icalendar

from db.tables import CalendarTokenTable
from domain.tokens import hash_token
from tests.api.helpers import if_match
from tests.factories import World, build_world, login
from tests.fakes import START

TOKEN_URL = "/api/v1/me/calendar-token"


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


async def new_meeting(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    cell_id: object,
    days: int,
    **extra: Any,
) -> Any:
    start = START + timedelta(days=days)
    reply = await client.post(
        "/api/v1/meetings",
        json={
            "cellId": str(cell_id),
            "kind": "regular",
            "plannedStart": start.isoformat(),
            "plannedEnd": (start + timedelta(hours=2)).isoformat(),
            **extra,
        },
        headers=headers,
    )
    assert reply.status_code == 201, reply.text
    return reply.json()


async def feed_path(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    reply = await client.post(TOKEN_URL, headers=headers)
    assert reply.status_code == 201, reply.text
    assert reply.headers["cache-control"] == "no-store"
    path: str = reply.json()["feedPath"]
    assert path.startswith("/api/v1/calendar/")
    assert path.endswith(".ics")
    return path


async def feed(client: httpx.AsyncClient, path: str) -> str:
    reply = await client.get(path)  # no Authorization: the token alone
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "text/calendar; charset=utf-8"
    return reply.text


async def test_feed_lists_my_meetings_as_icalendar(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    regular = await new_meeting(
        client, secretary, world.cell_a.id, 7, place="Nhà văn hóa tổ 5, phường Ba Đình"
    )
    thematic = await new_meeting(
        client, secretary, world.cell_a.id, 20, kind="thematic", title="Học tập nghị quyết"
    )
    # one regular meeting per month: the others are extraordinary
    cancelled = await new_meeting(client, secretary, world.cell_a.id, 14, kind="extraordinary")
    await client.post(
        f"/api/v1/meetings/{cancelled['id']}/cancel",
        json={"reason": "Mưa bão; hoãn lại"},
        headers=if_match(secretary, 1),
    )
    too_late = await new_meeting(client, secretary, world.cell_a.id, 95)
    too_early = await new_meeting(client, secretary, world.cell_a.id, -31, kind="extraordinary")
    recent = await new_meeting(client, secretary, world.cell_a.id, -29)

    text = await feed(client, await feed_path(client, await login(client, world.member_a)))
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = unfold(text).split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 4
    assert f"UID:{recent['id']}@chibo" in lines
    assert f"UID:{too_late['id']}@chibo" not in lines
    assert f"UID:{too_early['id']}@chibo" not in lines
    assert "X-WR-CALNAME:Lịch sinh hoạt chi bộ — Lê Thị Hoa" in lines

    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(text).events}
    first = events[f"{regular['id']}@chibo"]
    assert first.stamp == datetime(2026, 11, 27, 2, tzinfo=UTC)
    assert first.start == datetime(2026, 12, 4, 2, tzinfo=UTC)
    assert first.end == datetime(2026, 12, 4, 4, tzinfo=UTC)
    assert first["SUMMARY"] == "Sinh hoạt chi bộ thường kỳ — Chi bộ khu dân cư số 1"
    assert first["LOCATION"] == "Nhà văn hóa tổ 5, phường Ba Đình"
    assert "LOCATION:Nhà văn hóa tổ 5\\, phường Ba Đình" in lines  # escaped on the wire
    assert first["STATUS"] == "CONFIRMED"
    assert (
        "SUMMARY:Sinh hoạt chi bộ chuyên đề: Học tập nghị quyết — Chi bộ khu dân cư số 1" in lines
    )
    assert f"UID:{thematic['id']}@chibo" in lines
    gone = events[f"{cancelled['id']}@chibo"]
    assert gone["STATUS"] == "CANCELLED"
    assert gone["DESCRIPTION"] == "Đã hủy: Mưa bão; hoãn lại"
    assert "DESCRIPTION:Đã hủy: Mưa bão\\; hoãn lại" in lines
    assert gone["SEQUENCE"] == 1


async def test_only_the_hash_is_stored(client: httpx.AsyncClient) -> None:
    world = await build_world()
    path = await feed_path(client, await login(client, world.member_a))
    token = path.removeprefix("/api/v1/calendar/").removesuffix(".ics")
    rows = await CalendarTokenTable.select(CalendarTokenTable.token_hash)
    assert rows == [{"token_hash": hash_token(token)}]
    assert token not in str(rows)


async def test_new_token_revokes_the_old_one_and_delete_revokes_all(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    member = await login(client, world.member_a)
    old = await feed_path(client, member)
    new = await feed_path(client, member)
    assert old != new
    gone = await client.get(old)
    assert gone.status_code == 404
    assert gone.json()["code"] == "calendar_token_not_found"
    assert gone.headers["content-type"] == "application/problem+json"
    await feed(client, new)

    assert (await client.delete(TOKEN_URL, headers=member)).status_code == 204
    assert (await client.get(new)).status_code == 404
    assert (await client.delete(TOKEN_URL, headers=member)).status_code == 204  # nothing left
    assert (await client.post(TOKEN_URL)).status_code == 401
    assert (await client.delete(TOKEN_URL)).status_code == 401


async def test_unknown_or_malformed_tokens_are_not_found(client: httpx.AsyncClient) -> None:
    for path in (
        "/api/v1/calendar/" + "A" * 43 + ".ics",
        "/api/v1/calendar/not-a-token.ics",
        "/api/v1/calendar/" + "A" * 43,
        "/api/v1/calendar/" + "A" * 500 + ".ics",
    ):
        reply = await client.get(path)
        assert reply.status_code == 404, path
        assert reply.json()["code"] == "calendar_token_not_found"


async def _uids(client: httpx.AsyncClient, world: World, person: Any) -> set[str]:
    text = await feed(client, await feed_path(client, await login(client, person)))
    return {
        line.removeprefix("UID:").removesuffix("@chibo")
        for line in unfold(text).split("\r\n")
        if line.startswith("UID:")
    }


async def test_each_person_sees_only_their_cells_and_the_cells_they_follow(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    in_a = await new_meeting(client, await login(client, world.secretary_a), world.cell_a.id, 7)
    in_b = await new_meeting(client, await login(client, world.secretary_b), world.cell_b.id, 7)
    assert await _uids(client, world, world.member_a) == {in_a["id"]}
    assert await _uids(client, world, world.secretary_b) == {in_b["id"]}
    assert await _uids(client, world, world.leader_1) == {in_a["id"]}  # follows cell A
    assert await _uids(client, world, world.leader_2) == set()  # follows nothing
    assert await _uids(client, world, world.admin) == set()  # scope is not membership


async def test_a_deactivated_person_loses_the_feed(client: httpx.AsyncClient) -> None:
    world = await build_world()
    path = await feed_path(client, await login(client, world.member_a))
    admin = await login(client, world.admin)
    reply = await client.post(f"/api/v1/people/{world.member_a.id}/deactivate", headers=admin)
    assert reply.status_code in {200, 204}, reply.text
    assert (await client.get(path)).status_code == 404
