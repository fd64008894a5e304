"""The secrecy suite: a sealed surprise inspection leaves no trace for the inspected cell.

Every GET operation of the served OpenAPI document is called (enumerated, never hand-picked) as
the secretary and a member of the target cell while the inspection is sealed. Nothing they get
back names it, and wherever a path takes an id, the sealed inspection's id reads exactly like a
random one: same status, body and headers. Once the window starts they do see it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from db.repositories.org import PiccoloOrgRepository
from domain.actors import Role
from domain.org.model import Membership, MembershipKind, Person, RoleGrant
from tests.factories import World, build_world, login, make_person, password_hash
from tests.fakes import START, FakeClock

OPENAPI = "/api/docs/openapi.json"
# The last word is searched for in replies: not hex, so it can never turn up inside a random uuid.
TOPIC = "Kiểm tra đột xuất việc thu nộp đảng phí mật-QZK7"
WINDOW_START = START + timedelta(days=5)
VOLATILE_HEADERS = {"x-request-id", "date", "content-length"}
TEMPLATE = {
    "name": "Mẫu kiểm tra đảng phí",
    "items": [{"key": "dang_phi", "question": "Thu nộp đủ?", "answerKind": "yes_no"}],
}


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    path: str
    path_params: dict[str, dict[str, Any]]
    query_params: dict[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: Any
    headers: dict[str, str]
    text: str


async def read_operations(client: httpx.AsyncClient) -> list[Operation]:
    """Every GET of the live OpenAPI document."""
    reply = await client.get(OPENAPI)
    assert reply.status_code == 200
    operations = []
    for path, item in reply.json()["paths"].items():
        op = item.get("get")
        if not isinstance(op, dict):
            continue
        params = [*item.get("parameters", []), *op.get("parameters", [])]
        operations.append(
            Operation(
                operation_id=op["operationId"],
                path=path,
                path_params={p["name"]: p for p in params if p["in"] == "path"},
                query_params={p["name"]: p for p in params if p["in"] == "query"},
            )
        )
    assert any(o.operation_id == "GetInspection" for o in operations)
    return operations


def is_uuid(param: dict[str, Any]) -> bool:
    schema = param.get("schema", {})
    variants = [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]
    return any(v.get("format") == "uuid" for v in variants)


async def snapshot(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], sent: str | None = None
) -> Reply:
    """The reply with what may differ between two equal requests left out; an id the caller
    sent (and may see echoed, as in a validation message) replaced by a placeholder."""
    reply = await client.get(url, headers=headers)
    text = reply.text.replace(sent, "<sent>") if sent else reply.text
    try:
        body: Any = json.loads(text)
    except json.JSONDecodeError:
        body = text
    if isinstance(body, dict):
        body.pop("requestId", None)
        if url.startswith("/api/v1/sync/pull"):
            # the one byte a sealed inspection may move: the log position inside the cursor
            body.pop("cursor", None)
    kept = {k: v for k, v in reply.headers.items() if k.lower() not in VOLATILE_HEADERS}
    return Reply(reply.status_code, body, kept, text)


@dataclass
class Scene:
    world: World
    leader: dict[str, str]
    callers: dict[str, dict[str, str]]  # secretary_a, member_a (the cell), leader_1 (the ward)
    feeds: dict[str, str]  # caller -> own calendar feed token + ".ics"
    template_id: str
    people: dict[str, Person] = field(default_factory=dict)  # callers who are not in the world

    def person(self, caller: str) -> Person:
        found: Person = self.people.get(caller) or getattr(self.world, caller)
        return found


async def make_scene(client: httpx.AsyncClient) -> Scene:
    world = await build_world()
    leader = await login(client, world.leader_1)
    callers = {
        "secretary_a": await login(client, world.secretary_a),
        "member_a": await login(client, world.member_a),
        "leader_1": leader,
    }
    feeds = {}
    for name, headers in callers.items():
        issued = await client.post("/api/v1/me/calendar-token", headers=headers)
        assert issued.status_code == 201, issued.text
        feeds[name] = issued.json()["feedPath"].rsplit("/", 1)[-1]
    template = await client.post("/api/v1/checklist-templates", json=TEMPLATE, headers=leader)
    assert template.status_code == 201, template.text
    return Scene(world, leader, callers, feeds, template.json()["id"])


async def create_sealed(
    client: httpx.AsyncClient, scene: Scene, by: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    body = {
        "targetId": str(scene.world.cell_a.id),
        "kind": "surprise",
        "windowStart": WINDOW_START.isoformat(),
        "windowEnd": (WINDOW_START + timedelta(hours=8)).isoformat(),
        "topic": TOPIC,
        "leadId": str(scene.world.inspector.id),
        "templateId": scene.template_id,
        **extra,
    }
    created = await client.post("/api/v1/inspections", json=body, headers=by or scene.leader)
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


def world_value(scene: Scene, caller: str, name: str) -> str:
    """The world's own value for a path parameter, by its name; a random uuid if none."""
    world = scene.world
    values = {
        "membershipId": world.membership_a.id,
        "assignmentId": world.assignment_1.id,
        "templateId": scene.template_id,
        "feed": scene.feeds[caller],
        "unitId": world.cell_a.id,
        "cellId": world.cell_a.id,
        "personId": scene.person(caller).id,
        "leaderId": world.leader_1.id,
        "inspectorId": world.inspector.id,
        "actorId": world.leader_1.id,
        "month": "2026-12",
        "year": "2026",
        "period": f"{WINDOW_START:%Y-%m}",  # reports count the sealed inspection in its month
        "metric": "inspectionsPlanned",
    }
    return str(values.get(name, uuid4()))


KNOWN_QUERY = {
    "unitId",
    "cellId",
    "personId",
    "leaderId",
    "inspectorId",
    "actorId",
    "month",
    "year",
    "period",
    "metric",
}


def queries_of(scene: Scene, caller: str, op: Operation) -> list[dict[str, str]]:
    """The required query parameters alone, then every filter the world has a value for."""
    for name, param in op.query_params.items():
        assert name in KNOWN_QUERY or not param.get("required"), f"{op.operation_id}: {name}?"
    required = {n for n, p in op.query_params.items() if p.get("required")}
    return [
        {n: world_value(scene, caller, n) for n in required},
        {n: world_value(scene, caller, n) for n in op.query_params if n in KNOWN_QUERY},
    ]


def url_of(op: Operation, path_values: dict[str, str], query: dict[str, str] | None = None) -> str:
    url = op.path
    for name, value in path_values.items():
        url = url.replace(f"{{{name}}}", value)
    assert "{" not in url, url
    return str(httpx.URL(url, params=query or {}))


def assert_no_trace(reply: Reply, inspection: dict[str, Any], where: str) -> None:
    text = reply.text + json.dumps(reply.headers)
    marks = [inspection["id"], UUID(inspection["id"]).hex, TOPIC, TOPIC.rsplit(maxsplit=1)[-1]]
    leaked = [mark for mark in marks if mark.lower() in text.lower()]
    assert not leaked, f"{where} leaks {leaked}: {reply.text[:300]}"


def assert_same(sealed: Reply, random: Reply, where: str) -> None:
    assert (sealed.status, sealed.body, sealed.headers) == (
        random.status,
        random.body,
        random.headers,
    ), where


async def list_views(
    client: httpx.AsyncClient,
    scene: Scene,
    operations: list[Operation],
    caller: str,
    headers: dict[str, str],
) -> dict[str, Reply]:
    """Every read without a path parameter (lists, counts, feeds), unfiltered and filtered."""
    views = {}
    for op in operations:
        if op.path_params:
            continue
        for query in queries_of(scene, caller, op):
            url = url_of(op, {}, query)
            views[url] = await snapshot(client, url, headers)
    return views


async def sweep(
    client: httpx.AsyncClient,
    scene: Scene,
    operations: list[Operation],
    caller: str,
    before: dict[str, Reply],
    inspection: dict[str, Any],
) -> int:
    """Every read operation as ``caller``: no trace of ``inspection``; the number of checks."""
    headers = scene.callers[caller]
    sealed_id = inspection["id"]
    checked = 0
    # Lists, counts, feeds: nothing moved when the sealed inspection was created.
    after = await list_views(client, scene, operations, caller, headers)
    for url, view in after.items():
        assert_no_trace(view, inspection, f"{caller} GET {url}")
        assert view.status == before[url].status, url
        assert view.body == before[url].body, f"{caller} GET {url} changed"
        checked += 1
    for op in operations:
        values = {n: world_value(scene, caller, n) for n in op.path_params}
        queries = queries_of(scene, caller, op)
        if op.path_params:
            plain = await snapshot(client, url_of(op, values, queries[-1]), headers)
            assert_no_trace(plain, inspection, f"{caller} {op.operation_id}")
        # Every id slot, the inspection's own above all: the sealed id reads like a random one.
        for name, param in op.path_params.items():
            if not is_uuid(param):
                continue
            for q in queries:
                other = str(uuid4())
                sealed = await snapshot(
                    client, url_of(op, {**values, name: sealed_id}, q), headers, sealed_id
                )
                random = await snapshot(
                    client, url_of(op, {**values, name: other}, q), headers, other
                )
                where = f"{caller} {op.operation_id} {name}={sealed_id} {q}"
                assert_no_trace(sealed, inspection, where)
                assert_same(sealed, random, where)
                if name == "inspectionId":
                    assert sealed.status == 404, where
                checked += 1
        # An inspection id in a query filter (objectId, ...) reads like a random one too.
        for name, param in op.query_params.items():
            if not is_uuid(param):
                continue
            other = str(uuid4())
            sealed = await snapshot(
                client, url_of(op, values, {**queries[0], name: sealed_id}), headers, sealed_id
            )
            random = await snapshot(
                client, url_of(op, values, {**queries[0], name: other}), headers, other
            )
            where = f"{caller} {op.operation_id} ?{name}={sealed_id}"
            assert_no_trace(sealed, inspection, where)
            assert_same(sealed, random, where)
            checked += 1
    return checked


async def test_every_read_path_hides_a_sealed_inspection_from_the_inspected_cell(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    scene = await make_scene(client)
    operations = await read_operations(client)
    inside = ("secretary_a", "member_a")
    before = {
        caller: await list_views(client, scene, operations, caller, scene.callers[caller])
        for caller in inside
    }
    inspection = await create_sealed(client, scene)
    sealed_id = inspection["id"]
    for caller in inside:
        checked = await sweep(client, scene, operations, caller, before[caller], inspection)
        assert checked > len(operations)

    # The window starts: the unit sees it, in the list and by id.
    clock.advance(WINDOW_START - START)
    for caller in inside:
        headers = scene.callers[caller]
        got = await client.get(f"/api/v1/inspections/{sealed_id}", headers=headers)
        assert got.status_code == 200, (caller, got.text)
        assert got.json()["topic"] == TOPIC
        page = await client.get("/api/v1/inspections", headers=headers)
        assert sealed_id in [i["id"] for i in page.json()["items"]], caller


async def test_a_sealed_inspection_of_a_ward_leaves_no_trace_for_the_ward_leader(
    client: httpx.AsyncClient,
) -> None:
    """Inside the target means inside, whatever the role: the ward's own leader is inspected."""
    scene = await make_scene(client)
    operations = await read_operations(client)
    admin = await login(client, scene.world.admin)
    before = await list_views(client, scene, operations, "leader_1", scene.leader)
    inspection = await create_sealed(
        client, scene, by=admin, targetId=str(scene.world.ward1.id), topic=f"{TOPIC} ward"
    )
    assert await sweep(client, scene, operations, "leader_1", before, inspection)
    url = f"/api/v1/inspections/{inspection['id']}"
    assert (await client.get(url, headers=admin)).status_code == 200
    audit = await client.get("/api/v1/audit", params={"objectId": inspection["id"]}, headers=admin)
    assert [e["action"] for e in audit.json()["items"]] == ["inspection.create"]


async def add_member_leading_above(scene: Scene, *, member_grant: bool) -> Person:
    """A member of cell A (with or without the member role there) who also leads ward 1."""
    world = scene.world
    person = make_person(world.cell_a, "Trịnh Văn Song")
    repo = PiccoloOrgRepository()
    await repo.add_person(person, password_hash())
    roles = [(Role.LEADER, world.ward1)] + ([(Role.MEMBER, world.cell_a)] if member_grant else [])
    for role, unit in roles:
        await repo.add_grant(
            RoleGrant(uuid4(), person.id, unit.id, unit.path, role, None, START, START)
        )
    await repo.add_membership(
        Membership(
            uuid4(), person.id, world.cell_a.id, world.cell_a.path, MembershipKind.FULL,
            exempt=False, exempt_resolution_date=None, joined_on=date(2019, 5, 1), left_on=None,
            created_at=START, updated_at=START,
        )
    )  # fmt: skip
    return person


@pytest.mark.parametrize("member_grant", [True, False], ids=["member-role", "membership-only"])
async def test_a_member_of_the_cell_who_leads_above_it_sees_no_trace_either(
    client: httpx.AsyncClient, clock: FakeClock, *, member_grant: bool
) -> None:
    """Being in the inspected cell wins over any grant above it: not the inspection, not its
    audit entries, not a count."""
    scene = await make_scene(client)
    operations = await read_operations(client)
    dual = await add_member_leading_above(scene, member_grant=member_grant)
    scene.people["dual"] = dual
    scene.callers["dual"] = await login(client, dual)
    issued = await client.post("/api/v1/me/calendar-token", headers=scene.callers["dual"])
    scene.feeds["dual"] = issued.json()["feedPath"].rsplit("/", 1)[-1]
    before = await list_views(client, scene, operations, "dual", scene.callers["dual"])
    inspection = await create_sealed(client, scene)
    assert await sweep(client, scene, operations, "dual", before, inspection) > len(operations)
    audit = await client.get(
        "/api/v1/audit", params={"objectId": inspection["id"]}, headers=scene.callers["dual"]
    )
    assert audit.json()["items"] == []
    # the ward's other leader, the creator, still reads the trail
    creator = await client.get(
        "/api/v1/audit", params={"objectId": inspection["id"]}, headers=scene.leader
    )
    assert [e["action"] for e in creator.json()["items"]] == ["inspection.create"]
    # nor does the lead's booking show through a double-booking refusal
    planned = await client.post(
        "/api/v1/inspections",
        json={
            "targetId": str(scene.world.ward1.id),
            "kind": "thematic",
            "windowStart": WINDOW_START.isoformat(),
            "windowEnd": (WINDOW_START + timedelta(hours=2)).isoformat(),
            "topic": "Công tác dân vận",
            "leadId": str(scene.world.inspector.id),
            "templateId": scene.template_id,
        },
        headers=scene.callers["dual"],
    )
    assert planned.status_code == 201, planned.text

    clock.advance(WINDOW_START - START)
    url = f"/api/v1/inspections/{inspection['id']}"
    assert (await client.get(url, headers=scene.callers["dual"])).status_code == 200


async def test_insiders_and_leaders_above_see_it_sealed_and_every_read_is_logged(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    scene = await make_scene(client)
    world = scene.world
    inspection = await create_sealed(client, scene)
    url = f"/api/v1/inspections/{inspection['id']}"
    readers = {
        "leader_1": scene.leader,  # the creator, above the target
        "inspector": await login(client, world.inspector),  # the lead
        "admin": await login(client, world.admin),  # above the target
    }
    for name, headers in readers.items():
        got = await client.get(url, headers=headers)
        assert got.status_code == 200, (name, got.text)
        listed = await client.get("/api/v1/inspections", headers=headers)
        assert inspection["id"] in [i["id"] for i in listed.json()["items"]], name
    outsider = await login(client, world.leader_2)
    assert (await client.get(url, headers=outsider)).status_code == 404

    log = await client.get(f"{url}/sealed-reads", headers=readers["admin"])
    assert log.status_code == 200, log.text
    reads = {(r["personId"], r["endpoint"]) for r in log.json()["items"]}
    for name in readers:
        person = str(getattr(world, name).id)
        assert (person, "GetInspection") in reads, name
        assert (person, "ListInspections") in reads, name
    assert str(world.leader_2.id) not in {p for p, _ in reads}
    # Only the creator's superiors read the log: not the creator, not the team.
    for name in ("leader_1", "inspector"):
        denied = await client.get(f"{url}/sealed-reads", headers=readers[name])
        assert denied.status_code == 403, (name, denied.text)
    assert (await client.get(f"{url}/sealed-reads", headers=outsider)).status_code == 404

    # Once open, reads are no longer logged.
    clock.advance(WINDOW_START - START)
    count = len((await client.get(f"{url}/sealed-reads", headers=readers["admin"])).json()["items"])
    assert (await client.get(url, headers=readers["leader_1"])).status_code == 200
    again = await client.get(f"{url}/sealed-reads", headers=readers["admin"])
    assert len(again.json()["items"]) == count


async def add_inspector(world: World) -> Person:
    person = make_person(world.ward1, "Ngô Minh Khoa")
    repo = PiccoloOrgRepository()
    await repo.add_person(person, password_hash())
    await repo.add_grant(
        RoleGrant(
            uuid4(), person.id, world.ward1.id, world.ward1.path, Role.INSPECTOR, None, START, START
        )
    )
    return person


async def test_the_lead_check_in_reveals_it_and_a_member_check_in_does_not(
    client: httpx.AsyncClient,
) -> None:
    scene = await make_scene(client)
    member = await add_inspector(scene.world)
    inspection = await create_sealed(client, scene, memberIds=[str(member.id)])
    url = f"/api/v1/inspections/{inspection['id']}"
    secretary = scene.callers["secretary_a"]

    by_member = await client.post(
        f"{url}/check-in", json={}, headers={**await login(client, member), "If-Match": '"1"'}
    )
    assert by_member.status_code == 200, by_member.text
    assert by_member.json()["leadCheckedInAt"] is None
    assert (await client.get(url, headers=secretary)).status_code == 404

    lead = await login(client, scene.world.inspector)
    by_lead = await client.post(
        f"{url}/check-in", json={}, headers={**lead, "If-Match": by_member.headers["ETag"]}
    )
    assert by_lead.status_code == 200, by_lead.text
    assert by_lead.json()["status"] == "in_progress"
    got = await client.get(url, headers=secretary)
    assert got.status_code == 200
    assert got.json()["status"] == "in_progress"
