"""The roster import over HTTP, on both engines: a dry run reports bad rows and writes nothing, a
good file imports every row, one bad row imports none."""

from __future__ import annotations

import httpx

from db.repositories.org import PiccoloOrgRepository
from tests.api.helpers import problem
from tests.api.org_calls import (
    AUDIT,
    MEMBERSHIPS,
    PEOPLE,
    all_pages,
    ok,
    post_roster,
    roster,
    signed_in,
)
from tests.factories import build_world


async def _people_count(client: httpx.AsyncClient, admin: dict[str, str]) -> int:
    return len(await all_pages(client, admin, PEOPLE))


async def test_roster_dry_run_reports_bad_rows_and_writes_nothing(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    count = await _people_count(client, admin)
    content = roster(
        "Nguyễn Văn An,0912 345 678,chính thức,15/03/2019,,",
        "Trần Thị Bình,12,dự bị,2025-01-05,,",
        ",0912000222,hội viên,,,",
        "Lê Văn Cường,0912 345 678,chính thức,01/01/2020,,",
        "Phạm Thị Dung,0987000111,chính thức,01/01/2020,có,",
    )
    report = ok(await post_roster(client, admin, world.cell_a, content, dry_run=True))
    assert report["applied"] is False
    assert report["rows"] == 5
    assert (report["newPeople"], report["existingPeople"]) == (2, 0)
    assert [(e["line"], e["field"], e["code"]) for e in report["errors"]] == [
        (3, "phone", "invalid_phone"),
        (4, "fullName", "required"),
        (4, "kind", "invalid_kind"),
        (4, "joinedOn", "invalid_date"),
        (5, "phone", "duplicate_in_file"),
        (6, "exemptResolutionDate", "exempt_resolution_date_required"),
    ]
    assert await _people_count(client, admin) == count
    assert ok(await client.get(AUDIT, headers=admin))["items"] == []

    clean = roster("Nguyễn Văn An,0912 345 678,chính thức,15/03/2019,,")
    dry = ok(await post_roster(client, admin, world.cell_a, clean, dry_run=True))
    assert (dry["applied"], dry["errors"], dry["newPeople"]) == (False, [], 1)
    assert await _people_count(client, admin) == count


async def test_roster_imports_every_row_of_a_good_file(client: httpx.AsyncClient) -> None:
    world = await build_world()
    world.secretary_b.phone = "+84903555666"
    await PiccoloOrgRepository().save_person(world.secretary_b)
    admin = await signed_in(world.admin)
    content = roster(
        "Nguyễn Văn An,0912 345 678,chính thức,15/03/2019,,",
        "Trần Thị Bình,0987 654 321,dự bị,05/01/2025,có,20/06/2025",
        f"{world.secretary_b.full_name},{world.secretary_b.phone},chính thức,01/01/2021,,",
    )
    report = ok(await post_roster(client, admin, world.cell_a, content))
    assert report == {
        "rows": 3,
        "newPeople": 2,
        "existingPeople": 1,
        "applied": True,
        "errors": [],
    }
    members = await all_pages(client, admin, MEMBERSHIPS, unitId=str(world.cell_a.id), live="true")
    people = {p["id"]: p for p in await all_pages(client, admin, PEOPLE)}
    by_phone = {people[m["personId"]]["phone"]: m for m in members}
    assert set(by_phone) == {
        "+84912345678",
        "+84987654321",
        world.secretary_b.phone,
        world.member_a.phone,
        world.secretary_a.phone,
    }
    an, binh = by_phone["+84912345678"], by_phone["+84987654321"]
    assert (an["kind"], an["joinedOn"], an["exempt"]) == ("full", "2019-03-15", False)
    assert (binh["kind"], binh["exempt"], binh["exemptResolutionDate"]) == (
        "probationary",
        True,
        "2025-06-20",
    )
    assert people[an["personId"]]["homeUnitId"] == str(world.cell_a.id)
    assert people[an["personId"]]["fullName"] == "Nguyễn Văn An"
    actions = sorted(r["action"] for r in await all_pages(client, admin, AUDIT))
    assert actions == ["membership.create"] * 3 + ["person.create"] * 2

    again = await post_roster(client, admin, world.cell_a, content)
    body = problem(again, 422, "roster_invalid")
    assert {e["field"] for e in body["errors"]} == {
        "line 2: phone",
        "line 3: phone",
        "line 4: phone",
    }


async def test_roster_with_one_bad_row_imports_none(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    count = await _people_count(client, admin)
    content = roster(
        "Nguyễn Văn An,0912 345 678,chính thức,15/03/2019,,",
        "Trần Thị Bình,0987 654 321,dự bị,31/02/2025,,",
        "Lê Văn Cường,0903 111 222,chính thức,01/01/2020,,",
    )
    reply = await post_roster(client, {**admin, "Accept-Language": "en"}, world.cell_a, content)
    body = problem(reply, 422, "roster_invalid")
    assert body["errors"] == [{"field": "line 3: joinedOn", "message": "invalid_date"}]
    assert body["title"]
    assert await _people_count(client, admin) == count
    assert ok(await client.get(AUDIT, headers=admin))["items"] == []


async def test_roster_rows_count_each_line_once(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    content = roster("Nguyễn Văn An,0912 345 678,chính thức,15/03/2019,,", ",bad,?,?,?,")
    report = ok(await post_roster(client, admin, world.cell_a, content, dry_run=True))
    assert {e["line"] for e in report["errors"]} == {3}
    assert len(report["errors"]) == 5
    assert report["rows"] == 2


async def test_roster_refuses_values_too_long_for_the_database(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    email = "a" * 250 + "@example.vn"
    content = (
        f"full_name,phone,email,kind,joined_on\nNguyễn Văn An,0912345678,{email},full,2020-01-01"
    )
    reply = await post_roster(client, admin, world.cell_a, content.encode())
    body = problem(reply, 422, "roster_invalid")
    assert body["errors"] == [{"field": "line 2: email", "message": "invalid_email"}]


async def test_roster_into_a_ward_or_a_non_csv_file_is_refused(client: httpx.AsyncClient) -> None:
    world = await build_world()
    admin = await signed_in(world.admin)
    content = roster("An,0912345678,full,2020-01-01,,")
    problem(await post_roster(client, admin, world.ward1, content), 422, "unit_not_cell")
    latin = "full_name,phone,kind,joined_on\nL\xea,0912345678,full,2020-01-01".encode("latin-1")
    problem(await post_roster(client, admin, world.cell_a, latin), 422, "roster_not_csv")
    no_columns = await post_roster(client, admin, world.cell_a, b"name,mobile\nAn,0912345678")
    body = problem(no_columns, 422, "roster_invalid")
    assert {e["field"] for e in body["errors"]} == {
        "line 1: full_name",
        "line 1: phone",
        "line 1: kind",
        "line 1: joined_on",
    }
