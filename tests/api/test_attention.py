"""GET /api/v1/me/attention: what needs each caller now, in their own scope — cells not met this
month, leaders behind quota, tasks overdue or near due, petitions near their reply deadline,
recent compliance flags — each a count and the first items."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx

from db.engine import Database
from db.repositories.compliance import PiccoloComplianceStore
from domain.compliance.model import ComplianceFlag, FlagKind
from tests.api.document_calls import logged
from tests.api.helpers import Headers
from tests.api.task_calls import new_task, record_petition
from tests.factories import login
from tests.fakes import FakeClock

URL = "/api/v1/me/attention"


async def attention(client: httpx.AsyncClient, headers: Headers, **params: str) -> dict[str, Any]:
    reply = await client.get(URL, headers=headers, params=params)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def counts(body: dict[str, Any]) -> dict[str, int]:
    return {name: body[name]["count"] for name in body if name != "asOf"}


async def test_what_needs_each_caller(
    client: httpx.AsyncClient, db: Database, clock: FakeClock
) -> None:
    s = await logged(client, clock)  # cell A met on 4 December; today is 5 December
    w = s.world
    overdue = await new_task(client, s.secretary, w.cell_a, w.member_a, due_on="2026-12-04")
    await new_task(client, s.secretary, w.cell_a, w.member_a, due_on="2027-01-20")  # not yet
    petition = await record_petition(client, s.secretary, w, received_at="2026-12-05T01:00:00Z")
    missed = FlagKind.NO_REGULAR_MEETING
    await PiccoloComplianceStore(db).insert(
        [ComplianceFlag(uuid4(), missed, w.cell_b.id, w.cell_b.path, w.cell_b.id, "2026-12", {},
                        clock.now())]
    )  # fmt: skip
    admin = await login(client, w.admin)

    everything = await attention(client, admin)
    assert counts(everything) == {
        "cellsNotMet": 1, "leadersBehind": 1, "tasks": 1, "petitions": 0, "flags": 1,
    }  # fmt: skip
    assert everything["cellsNotMet"]["items"] == [
        {"cellId": str(w.cell_b.id), "cellName": w.cell_b.name}
    ]
    # a yearly 4 by 5 December expects 3; the visit of the 4th is not confirmed by the cell yet
    [behind] = everything["leadersBehind"]["items"]
    assert (behind["leaderId"], behind["cellId"], behind["attended"], behind["expectedByNow"]) == (
        str(w.leader_1.id), str(w.cell_a.id), 0, 3,
    )  # fmt: skip
    [task] = everything["tasks"]["items"]
    assert (task["taskId"], task["dueOn"], task["overdue"]) == (overdue["id"], "2026-12-04", True)
    assert everything["flags"]["items"][0]["unitId"] == str(w.cell_b.id)

    # each in their own scope: the ward's leader, the other ward's, the assignee
    assert counts(await attention(client, s.leader)) == {
        "cellsNotMet": 0, "leadersBehind": 1, "tasks": 1, "petitions": 0, "flags": 0,
    }  # fmt: skip
    assert counts(await attention(client, await login(client, w.leader_2))) == {
        "cellsNotMet": 1, "leadersBehind": 0, "tasks": 0, "petitions": 0, "flags": 1,
    }  # fmt: skip
    member = await login(client, w.member_a)
    assert counts(await attention(client, member)) == {
        "cellsNotMet": 0, "leadersBehind": 0, "tasks": 1, "petitions": 0, "flags": 0,
    }  # fmt: skip

    # on the 17th, the petition's reply (due the 18th) is within the reminder's two days, and
    # its task within the first reminder's seven
    clock.advance(timedelta(days=12))
    found = await attention(client, s.secretary)
    [due] = found["petitions"]["items"]
    assert (due["petitionId"], due["replyDueOn"], due["overdue"]) == (
        petition["id"], "2026-12-18", False,
    )  # fmt: skip
    assert [t["dueOn"] for t in found["tasks"]["items"]] == ["2026-12-04", "2026-12-18"]
    # the lists are bounded; the counts are not
    bounded = await attention(client, s.secretary, limit="1")
    assert (bounded["tasks"]["count"], len(bounded["tasks"]["items"])) == (2, 1)
    assert bounded["tasks"]["items"][0]["taskId"] == overdue["id"]  # the most urgent first
