"""The effective calendar over HTTP on both engines: why a deadline skips Tết, in the caller's
language, with the admin's entries winning; the same days the deadlines use."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from db.working_days import PiccoloWorkingDays
from tests.factories import build_world, login

DAYS = "/api/v1/calendar-days"


async def listed(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[Any]:
    reply = await client.get(DAYS, params={"year": "2027", **params}, headers=headers)
    assert reply.status_code == 200, reply.text
    return reply.json()["items"]  # type: ignore[no-any-return]


async def test_the_year_lists_statutory_holidays_with_names_and_admin_days(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    member, admin = await login(client, world.member_a), await login(client, world.admin)
    days = {d["day"]: d for d in await listed(client, member)}
    assert days["2027-02-06"] == {
        "day": "2027-02-06",
        "working": False,
        "note": "Tết Nguyên Đán",
        "source": "statutory",
    }
    assert days["2027-04-16"]["note"] == "Ngày Giỗ Tổ Hùng Vương"
    assert "2027-01-02" not in days  # weekends are implicit
    english = await listed(client, {**member, "Accept-Language": "en"})
    assert {d["day"]: d["note"] for d in english}["2027-02-06"] == "Lunar New Year"

    entry = {"working": True, "note": "Trực bầu cử"}
    assert (await client.put(f"{DAYS}/2027-04-30", json=entry, headers=admin)).status_code == 200
    extra = {"working": False, "note": "Nghỉ bù Quốc khánh"}
    assert (await client.put(f"{DAYS}/2027-09-06", json=extra, headers=admin)).status_code == 200
    days = {d["day"]: d for d in await listed(client, member)}
    assert days["2027-04-30"] == {**entry, "day": "2027-04-30", "source": "override"}
    assert days["2027-09-06"] == {**extra, "day": "2027-09-06", "source": "override"}

    calendar = await PiccoloWorkingDays().calendar(range(2027, 2028))
    for d in days.values():
        assert calendar.is_working_day(date.fromisoformat(d["day"])) is d["working"], d


async def test_weekends_are_listed_on_request(client: httpx.AsyncClient) -> None:
    world = await build_world()
    member = await login(client, world.member_a)
    days = await listed(client, member, weekends="true")
    weekend = [d for d in days if d["source"] == "weekend"]
    assert weekend[0] == {"day": "2027-01-02", "working": False, "note": None, "source": "weekend"}
    assert not [d for d in weekend if date.fromisoformat(d["day"]).weekday() < 5]
    assert "2027-02-06" not in {d["day"] for d in weekend}  # Tết on a Saturday says Tết
