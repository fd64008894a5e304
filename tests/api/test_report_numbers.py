"""A filed period report is a numbered document: filing takes the next number of the document
register for the issuing unit's reports (a cell's "…-BC/CB", a ward committee's "…-BC/ĐU"),
shown on every read-back and printed in the filed version's .docx; filing the same figures again
takes none; a correction takes the next; the draft read now prints the digits blank; filings of
different periods at once never share a number."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import uuid4

import httpx

from db.engine import Database
from db.tables import DocumentNumberTable
from tests.api.document_calls import logged, opened, texts
from tests.api.helpers import client_on, problem
from tests.api.task_calls import new_task
from tests.factories import build_world, login
from tests.fakes import FakeClock

REPORTS = "/api/v1/reports/units"
ISSUES = "/api/v1/reports/issues"
DECEMBER = {"period": "2026-12"}
PERIODS = ["2026-01", "2026-02", "2026-03", "2026-Q1", "2026-04", "2026-H1", "2026-9M", "2026"]


def _tasks_line(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("- Nhiệm vụ giao trong kỳ:"))


async def _reports_numbered() -> int:
    count: int = await DocumentNumberTable.count().where(DocumentNumberTable.kind == "report")
    return count


async def test_filing_numbers_the_report_once_and_a_correction_takes_the_next(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock)  # cell A's December meeting
    w = s.world
    filing = f"{REPORTS}/{w.cell_a.id}/cells/issues"
    first = await client.post(filing, params=DECEMBER, headers=s.secretary)
    assert first.status_code == 201, first.text
    assert (first.json()["number"], first.json()["numberSymbol"]) == (1, "01-BC/CB")
    issue = first.json()["id"]

    # the same figures again: the version already filed, with its number; none taken
    clock.advance(timedelta(hours=1))
    again = await client.post(filing, params=DECEMBER, headers=s.secretary)
    assert again.status_code == 200, again.text
    assert (again.json()["id"], again.json()["numberSymbol"]) == (issue, "01-BC/CB")
    assert await _reports_numbered() == 1

    # read back: the stored bytes name their number; the filed .docx prints it
    filed = await client.get(f"{ISSUES}/{issue}", headers=s.leader)
    assert (filed.status_code, filed.headers["report-number"]) == (200, "1")
    printed = texts(opened(await client.get(f"{ISSUES}/{issue}/report.docx", headers=s.leader)))
    assert "Số 01-BC/CB" in printed
    assert "T/M CHI BỘ" in printed
    # the report read now is a draft: its digits stay blank, and reading it takes no number
    draft = texts(
        opened(
            await client.get(
                f"{REPORTS}/{w.cell_a.id}/report.docx", params=DECEMBER, headers=s.secretary
            )
        )
    )
    assert "Số     -BC/CB" in draft
    assert "Số 01-BC/CB" not in draft
    assert await _reports_numbered() == 1

    # a correction to the records: a new version, a new document, the next number
    await new_task(client, s.secretary, w.cell_a, w.member_a)
    second = await client.post(filing, params=DECEMBER, headers=s.secretary)
    assert second.status_code == 201, second.text
    assert (second.json()["version"], second.json()["numberSymbol"]) == (2, "02-BC/CB")
    listed = await client.get(filing, params=DECEMBER, headers=s.secretary)
    assert [(i["version"], i["number"]) for i in listed.json()["items"]] == [(1, 1), (2, 2)]
    # each filed version prints its own number and the figures it was filed with
    corrected = texts(
        opened(await client.get(f"{ISSUES}/{second.json()['id']}/report.docx", headers=s.leader))
    )
    assert "Số 02-BC/CB" in corrected
    shown_again = texts(opened(await client.get(f"{ISSUES}/{issue}/report.docx", headers=s.leader)))
    assert "Số 01-BC/CB" in shown_again
    assert _tasks_line(shown_again) == _tasks_line(printed)
    assert _tasks_line(corrected) != _tasks_line(printed)

    # the ward's committee numbers its own reports; the cell's meeting documents run apart
    ward = await client.post(
        f"{REPORTS}/{w.ward1.id}/cells/issues", params=DECEMBER, headers=s.leader
    )
    assert ward.status_code == 201, ward.text
    assert ward.json()["numberSymbol"] == "01-BC/ĐU"
    ward_printed = texts(
        opened(await client.get(f"{ISSUES}/{ward.json()['id']}/report.docx", headers=s.leader))
    )
    assert {"Số 01-BC/ĐU", "T/M ĐẢNG ỦY"} <= set(ward_printed)
    minutes = texts(opened(await client.get(f"{s.url}/minutes.docx", headers=s.secretary)))
    assert "Số 01-BB/CB" in minutes

    # a new committee term starts the count again (terms of 30 months from January 2025)
    clock.advance(timedelta(days=230))  # mid-July 2027
    next_term = await client.post(filing, params={"period": "2027-06"}, headers=s.secretary)
    assert next_term.status_code == 201, next_term.text
    assert next_term.json()["numberSymbol"] == "01-BC/CB"


async def test_filed_reports_out_of_scope_and_bad_input_answer_problems(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s = await logged(client, clock)
    w = s.world
    first = await client.post(
        f"{REPORTS}/{w.cell_a.id}/cells/issues", params=DECEMBER, headers=s.secretary
    )
    assert first.status_code == 201, first.text
    other = await login(client, w.secretary_b)
    # a secretary of another cell sees neither the filed version nor its document
    for url in (f"{ISSUES}/{first.json()['id']}", f"{ISSUES}/{first.json()['id']}/report.docx"):
        problem(await client.get(url, headers=other), 404, "report_issue_not_found")
    problem(
        await client.post(f"{REPORTS}/{w.cell_a.id}/cells/issues", params=DECEMBER, headers=other),
        404,
        "unit_not_found",
    )
    english = await client.get(
        f"{ISSUES}/{uuid4()}/report.docx", headers={**s.leader, "Accept-Language": "en"}
    )
    body = problem(english, 404, "report_issue_not_found")
    assert body["title"].isascii()
    problem(
        await client.post(
            f"{REPORTS}/{w.cell_a.id}/cells/issues",
            params={"period": "2026-13"},
            headers=s.secretary,
        ),
        422,
        "report_period_invalid",
    )
    missing = await client.post(f"{REPORTS}/{w.cell_a.id}/cells/issues", headers=s.secretary)
    problem(missing, 422, "validation_failed")  # the period is required
    assert await _reports_numbered() == 1  # refusals take no number


async def test_reports_filed_at_once_get_distinct_numbers_without_gaps(
    committed: Database,
) -> None:
    world = await build_world()
    async with client_on(committed) as client:
        secretary = await login(client, world.secretary_a)
        replies = await asyncio.gather(
            *(
                client.post(
                    f"{REPORTS}/{world.cell_a.id}/cells/issues",
                    params={"period": period},
                    headers=secretary,
                )
                for period in PERIODS
            )
        )
    for reply in replies:
        assert reply.status_code == 201, reply.text
    numbers = sorted(reply.json()["number"] for reply in replies)
    assert numbers == list(range(1, len(PERIODS) + 1))
    assert len({reply.json()["numberSymbol"] for reply in replies}) == len(PERIODS)
    assert await _reports_numbered() == len(PERIODS)
