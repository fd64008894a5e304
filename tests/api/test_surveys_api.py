"""Satisfaction surveys over HTTP: a survey per contact (a petition's reply after the delay, its
task closed, a dialogue's participant), the single-use link and its page, assisted answers kept
out of the headline, "not resolved" reopening the task, and the satisfaction report."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx

from db.engine import Database
from db.json_columns import loads
from db.repositories.dialogues import PiccoloDialogueRepository
from db.tables import AuditEventTable, SurveyAnswerTable, SurveyTable
from domain.dialogues.model import CoChair, Dialogue, DialogueFormat, DialogueKind
from domain.tokens import hash_token
from tests.api.helpers import Headers, client_on, if_match, problem
from tests.api.task_calls import EVIDENCE, REPLY, TASKS, record_petition
from tests.factories import World, add_survey_link, build_world, login
from tests.fakes import START, FakeClock

SURVEYS = "/api/v1/surveys"
AFTER_DELAY = timedelta(hours=49)  # CHIBO_SURVEY_DELAY_HOURS defaults to 48


async def _surveys(client: httpx.AsyncClient, headers: Headers, unit: Any) -> list[Any]:
    reply = await client.get(SURVEYS, params={"unitId": str(unit.id)}, headers=headers)
    assert reply.status_code == 200, reply.text
    items: list[Any] = reply.json()["items"]
    return items


async def _link(client: httpx.AsyncClient, headers: Headers, survey_id: str) -> str:
    reply = await client.post(f"{SURVEYS}/{survey_id}/link", headers=headers)
    assert reply.status_code == 201, reply.text
    assert reply.headers["cache-control"] == "no-store"
    body = reply.json()
    path: str = body["path"]
    assert path.startswith("/survey/")
    assert "url" not in body  # the app joins the path to the address it calls (Host is not trusted)
    return path


async def _replied(
    client: httpx.AsyncClient, headers: Headers, world: World
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A petition of cell A and its reply, naming the cell's secretary as the head."""
    petition = await record_petition(client, headers, world)
    body = {**REPLY, "headPersonId": str(world.secretary_a.id)}
    reply = await client.post(
        f"/api/v1/petitions/{petition['id']}/reply", json=body, headers=headers
    )
    assert reply.status_code == 200, reply.text
    [survey] = await _surveys(client, headers, world.cell_a)
    return petition, survey


def _page(reply: httpx.Response, status: int, text: str) -> None:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("text/html")
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["referrer-policy"] == "no-referrer"
    assert text in reply.text, reply.text


async def test_a_petitions_reply_is_rated_once_through_its_link_after_the_delay(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    _, survey = await _replied(client, secretary, world)
    assert survey["kind"] == "petition_reply"
    assert survey["opensAt"] == (START + timedelta(hours=48)).isoformat().replace("+00:00", "Z")
    assert survey["answered"] is False
    url = f"{SURVEYS}/{survey['id']}"
    problem(await client.post(f"{url}/link", headers=secretary), 409, "survey_not_open")

    clock.advance(AFTER_DELAY)
    member = await login(client, world.member_a)  # the case's assignee: sees the unit, no more
    problem(await client.get(url, headers=member), 403, "survey_manage_forbidden")
    problem(await client.post(f"{url}/link", headers=member), 403, "survey_manage_forbidden")
    other = await login(client, world.secretary_b)
    problem(await client.get(url, headers=other), 404, "survey_not_found")
    problem(await client.post(f"{url}/link", headers=other), 404, "survey_not_found")

    first = await _link(client, secretary, survey["id"])
    page = await client.get(first)  # no Authorization: the link is the credential
    _page(page, 200, '<html lang="vi">')
    assert page.text.count("<fieldset>") == 2
    assert page.text.count("<legend>") == 2
    assert '<label class="field" for="reason">' in page.text
    assert "<script" not in page.text

    link = await _link(client, secretary, survey["id"])  # a new link replaces the first
    _page(await client.get(first), 404, "Không tìm thấy phiếu khảo sát")
    _page(await client.get("/survey/not-a-token"), 404, "Không tìm thấy phiếu khảo sát")

    low = await client.post(link, data={"score": "1", "resolved": "yes"})
    _page(low, 422, "Xin ông/bà cho biết lý do chưa hài lòng.")
    assert 'value="1" checked' in low.text  # what was chosen stays chosen
    _page(await client.post(link, data={"resolved": "yes"}), 422, "Xin ông/bà chọn mức độ")
    _page(await client.post(link, data={"score": "5", "resolved": "yes"}), 200, "Cảm ơn ông/bà")
    _page(await client.get(link), 409, "Phiếu khảo sát đã được trả lời")
    _page(await client.post(link, data={"score": "4", "resolved": "yes"}), 409, "đã được trả lời")
    problem(
        await client.post(f"{url}/answer", json={"score": 3, "resolved": "yes"}, headers=secretary),
        409,
        "survey_already_answered",
    )

    assert (await client.get(url, headers=secretary)).json()["answered"] is True
    [row] = await SurveyAnswerTable.select()
    assert (row["score"], row["resolved"], row["entered_by"]) == (5, "yes", None)
    assert (row["unit"], row["unit_path"]) == (world.cell_a.id, world.cell_a.path)
    assert (row["head_person"], row["head_name"]) == (world.secretary_a.id, REPLY["headName"])
    [stored] = await SurveyTable.select(SurveyTable.link_hash)
    assert stored["link_hash"] == hash_token(link.removeprefix("/survey/"))
    # nothing says who answered: no actor, no score in the audit trail the handlers may read
    [audit] = await AuditEventTable.select(AuditEventTable.actor, AuditEventTable.after).where(
        AuditEventTable.action == "survey.answer"
    )
    assert audit["actor"] is None
    assert loads(audit["after"]) == {"kind": "petition_reply", "assisted": False}
    shown = (await client.get(url, headers=secretary)).json()
    assert set(shown) == {
        "id",
        "kind",
        "subjectId",
        "unitId",
        "opensAt",
        "linkExpiresAt",
        "answered",
    }


async def test_not_resolved_reopens_the_closed_task_and_tells_the_head(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    petition, replied = await _replied(client, secretary, world)
    task_url = f"{TASKS}/{petition['taskId']}"
    member = await login(client, world.member_a)
    version = (await client.get(task_url, headers=secretary)).json()["version"]
    submitted = await client.post(
        f"{task_url}/submit", json=EVIDENCE, headers=if_match(member, version)
    )
    assert submitted.status_code == 200, submitted.text
    leader = await login(client, world.leader_1)
    closed = await client.post(
        f"{task_url}/close", json={"resolution": "resolved"}, headers=if_match(leader, version + 1)
    )
    assert closed.status_code == 200, closed.text
    [closing] = [s for s in await _surveys(client, secretary, world.cell_a) if s != replied]
    assert closing["kind"] == "task_closed"
    assert closing["subjectId"] == petition["taskId"]

    link = await _link(client, secretary, closing["id"])  # a closing is rated at once
    said = "Vỉa hè vẫn bị lấn chiếm"
    answered = await client.post(link, data={"score": "2", "resolved": "no", "reason": said})
    _page(answered, 200, "Cảm ơn ông/bà")
    task = (await client.get(task_url, headers=secretary)).json()
    assert task["status"] == "in_progress"
    assert said in task["history"][-1]["note"]
    inbox = await client.get("/api/v1/me/notifications", headers=secretary)
    titles = [n["title"] for n in inbox.json()["items"]]
    assert "Người dân đánh giá: chưa được giải quyết" in titles

    # the reply's survey, answered for the resident by staff: kept apart from the headline
    clock.advance(AFTER_DELAY)
    assisted = f"{SURVEYS}/{replied['id']}/answer"
    problem(
        await client.post(assisted, json={"score": 1, "resolved": "no"}, headers=secretary),
        422,
        "survey_reason_required",
    )
    entered = await client.post(assisted, json={"score": 5, "resolved": "yes"}, headers=secretary)
    assert entered.status_code == 200, entered.text
    assert entered.json()["answered"] is True

    report_url = f"/api/v1/reports/units/{world.ward1.id}/satisfaction"
    report = await client.get(report_url, params={"period": "2026-11"}, headers=leader)
    assert report.status_code == 200, report.text
    body = report.json()
    headline = {
        "answers": 1,
        "satisfiedRate": 0.0,
        "notResolvedRate": 100.0,
        "assisted": 1,
        "lowSample": True,
        "surveysOpened": 2,
        "responseRate": 50.0,
    }
    assert body["figures"] == headline
    assert [(u["unitId"], u["figures"]) for u in body["units"]] == [
        (str(world.cell_a.id), headline)
    ]
    assert [(h["headPersonId"], h["headName"]) for h in body["heads"]] == [
        (str(world.secretary_a.id), REPLY["headName"])
    ]
    assert body["heads"][0]["figures"]["surveysOpened"] is None
    cells = await client.get(
        f"/api/v1/reports/units/{world.ward1.id}/cells",
        params={"period": "2026-11"},
        headers=leader,
    )
    [row] = cells.json()["rows"]
    survey_counts = ("surveyAnswers", "surveySatisfied", "surveyNotResolved", "surveyAssisted")
    assert [row["figures"][k] for k in survey_counts] == [1, 0, 1, 1]
    december = await client.get(report_url, params={"period": "2026-12"}, headers=leader)
    assert december.json()["figures"]["answers"] == 0
    problem(
        await client.get(report_url, params={"period": "2026-13"}, headers=leader),
        422,
        "report_period_invalid",
    )
    outsider = await login(client, world.leader_2)
    problem(
        await client.get(report_url, params={"period": "2026-11"}, headers=outsider),
        404,
        "unit_not_found",
    )


async def _dialogue(world: World, *, published: bool) -> Dialogue:
    dialogue = Dialogue(
        id=uuid4(),
        ward_id=world.ward1.id,
        ward_path=world.ward1.path,
        title="Đối thoại về trật tự đô thị",
        kind=DialogueKind.PERIODIC,
        format=DialogueFormat.IN_PERSON,
        place="Hội trường phường",
        starts_at=START - timedelta(days=3),
        announced_at=START - timedelta(days=10),
        cell_ids=(world.cell_a.id,),
        co_chairs=(CoChair("Bí thư Đảng ủy phường", "Vũ Đức Minh"),),
        created_by=world.leader_1.id,
        participants=2,
        published_at=START - timedelta(days=1) if published else None,
    )
    await PiccoloDialogueRepository().add(dialogue)
    return dialogue


async def test_a_dialogue_gets_a_survey_per_participant_and_links_expire(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    world = await build_world()
    leader = await login(client, world.leader_1)
    draft = await _dialogue(world, published=False)
    url = f"/api/v1/dialogues/{draft.id}/surveys"
    problem(await client.post(url, headers=leader), 409, "dialogue_not_published")
    dialogue = await _dialogue(world, published=True)
    url = f"/api/v1/dialogues/{dialogue.id}/surveys"
    problem(
        await client.post(url, headers=await login(client, world.leader_2)),
        404,
        "dialogue_not_found",
    )
    secretary = await login(client, world.secretary_a)  # sees the ward? no: only her cell
    problem(await client.post(url, headers=secretary), 404, "dialogue_not_found")
    links = []
    for _ in range(2):
        made = await client.post(url, headers=leader)
        assert made.status_code == 201, made.text
        assert made.json()["survey"]["kind"] == "dialogue"
        links.append(made.json()["path"])
    problem(await client.post(url, headers=leader), 409, "dialogue_surveys_exhausted")

    _page(await client.post(links[0], data={"score": "4", "resolved": "unknown"}), 200, "Cảm ơn")
    [row] = await SurveyAnswerTable.select()
    assert (row["head_person"], row["head_name"]) == (world.leader_1.id, world.leader_1.full_name)

    clock.advance(timedelta(days=14))  # CHIBO_SURVEY_LINK_DAYS
    _page(await client.get(links[1]), 410, "Phiếu khảo sát đã hết hạn")
    _page(await client.post(links[1], data={"score": "4", "resolved": "yes"}), 410, "hết hạn")


async def test_answers_sent_at_once_one_is_kept(committed: Database) -> None:
    """Many taps of "send" (or two phones with one link) at the same moment: one answer."""
    world = await build_world()
    token = await add_survey_link(world.ward1, START)
    async with client_on(committed) as client:
        replies = await asyncio.gather(
            *(
                client.post(f"/survey/{token}", data={"score": str(n), "resolved": "yes"})
                for n in (3, 4, 5, 4, 3, 5)
            )
        )
    statuses = sorted(r.status_code for r in replies)
    assert statuses == [200, 409, 409, 409, 409, 409], [r.text[-300:] for r in replies]
    assert await SurveyAnswerTable.count() == 1
    [row] = await SurveyTable.select(SurveyTable.answered_at)
    assert row["answered_at"] is not None


async def test_surveys_made_at_once_never_pass_the_participants(committed: Database) -> None:
    world = await build_world()
    dialogue = await _dialogue(world, published=True)  # 2 participants
    async with client_on(committed) as client:
        leader = await login(client, world.leader_1)
        url = f"/api/v1/dialogues/{dialogue.id}/surveys"
        replies = await asyncio.gather(*(client.post(url, headers=leader) for _ in range(5)))
    made = [r for r in replies if r.status_code == 201]
    assert 1 <= len(made) <= 2
    assert all(r.status_code == 409 for r in replies if r.status_code != 201)
    assert await SurveyTable.count() == len(made)
