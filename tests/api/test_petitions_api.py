"""Petitions over HTTP: reply and satisfaction rules, reply due dates over holidays and the
calendar days only the root admin sets, petitioners' personal data kept within people scope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx

from db.tables import PetitionTable, TaskTable
from tests.api.task_calls import (
    CONTACT,
    DAYS,
    PETITIONER,
    PETITIONS,
    REPLY,
    TASKS,
    record_petition,
    refused,
)
from tests.factories import build_world, login
from tests.fakes import FakeClock


async def test_petition_reply_and_satisfaction_rules(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    petition = await record_petition(client, secretary, world)
    url = f"{PETITIONS}/{petition['id']}"

    early = await refused(
        client,
        f"{url}/satisfaction",
        secretary,
        422,
        "petition_not_replied",
        {"satisfaction": "satisfied"},
    )
    assert early["status"] == 422
    for body in (
        {**REPLY, "headName": "  "},
        {**REPLY, "headTitle": " "},
    ):
        await refused(client, f"{url}/reply", secretary, 422, "reply_head_required", body)
    for missing in ("headName", "headTitle"):
        body = {k: v for k, v in REPLY.items() if k != missing}
        await refused(client, f"{url}/reply", secretary, 422, "validation_failed", body)
    await refused(
        client,
        f"{url}/reply",
        secretary,
        422,
        "reply_text_required",
        {
            **REPLY,
            "text": "  ",
        },
    )
    unchanged = (await client.get(url, headers=secretary)).json()
    assert unchanged["reply"] is None
    assert unchanged["satisfaction"] is None
    assert unchanged["version"] == petition["version"]

    member = await login(client, world.member_a)  # the assignee may see it, not answer for the unit
    await refused(client, f"{url}/reply", member, 403, "task_manage_forbidden", REPLY)

    replied = await client.post(f"{url}/reply", json=REPLY, headers=secretary)
    assert replied.status_code == 200, replied.text
    answer = replied.json()["reply"]
    assert (answer["headName"], answer["headTitle"], answer["text"]) == (
        REPLY["headName"],
        REPLY["headTitle"],
        REPLY["text"],
    )
    await refused(
        client,
        f"{url}/reply",
        secretary,
        409,
        "petition_already_replied",
        {
            **REPLY,
            "text": "Trả lời lần hai",
        },
    )
    again = (await client.get(url, headers=secretary)).json()
    assert again["reply"]["text"] == REPLY["text"]
    assert again["version"] == replied.json()["version"]
    task = (await client.get(f"{TASKS}/{petition['taskId']}", headers=secretary)).json()
    assert task["waitingForReply"] is False

    happy = await client.post(
        f"{url}/satisfaction", json={"satisfaction": "satisfied"}, headers=secretary
    )
    assert happy.status_code == 200, happy.text
    assert happy.json()["satisfaction"] == "satisfied"
    await refused(
        client,
        f"{url}/satisfaction",
        secretary,
        422,
        "validation_failed",
        {"satisfaction": "so-so"},
    )
    unknown = await client.get(f"{PETITIONS}/{uuid4()}", headers=secretary)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "petition_not_found"


async def test_reply_due_dates_skip_tet_and_the_april_holidays(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    clock.reset(datetime(2027, 2, 3, 2, 0, tzinfo=UTC))
    # 00:30 on Wednesday 3 February 2027 in Hà Nội (still the 2nd in UTC); Tết runs 4-10 February
    tet = await record_petition(client, secretary, world, "2027-02-02T17:30:00Z")
    assert tet["replyDueOn"] == "2027-02-24"
    task = (await client.get(f"{TASKS}/{tet['taskId']}", headers=secretary)).json()
    assert task["dueOn"] == "2027-02-24"
    assert task["source"] == "petition"
    assert task["sourceId"] == tet["id"]
    assert task["waitingForReply"] is True

    clock.reset(datetime(2027, 4, 29, 2, 0, tzinfo=UTC))
    # Thursday 29 April 2027: 30 April, 1 May (Saturday) and 3 May (in lieu) are off
    april = await record_petition(client, secretary, world, "2027-04-29T02:00:00Z")
    assert april["replyDueOn"] == "2027-05-17"
    # Wednesday 29 April 2026: 30 April and 1 May off
    past = await record_petition(client, secretary, world, "2026-04-29T03:00:00+07:00")
    assert past["replyDueOn"] == "2026-05-15"
    # Monday 31 August 2026 (off in lieu of Saturday 22 August); 1 and 2 September off
    national = await record_petition(client, secretary, world, "2026-08-31T10:00:00+07:00")
    assert national["replyDueOn"] == "2026-09-16"
    # Friday 21 August 2026: the next day is the Saturday worked in exchange for 31 August
    swapped = await record_petition(client, secretary, world, "2026-08-21T10:00:00+07:00")
    assert swapped["replyDueOn"] == "2026-09-08"


async def test_petitioner_personal_data_stays_within_people_scope(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    petition = await record_petition(client, secretary, world)
    assert petition["petitionerName"] == PETITIONER
    assert petition["petitionerContact"] == CONTACT
    url = f"{PETITIONS}/{petition['id']}"
    task_url = f"{TASKS}/{petition['taskId']}"

    for person in (world.secretary_a, world.leader_1, world.inspector, world.admin):
        headers = secretary if person is world.secretary_a else await login(client, person)
        body = (await client.get(url, headers=headers)).json()
        assert (body["petitionerName"], body["petitionerContact"]) == (PETITIONER, CONTACT)
        listed = (await client.get(PETITIONS, headers=headers)).json()["items"]
        assert [(p["id"], p["petitionerName"]) for p in listed] == [(petition["id"], PETITIONER)]
        for reply in (
            await client.get(task_url, headers=headers),
            await client.get(TASKS, headers=headers),
            await client.get(f"{TASKS}/to-verify", headers=headers),
        ):
            assert reply.status_code == 200
            assert PETITIONER not in reply.text
            assert CONTACT not in reply.text

    member = await login(client, world.member_a)  # the assignee, a plain member
    body = (await client.get(url, headers=member)).json()
    assert body["content"] == "Lấn chiếm vỉa hè ở đầu ngõ 12"
    assert (body["petitionerName"], body["petitionerContact"]) == (None, None)
    listed = await client.get(PETITIONS, headers=member)
    assert [(p["id"], p["petitionerName"]) for p in listed.json()["items"]] == [
        (petition["id"], None)
    ]
    assert PETITIONER not in listed.text
    for reply in (
        await client.get(task_url, headers=member),
        await client.get(f"{TASKS}/mine", headers=member),
        await client.get(TASKS, headers=member),
    ):
        assert reply.status_code == 200
        assert PETITIONER not in reply.text
        assert CONTACT not in reply.text
    # replying as the secretary does not disclose them to the member either
    replied = await client.post(f"{url}/reply", json=REPLY, headers=secretary)
    assert replied.status_code == 200, replied.text
    assert PETITIONER not in (await client.get(url, headers=member)).text

    for person in (world.secretary_b, world.leader_2):
        outsider = await login(client, person)
        for path in (url, task_url, f"{task_url}/comments"):
            reply = await client.get(path, headers=outsider)
            assert reply.status_code == 404, (person.full_name, path)
            assert PETITIONER not in reply.text
        assert (await client.get(PETITIONS, headers=outsider)).json()["items"] == []
        assert (await client.get(TASKS, headers=outsider)).json()["items"] == []
        hidden = await client.get(
            PETITIONS, params={"unitId": str(world.cell_a.id)}, headers=outsider
        )
        assert hidden.status_code == 404
        await refused(
            client,
            f"{url}/satisfaction",
            outsider,
            404,
            "petition_not_found",
            {"satisfaction": "not_satisfied"},
        )
    assert await PetitionTable.count().where(PetitionTable.satisfaction.is_not_null()) == 0


async def test_recording_a_petition_needs_the_right_over_the_unit(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    member = await login(client, world.member_a)
    other = await login(client, world.secretary_b)
    for headers, status, code in (
        (member, 403, "task_manage_forbidden"),
        (other, 404, "unit_not_found"),
    ):
        reply = await client.post(
            PETITIONS,
            json={
                "unitId": str(world.cell_a.id),
                "assigneeId": str(world.member_a.id),
                "petitionerName": PETITIONER,
                "channel": "dialogue",
                "category": "An ninh",
                "content": "Trộm cắp xe máy",
                "receivedAt": "2026-11-27T02:00:00Z",
            },
            headers=headers,
        )
        assert reply.status_code == status, reply.text
        assert reply.json()["code"] == code
    assert await PetitionTable.count() == 0
    assert await TaskTable.count() == 0


# -- calendar days --------------------------------------------------------------------------------


async def entered_days(
    client: httpx.AsyncClient, headers: dict[str, str], year: str
) -> list[dict[str, Any]]:
    listed = await client.get(DAYS, params={"year": year}, headers=headers)
    assert listed.status_code == 200, listed.text
    return [d for d in listed.json()["items"] if d["source"] == "override"]


async def test_only_the_root_admin_sets_calendar_days_and_they_move_reply_dates(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    admin = await login(client, world.admin)
    leader = await login(client, world.leader_1)
    before = await record_petition(client, admin, world)
    assert before["replyDueOn"] == "2026-12-11"  # 10 working days after Friday 27 November

    day = {"working": True, "note": "Làm bù"}
    refused_day = await client.put(f"{DAYS}/2026-12-05", json=day, headers=leader)
    assert refused_day.status_code == 403
    assert refused_day.json()["code"] == "calendar_manage_forbidden"
    assert await entered_days(client, leader, "2026") == []

    saturday = await client.put(f"{DAYS}/2026-12-05", json=day, headers=admin)
    assert saturday.status_code == 200, saturday.text
    assert saturday.json() == {
        "day": "2026-12-05",
        "working": True,
        "note": "Làm bù",
        "source": "override",
    }
    after = await record_petition(client, admin, world)
    assert after["replyDueOn"] == "2026-12-10"  # the make-up Saturday counts
    unchanged = (await client.get(f"{PETITIONS}/{before['id']}", headers=admin)).json()
    assert unchanged["replyDueOn"] == "2026-12-11"

    off = await client.put(
        f"{DAYS}/2026-12-07", json={"working": False, "note": "Nghỉ bù"}, headers=admin
    )
    assert off.status_code == 200, off.text
    assert (await record_petition(client, admin, world))["replyDueOn"] == "2026-12-11"
    # entered again: the day is updated, not doubled
    again = await client.put(f"{DAYS}/2026-12-07", json={"working": False}, headers=admin)
    assert again.status_code == 200, again.text

    assert await entered_days(client, leader, "2026") == [
        {"day": "2026-12-05", "working": True, "note": "Làm bù", "source": "override"},
        {"day": "2026-12-07", "working": False, "note": None, "source": "override"},
    ]
    assert await entered_days(client, leader, "2027") == []
    no_year = await client.get(DAYS, headers=leader)
    assert no_year.status_code == 422
    assert no_year.json()["code"] == "validation_failed"
    not_a_day = await client.put(f"{DAYS}/2026-13-40", json=day, headers=admin)
    assert not_a_day.status_code == 404
