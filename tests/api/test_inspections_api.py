"""Inspections over HTTP on both engines: the whole flow from template to conclusion; every bad
input answers its 4xx with its code and changes nothing; template versions; scope (404 outside);
stale and concurrent edits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from db.repositories.inspections import PiccoloInspectionRepository
from db.repositories.org import PiccoloOrgRepository
from db.tables import InspectionTable
from domain.actors import Role
from domain.inspections.model import Inspection
from domain.org.model import RoleGrant
from tests.api.helpers import if_match, problem
from tests.api.inspection_calls import (
    DAY,
    INSPECTIONS,
    PLANS,
    TEMPLATE,
    TEMPLATES,
    add_person,
    assert_calendar,
    create,
    inspection_body,
    listed,
    scene,
    started,
)
from tests.factories import login, make_person, make_unit, password_hash
from tests.fakes import START, FakeClock

# -- the whole flow ------------------------------------------------------------------------------


async def test_the_whole_flow_from_template_to_conclusion(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await scene(client)
    world = s.world
    assert s.template["version"] == 1
    got = await client.get(f"{TEMPLATES}/{s.template['id']}", headers=s.lead)
    assert got.json()["items"][1]["maxScore"] == 5

    plan = {
        "unitId": str(world.ward1.id),
        "firstDay": "2027-01-04",
        "lastDay": "2027-03-31",
        "topic": "Kiểm tra chế độ sinh hoạt quý I",
        "kind": "periodic",
        "templateId": s.template["id"],
        "inspectorIds": [str(world.inspector.id)],
    }
    preview = await client.post(f"{PLANS}/preview", json=plan, headers=s.leader)
    assert preview.status_code == 200, preview.text
    visits = preview.json()
    assert [v["targetId"] for v in visits] == [str(world.cell_a.id)]
    assert visits[0]["leadId"] == str(world.inspector.id)
    assert visits[0]["staffed"] is True
    assert visits[0]["windowStart"].startswith("2027-01-04T")
    assert await listed(client, s.leader) == []  # a preview creates nothing

    committed = await client.post(PLANS, json=plan, headers=s.leader)
    assert committed.status_code == 201, committed.text
    [inspection] = committed.json()
    assert inspection["planId"] is not None
    assert inspection["status"] == "planned"
    assert inspection["template"]["version"] == 1
    assert inspection["unanswered"] == ["met_monthly", "minutes"]

    await assert_calendar(client, s, inspection["id"])

    url = f"{INSPECTIONS}/{inspection['id']}"
    clock.advance(timedelta(days=38))
    checked_in = await client.post(
        f"{url}/check-in",
        json={"location": {"lat": 21.03, "lon": 105.85}},
        headers=if_match(s.lead, 1),
    )
    assert checked_in.status_code == 200, checked_in.text
    assert checked_in.json()["status"] == "in_progress"
    assert checked_in.json()["leadCheckedInAt"] is not None
    etag = checked_in.headers["etag"]
    for key, value in (("met_monthly", True), ("minutes", 4), ("notes", "Sổ sạch sẽ")):
        answered = await client.put(
            f"{url}/answers/{key}",
            json={"value": value, "note": "Đã xem sổ"},
            headers={**s.lead, "If-Match": etag},
        )
        assert answered.status_code == 200, answered.text
        etag = answered.headers["etag"]
    finding = await client.post(
        f"{url}/findings",
        json={"text": "Biên bản tháng 10 thiếu chữ ký", "severity": "medium"},
        headers={**s.lead, "If-Match": etag},
    )
    assert finding.status_code == 201, finding.text
    assert [f["severity"] for f in finding.json()["findings"]] == ["medium"]
    concluded = await client.post(
        f"{url}/conclusion",
        json={
            "text": "Chi bộ thực hiện tốt chế độ sinh hoạt",
            "recommendations": [
                {
                    "text": "Bổ sung chữ ký biên bản tháng 10",
                    "dueOn": "2027-02-15",
                    "responsibleUnitId": str(world.cell_a.id),
                    "priority": "urgent",
                },
                {
                    "text": "Báo cáo kết quả khắc phục",
                    "dueOn": "2027-02-28",
                    "responsiblePersonId": str(world.secretary_a.id),
                },
            ],
        },
        headers={**s.lead, "If-Match": finding.headers["etag"]},
    )
    assert concluded.status_code == 200, concluded.text
    body = concluded.json()
    assert body["status"] == "concluded"
    assert body["concludedAt"] is not None
    assert body["unanswered"] == []
    # an urgent recommendation makes an urgent follow-up task (it escalates sooner)
    assert [
        (
            r["dueOn"],
            r["priority"],
            (await client.get(f"/api/v1/tasks/{r['taskId']}", headers=s.lead)).json()["priority"],
        )
        for r in body["recommendations"]
    ] == [("2027-02-15", "urgent", "urgent"), ("2027-02-28", "normal", "normal")]
    assert body["version"] == 7
    assert concluded.headers["etag"] == '"7"'

    # The unit sees its inspection with answers, findings and recommendations.
    secretary = await login(client, world.secretary_a)
    seen = await client.get(url, headers=secretary)
    assert seen.status_code == 200
    assert seen.headers["etag"] == '"7"'
    assert {a["itemKey"] for a in seen.json()["answers"]} == {"met_monthly", "minutes", "notes"}
    assert await listed(client, secretary, status="concluded") == [inspection["id"]]


async def test_a_plan_spreads_visits_and_does_not_double_book(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    world = s.world
    repo = PiccoloOrgRepository()
    for name in ("Chi bộ số 2", "Chi bộ số 3"):
        await repo.add_unit(make_unit(world.ward1, name, "cell", is_cell=True))
    second = await add_person(world, Role.INSPECTOR, "Ngô Minh Khoa")
    plan = {
        "unitId": str(world.ward1.id),
        "firstDay": "2027-01-04",
        "lastDay": "2027-01-04",
        "topic": "Kiểm tra chuyên đề",
        "kind": "thematic",
        "templateId": s.template["id"],
        "inspectorIds": [str(world.inspector.id), str(second.id)],
    }
    preview = await client.post(f"{PLANS}/preview", json=plan, headers=s.leader)
    visits = preview.json()
    assert len(visits) == 3
    assert [v["staffed"] for v in visits].count(True) == 2  # two inspectors, one day
    committed = await client.post(PLANS, json=plan, headers=s.leader)
    problem(committed, 409, "plan_unstaffed")
    assert await listed(client, s.leader) == []

    plan["lastDay"] = "2027-01-31"
    committed = await client.post(PLANS, json=plan, headers=s.leader)
    assert committed.status_code == 201, committed.text
    leads = [i["leadId"] for i in committed.json()]
    assert sorted(leads.count(p) for p in set(leads)) == [1, 2]
    surprise = await client.post(PLANS, json={**plan, "kind": "surprise"}, headers=s.leader)
    problem(surprise, 422, "plan_kind_invalid")


# -- bad input changes nothing -------------------------------------------------------------------


@pytest.mark.parametrize(
    "items",
    [
        [TEMPLATE["items"][0], TEMPLATE["items"][0]],
        [{"key": "score", "question": "Điểm", "answerKind": "score"}],
        [{"key": "yn", "question": "Có?", "answerKind": "yes_no", "maxScore": 3}],
    ],
    ids=["duplicate-keys", "score-without-max", "max-without-score"],
)
async def test_an_invalid_template_is_refused(client: httpx.AsyncClient, items: list[Any]) -> None:
    s = await scene(client)
    reply = await client.post(TEMPLATES, json={"name": "Mẫu", "items": items}, headers=s.leader)
    problem(reply, 422, "checklist_items_invalid")
    revised = await client.put(
        f"{TEMPLATES}/{s.template['id']}", json={"name": "Mẫu", "items": items}, headers=s.leader
    )
    problem(revised, 422, "checklist_items_invalid")
    got = await client.get(f"{TEMPLATES}/{s.template['id']}", headers=s.leader)
    assert got.json() == s.template


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "Mẫu", "items": []},
        {"name": "", "items": TEMPLATE["items"]},
        {"name": "Mẫu", "items": [{"key": "Bad Key", "question": "?", "answerKind": "text"}]},
        {"name": "Mẫu", "items": [{"key": "k", "question": "?", "answerKind": "photo"}]},
    ],
)
async def test_malformed_templates_answer_422(
    client: httpx.AsyncClient, payload: dict[str, Any]
) -> None:
    s = await scene(client)
    problem(await client.post(TEMPLATES, json=payload, headers=s.leader), 422, "validation_failed")


async def test_a_window_ending_before_it_starts_is_refused(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    for end in (DAY - timedelta(hours=1), DAY):
        reply = await client.post(
            INSPECTIONS, json=inspection_body(s, windowEnd=end.isoformat()), headers=s.leader
        )
        problem(reply, 422, "inspection_window_invalid")
    assert await listed(client, s.leader) == []


async def test_a_lead_or_member_who_is_not_an_inspector_of_the_target_reads_as_missing(
    client: httpx.AsyncClient,
) -> None:
    s = await scene(client)
    elsewhere = make_person(s.world.ward2, "Đinh Văn Khoa")  # an inspector, of ward 2
    await PiccoloOrgRepository().add_person(elsewhere, password_hash())
    await PiccoloOrgRepository().add_grant(
        RoleGrant(
            uuid4(), elsewhere.id, s.world.ward2.id, s.world.ward2.path, Role.INSPECTOR, None,
            START, START,
        )
    )  # fmt: skip
    for body in (
        inspection_body(s, leadId=str(s.world.secretary_b.id)),
        inspection_body(s, memberIds=[str(s.world.leader_1.id)]),
        inspection_body(s, leadId=str(elsewhere.id)),
        inspection_body(s, leadId=str(uuid4())),
    ):
        reply = await client.post(INSPECTIONS, json=body, headers=s.leader)
        problem(reply, 404, "person_not_found")
    assert await listed(client, s.leader) == []


async def test_a_double_booked_inspector_needs_an_override_reason(
    client: httpx.AsyncClient,
) -> None:
    s = await scene(client)
    # an inspector of the whole city, so that one person may be booked in both wards
    city_inspector = await add_person(s.world, Role.INSPECTOR, "Lý Văn Kiểm", s.world.city)
    leader = await login(client, s.world.admin)  # cell B is outside leader_1's ward
    city_template = await client.post(TEMPLATES, json=TEMPLATE, headers=leader)
    first = await create(client, s, leadId=str(city_inspector.id))
    overlapping = {
        "windowStart": (DAY + timedelta(hours=4)).isoformat(),
        "windowEnd": (DAY + timedelta(hours=12)).isoformat(),
        "targetId": str(s.world.cell_b.id),
        "leadId": str(city_inspector.id),
        "templateId": city_template.json()["id"],
    }
    clash = await client.post(INSPECTIONS, json=inspection_body(s, **overlapping), headers=leader)
    body = problem(clash, 409, "inspector_double_booked")
    assert "inspection" not in body.get("detail", "")
    assert await listed(client, leader) == [first["id"]]

    touching = await client.post(
        INSPECTIONS,
        json=inspection_body(
            s,
            windowStart=(DAY + timedelta(hours=8)).isoformat(),
            windowEnd=(DAY + timedelta(hours=9)).isoformat(),
            leadId=str(city_inspector.id),
        ),
        headers=s.leader,
    )
    assert touching.status_code == 201, touching.text  # back to back is no clash

    forced = await client.post(
        INSPECTIONS,
        json=inspection_body(s, **overlapping, overrideReason="Thiếu người, lãnh đạo duyệt"),
        headers=leader,
    )
    assert forced.status_code == 201, forced.text
    assert forced.json()["overrideReason"] == "Thiếu người, lãnh đạo duyệt"


async def test_bad_visit_input_answers_4xx_and_changes_nothing(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    member = await add_person(s.world, Role.INSPECTOR, "Ngô Minh Khoa")
    url, etag = await started(client, s, memberIds=[str(member.id)])
    member_headers = await login(client, member)
    lead = {**s.lead, "If-Match": etag}

    cases = [
        (
            client.put(f"{url}/answers/unknown", json={"value": True}, headers=lead),
            422,
            "checklist_item_unknown",
        ),
        (
            client.put(f"{url}/answers/met_monthly", json={"value": 3}, headers=lead),
            422,
            "answer_invalid",
        ),
        (
            client.put(f"{url}/answers/minutes", json={"value": 6}, headers=lead),
            422,
            "answer_invalid",
        ),
        (
            client.put(f"{url}/answers/minutes", json={"value": True}, headers=lead),
            422,
            "answer_invalid",
        ),
        (
            client.put(f"{url}/answers/notes", json={"value": " "}, headers=lead),
            422,
            "answer_invalid",
        ),
        (
            client.post(f"{url}/findings", json={"text": "x", "severity": "fatal"}, headers=lead),
            422,
            "validation_failed",
        ),
        (
            client.post(
                f"{url}/conclusion",
                json={"text": "Kết luận"},
                headers={**member_headers, "If-Match": etag},
            ),
            403,
            "inspection_lead_only",
        ),
        (
            client.put(
                f"{url}/answers/minutes", json={"value": 3}, headers={**s.leader, "If-Match": etag}
            ),
            403,
            "inspection_team_only",
        ),
        (
            client.put(f"{url}/answers/minutes", json={"value": 3}, headers=if_match(s.lead, 1)),
            412,
            "version_mismatch",
        ),
        (
            client.put(f"{url}/answers/minutes", json={"value": 3}, headers=s.lead),
            428,
            "if_match_required",
        ),
    ]
    for request, status, code in cases:
        body = problem(await request, status, code)
        if status == 412:
            assert body["currentVersion"] == 2
    incomplete = await client.post(f"{url}/conclusion", json={"text": "Kết luận"}, headers=lead)
    assert problem(incomplete, 409, "checklist_incomplete")["missing"] == ["met_monthly", "minutes"]

    got = await client.get(url, headers=s.lead)
    assert got.headers["etag"] == etag
    assert got.json()["answers"] == []
    assert got.json()["findings"] == []
    assert got.json()["status"] == "in_progress"


async def test_a_member_works_the_visit_but_only_the_lead_concludes(
    client: httpx.AsyncClient,
) -> None:
    s = await scene(client)
    member = await add_person(s.world, Role.INSPECTOR, "Ngô Minh Khoa")
    url, etag = await started(client, s, memberIds=[str(member.id)])
    member_headers = await login(client, member)
    for key, value in (("met_monthly", False), ("minutes", 0)):
        reply = await client.put(
            f"{url}/answers/{key}",
            json={"value": value},
            headers={**member_headers, "If-Match": etag},
        )
        assert reply.status_code == 200, reply.text
        etag = reply.headers["etag"]
    concluded = await client.post(
        f"{url}/conclusion", json={"text": "Chưa đạt"}, headers={**s.lead, "If-Match": etag}
    )
    assert concluded.status_code == 200, concluded.text
    again = await client.post(
        f"{url}/conclusion",
        json={"text": "Lần hai"},
        headers={**s.lead, "If-Match": concluded.headers["etag"]},
    )
    problem(again, 409, "inspection_status_invalid")


# -- templates keep their versions ---------------------------------------------------------------


async def test_a_template_revision_leaves_earlier_inspections_on_their_version(
    client: httpx.AsyncClient,
) -> None:
    s = await scene(client)
    old = await create(client, s)
    revised_items = [*TEMPLATE["items"], {"key": "photos", "question": "Ảnh", "answerKind": "text"}]
    revised = await client.put(
        f"{TEMPLATES}/{s.template['id']}",
        json={"name": "Mẫu sửa", "items": revised_items},
        headers=s.leader,
    )
    assert revised.status_code == 200, revised.text
    assert revised.json()["version"] == 2
    assert revised.json()["id"] != s.template["id"]
    again = await client.put(f"{TEMPLATES}/{s.template['id']}", json=TEMPLATE, headers=s.leader)
    assert again.json()["version"] == 3

    got = await client.get(f"{INSPECTIONS}/{old['id']}", headers=s.leader)
    assert got.json()["template"] == s.template
    assert got.json()["unanswered"] == ["met_monthly", "minutes"]
    new = await create(
        client,
        s,
        templateId=revised.json()["id"],
        windowStart=(DAY + timedelta(days=2)).isoformat(),
        windowEnd=(DAY + timedelta(days=2, hours=8)).isoformat(),
    )
    assert new["template"]["version"] == 2
    assert new["unanswered"] == ["met_monthly", "minutes", "photos"]
    missing = await client.put(f"{TEMPLATES}/{uuid4()}", json=TEMPLATE, headers=s.leader)
    problem(missing, 404, "template_not_found")


# -- scope -------------------------------------------------------------------------------------


async def test_outside_the_scope_every_inspection_of_cell_a_reads_as_missing(
    client: httpx.AsyncClient,
) -> None:
    s = await scene(client)
    periodic = await create(client, s)
    url, _ = await started(
        client,
        s,
        windowStart=(DAY + timedelta(days=3)).isoformat(),
        windowEnd=(DAY + timedelta(days=3, hours=8)).isoformat(),
    )
    ids = [periodic["id"], url.rsplit("/", 1)[-1]]
    outsiders = {
        "secretary_b": await login(client, s.world.secretary_b),
        "leader_2": await login(client, s.world.leader_2),
    }
    for name, headers in outsiders.items():
        assert await listed(client, headers) == [], name
        for inspection_id in [*ids, str(uuid4())]:
            base = f"{INSPECTIONS}/{inspection_id}"
            with_etag = if_match(headers, 1)
            for reply in (
                await client.get(base, headers=headers),
                await client.get(f"{base}/sealed-reads", headers=headers),
                await client.post(f"{base}/check-in", json={}, headers=with_etag),
                await client.put(f"{base}/answers/minutes", json={"value": 1}, headers=with_etag),
                await client.post(
                    f"{base}/findings", json={"text": "x", "severity": "low"}, headers=with_etag
                ),
                await client.post(f"{base}/conclusion", json={"text": "x"}, headers=with_etag),
            ):
                problem(reply, 404, "inspection_not_found")
    # Nor may they plan for cell A.
    reply = await client.post(INSPECTIONS, json=inspection_body(s), headers=outsiders["leader_2"])
    problem(reply, 404, "unit_not_found")


async def test_the_inspected_unit_reads_but_does_not_work_the_visit(
    client: httpx.AsyncClient,
) -> None:
    s = await scene(client)
    url, etag = await started(client, s)
    secretary = {**await login(client, s.world.secretary_a), "If-Match": etag}
    assert (await client.get(url, headers=secretary)).status_code == 200
    reply = await client.put(f"{url}/answers/minutes", json={"value": 5}, headers=secretary)
    problem(reply, 403, "inspection_team_only")
    problem(
        await client.post(INSPECTIONS, json=inspection_body(s), headers=secretary),
        403,
        "inspection_plan_forbidden",
    )
    problem(
        await client.post(TEMPLATES, json=TEMPLATE, headers=secretary),
        403,
        "inspection_plan_forbidden",
    )


# -- concurrent edits ----------------------------------------------------------------------------


async def test_of_two_edits_made_against_one_version_the_second_gets_412(
    client: httpx.AsyncClient,
) -> None:
    s = await scene(client)
    url, etag = await started(client, s)
    first = await client.put(
        f"{url}/answers/minutes", json={"value": 2}, headers={**s.lead, "If-Match": etag}
    )
    assert first.status_code == 200
    second = await client.post(
        f"{url}/findings",
        json={"text": "Thiếu sổ", "severity": "high"},
        headers={**s.lead, "If-Match": etag},
    )
    assert problem(second, 412, "version_mismatch")["currentVersion"] == 3
    got = (await client.get(url, headers=s.lead)).json()
    assert (got["version"], got["findings"], got["answers"][0]["value"]) == (3, [], 2)


async def test_a_write_landing_between_read_and_save_is_not_overwritten(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another API process saves the inspection after this request read it and checked
    If-Match, before it writes: the version condition in the update refuses the stale write."""
    s = await scene(client)
    url, etag = await started(client, s)
    inspection_id = UUID(url.rsplit("/", 1)[-1])
    read = PiccoloInspectionRepository.get
    raced: list[bool] = []

    async def racing_get(self: PiccoloInspectionRepository, wanted: UUID) -> Inspection | None:
        inspection = await read(self, wanted)
        if not raced:
            raced.append(True)
            await InspectionTable.update({InspectionTable.version: 3}).where(
                InspectionTable.id == inspection_id
            )
        return inspection

    monkeypatch.setattr(PiccoloInspectionRepository, "get", racing_get)
    reply = await client.put(
        f"{url}/answers/minutes", json={"value": 4}, headers={**s.lead, "If-Match": etag}
    )
    assert problem(reply, 412, "version_mismatch")["currentVersion"] == 3
    monkeypatch.undo()
    # (the simulated other write shares this test's transaction, so it rolled back with the
    # refused request; what matters is that the stale answer was never written)
    assert (await client.get(url, headers=s.lead)).json()["answers"] == []


async def test_a_client_chosen_id_is_kept_and_not_reused(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    chosen = str(uuid4())
    made = await create(client, s, id=chosen)
    assert made["id"] == chosen
    again = await client.post(
        INSPECTIONS,
        json=inspection_body(
            s,
            id=chosen,
            windowStart=(DAY + timedelta(days=5)).isoformat(),
            windowEnd=(DAY + timedelta(days=5, hours=1)).isoformat(),
        ),
        headers=s.leader,
    )
    problem(again, 409, "id_conflict")


async def test_an_idempotent_create_replays_the_stored_reply(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    key = {**s.leader, "Idempotency-Key": str(uuid4())}
    first = await client.post(INSPECTIONS, json=inspection_body(s), headers=key)
    replay = await client.post(INSPECTIONS, json=inspection_body(s), headers=key)
    assert first.status_code == replay.status_code == 201, replay.text
    assert replay.json()["id"] == first.json()["id"]
    assert await listed(client, s.leader) == [first.json()["id"]]


# -- who owns a checklist template ----------------------------------------------------------------


async def test_only_the_owning_unit_publishes_versions_of_its_template(
    client: httpx.AsyncClient,
) -> None:
    """The city's template: ward leaders use it, only the city's planners revise it."""
    s = await scene(client)
    admin = await login(client, s.world.admin)
    city = await client.post(TEMPLATES, json=TEMPLATE, headers=admin)
    assert city.status_code == 201, city.text
    assert city.json()["unitId"] == str(s.world.city.id)
    url = f"{TEMPLATES}/{city.json()['id']}"

    assert (await client.get(url, headers=s.leader)).status_code == 200
    problem(
        await client.put(url, json=TEMPLATE, headers=s.leader), 403, "template_manage_forbidden"
    )
    revised = await client.put(url, json=TEMPLATE, headers=admin)
    assert revised.status_code == 200, revised.text
    assert (revised.json()["version"], revised.json()["unitId"]) == (2, str(s.world.city.id))
    # a ward leader may still plan with it in the ward
    assert (await client.post(INSPECTIONS, json=inspection_body(s, templateId=city.json()["id"]),
                              headers=s.leader)).status_code == 201  # fmt: skip


async def test_a_wards_template_reads_as_missing_outside_the_ward(
    client: httpx.AsyncClient,
) -> None:
    s = await scene(client)  # s.template: made by leader_1, owned by ward 1
    assert s.template["unitId"] == str(s.world.ward1.id)
    other = await login(client, s.world.leader_2)
    for template_id in (s.template["id"], str(uuid4())):
        url = f"{TEMPLATES}/{template_id}"
        problem(await client.get(url, headers=other), 404, "template_not_found")
        problem(await client.put(url, json=TEMPLATE, headers=other), 404, "template_not_found")
        body = inspection_body(s, targetId=str(s.world.cell_b.id), templateId=template_id)
        problem(await client.post(INSPECTIONS, json=body, headers=other), 404, "template_not_found")
    # the admin above sees it, but cannot plan cell B (outside ward 1) with it either
    admin = await login(client, s.world.admin)
    assert (await client.get(f"{TEMPLATES}/{s.template['id']}", headers=admin)).status_code == 200
    body = inspection_body(s, targetId=str(s.world.cell_b.id))
    problem(await client.post(INSPECTIONS, json=body, headers=admin), 404, "template_not_found")


async def test_the_owner_of_a_new_template(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    admin = await login(client, s.world.admin)
    ward = await client.post(
        TEMPLATES, json={**TEMPLATE, "unitId": str(s.world.ward1.id)}, headers=admin
    )
    assert ward.status_code == 201, ward.text
    assert ward.json()["unitId"] == str(s.world.ward1.id)
    for unit_id in (s.world.ward2.id, uuid4()):  # not the leader's: like a missing unit
        reply = await client.post(
            TEMPLATES, json={**TEMPLATE, "unitId": str(unit_id)}, headers=s.leader
        )
        problem(reply, 404, "unit_not_found")
    both = await add_person(s.world, Role.LEADER, "Hà Văn Hai")
    await PiccoloOrgRepository().add_grant(
        RoleGrant(uuid4(), both.id, s.world.ward2.id, s.world.ward2.path, Role.LEADER, None,
                  START, START)
    )  # fmt: skip
    problem(
        await client.post(TEMPLATES, json=TEMPLATE, headers=await login(client, both)),
        422,
        "template_unit_required",
    )
