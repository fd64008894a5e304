"""The reference dimension of the authorization matrix: every id a caller names in a body or a
query is resolved through the caller's scope, so another ward's object (and a sealed inspection)
answers exactly like an id that does not exist, and a client's id already in use answers
409 id_conflict whoever holds it. The id fields are enumerated from the served OpenAPI document."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx
import pytest

from chibo.settings import Settings
from db.engine import Database
from db.repositories.org import PiccoloOrgRepository
from domain.actors import Role
from domain.org.model import RoleGrant
from tests.api.authorization_scene import (
    OPENAPI,
    RECIPES,
    Ask,
    Call,
    Login,
    Recipe,
    Scene,
    Side,
    answer,
    build_scene,
    live_operations,
    log_in_everyone,
    uploads_in_tmp_path,  # noqa: F401  (the settings fixture of these tests)
)
from tests.factories import login, make_person, password_hash
from tests.fakes import START

WARD_ADMIN = "ward_admin"  # an admin of ward 1 only: the org operations have someone to refuse


@dataclass(frozen=True, slots=True)
class Ref:
    """Who sends the operation's "in" request (which succeeds as it is), and the value of
    another ward the field then gets; ``base`` replaces the "in" request when it would not."""

    caller: str
    foreign: Callable[[Scene], object]
    base: Recipe | None = None


def _out(pick: Callable[[Side], Any]) -> Callable[[Scene], object]:
    return lambda s: pick(s.side["out"])


_CELL_B: Callable[[Scene], object] = lambda s: s.world.cell_b.id  # noqa: E731
_WARD_2: Callable[[Scene], object] = lambda s: s.world.ward2.id  # noqa: E731
_PERSON_B: Callable[[Scene], object] = lambda s: s.person["out"].id  # noqa: E731
_FILE_B = _out(lambda side: side.attachment.id)
_INSPECTOR_B = _out(lambda side: side.inspector.id)

REFERENCES: dict[tuple[str, str], Ref] = {
    ("ListUnits", "?parentId"): Ref("leader_1", _WARD_2),
    ("ListUnits", "?within"): Ref("leader_1", _WARD_2),
    ("CreateUnit", "parentId"): Ref(WARD_ADMIN, _WARD_2),
    ("MoveUnit", "parentId"): Ref(
        WARD_ADMIN,
        _WARD_2,
        lambda a: Call(a.scene.cell("in").id, json={"parentId": str(a.scene.ward("in").id)}),
    ),
    ("ListPeople", "?unitId"): Ref("leader_1", _CELL_B),
    ("CreatePerson", "homeUnitId"): Ref(WARD_ADMIN, _CELL_B),
    ("UpdatePerson", "homeUnitId"): Ref(WARD_ADMIN, _CELL_B),
    ("ListMemberships", "?personId"): Ref("leader_1", _PERSON_B),
    ("ListMemberships", "?unitId"): Ref("leader_1", _CELL_B),
    ("CreateMembership", "personId"): Ref(WARD_ADMIN, _PERSON_B),
    ("CreateMembership", "cellId"): Ref(WARD_ADMIN, _CELL_B),
    ("ListGrants", "?personId"): Ref("leader_1", _PERSON_B),
    ("ListGrants", "?unitId"): Ref("leader_1", _CELL_B),
    ("CreateGrant", "personId"): Ref(WARD_ADMIN, _PERSON_B),
    ("CreateGrant", "unitId"): Ref(WARD_ADMIN, _CELL_B),
    ("ListLeaderAssignments", "?leaderId"): Ref("leader_1", lambda s: s.world.leader_2.id),
    ("ListLeaderAssignments", "?unitId"): Ref("leader_1", _CELL_B),
    **{
        ("CreateLeaderAssignment", name): Ref(
            WARD_ADMIN,
            value,
            lambda a: Call(
                json={
                    "leaderId": str(a.scene.world.leader_1.id),
                    "cellId": str(a.scene.empty_cell["in"].id),
                    "quota": 2,
                    "period": "quarter",
                    "startedOn": "2026-11-01",
                }
            ),
        )
        for name, value in (("leaderId", lambda s: s.world.leader_2.id), ("cellId", _CELL_B))
    },
    ("ListAudit", "?objectId"): Ref("leader_1", _out(lambda side: side.open_task.id)),
    ("ListAudit", "?actorId"): Ref("leader_1", lambda s: s.world.leader_2.id),
    ("ListMeetings", "?cellId"): Ref("secretary_a", _CELL_B),
    ("ListMeetings", "?unitId"): Ref("secretary_a", _CELL_B),
    ("CreateMeeting", "cellId"): Ref("secretary_a", _CELL_B),
    ("PublishMeetingNotice", "paperIds"): Ref("secretary_a", _FILE_B),
    ("LogMeeting", "chairId"): Ref("secretary_a", lambda s: s.world.secretary_b.id),
    ("LogMeeting", "minuteTakerId"): Ref("secretary_a", _PERSON_B),
    ("LogMeeting", "attendance[].personId"): Ref("secretary_a", _PERSON_B),
    ("ListComplianceFlags", "?unitId"): Ref("leader_1", _CELL_B),
    **{
        (operation, name): Ref("leader_1", value)
        for operation in ("PreviewInspectionPlan", "CommitInspectionPlan")
        for name, value in (
            ("unitId", _CELL_B),
            ("templateId", lambda s: s.template["out"].id),
            ("inspectorIds", _INSPECTOR_B),
        )
    },
    ("ListInspections", "?unitId"): Ref("leader_1", _CELL_B),
    ("ListInspections", "?inspectorId"): Ref("leader_1", _INSPECTOR_B),
    ("CreateInspection", "targetId"): Ref("leader_1", _CELL_B),
    ("CreateInspection", "leadId"): Ref("leader_1", _INSPECTOR_B),
    ("CreateInspection", "templateId"): Ref("leader_1", lambda s: s.template["out"].id),
    ("CreateInspection", "memberIds"): Ref("leader_1", _INSPECTOR_B),
    ("AnswerChecklistItem", "photoIds"): Ref("inspector", _FILE_B),
    ("ConcludeInspection", "recommendations[].responsibleUnitId"): Ref("inspector", _CELL_B),
    ("ConcludeInspection", "recommendations[].responsiblePersonId"): Ref(
        "inspector", lambda s: s.world.secretary_b.id
    ),
    ("ListTasks", "?unitId"): Ref("leader_1", _CELL_B),
    ("CreateTask", "unitId"): Ref("leader_1", _CELL_B),
    ("CreateTask", "assigneeId"): Ref("leader_1", lambda s: s.world.secretary_b.id),
    ("ReassignTask", "assigneeId"): Ref("leader_1", lambda s: s.world.secretary_b.id),
    ("SubmitTask", "attachmentIds"): Ref("member_a", _FILE_B),
    ("ListPetitions", "?unitId"): Ref("secretary_a", _CELL_B),
    ("RecordPetition", "unitId"): Ref("secretary_a", _CELL_B),
    ("RecordPetition", "assigneeId"): Ref("secretary_a", lambda s: s.world.secretary_b.id),
    ("ReplyToPetition", "headPersonId"): Ref("secretary_a", lambda s: s.world.secretary_b.id),
    ("ReplyToPetition", "attachmentIds"): Ref("secretary_a", _FILE_B),
    ("CreateChecklistTemplate", "unitId"): Ref("leader_1", _WARD_2),
    ("AnnounceDialogue", "wardId"): Ref("leader_1", _WARD_2),
    ("ListDialogues", "?unitId"): Ref("leader_1", _WARD_2),
    ("ListSurveys", "?unitId"): Ref("secretary_a", _CELL_B),
    ("AnnounceDialogue", "cellIds"): Ref("leader_1", _CELL_B),
    ("DeferDialogueQuestion", "ownerId"): Ref("leader_1", lambda s: s.world.secretary_b.id),
}

# Creates that take the client's id: an id in use (the caller's own object, another ward's, a
# sealed one) answers 409 id_conflict, whoever holds it.
CLIENT_IDS: dict[str, tuple[str, Callable[[Scene], list[object]]]] = {
    "CreateUnit": (WARD_ADMIN, lambda s: [s.world.cell_a.id, s.world.cell_b.id]),
    "CreatePerson": (WARD_ADMIN, lambda s: [s.person["in"].id, s.person["out"].id]),
    "CreateMembership": (WARD_ADMIN, lambda s: [s.membership["in"].id, s.membership["out"].id]),
    "CreateMeeting": ("secretary_a", lambda s: [s.side[t].planned.id for t in ("in", "out")]),
    "CreateInspection": ("leader_1", lambda s: [s.side[t].sealed.id for t in ("in", "out")]),
    "CreateTask": ("leader_1", lambda s: [s.side[t].open_task.id for t in ("in", "out")]),
    "RecordPetition": ("secretary_a", lambda s: [s.side[t].petition.id for t in ("in", "out")]),
    "AnnounceDialogue": ("leader_1", lambda s: [s.side[t].dialogue.id for t in ("in", "out")]),
}


# Named like ids but naming no stored object: a sync mutation's own key (its Idempotency-Key).
NOT_REFERENCES = {"mutationId"}


def _is_id(name: str, schema: dict[str, Any]) -> bool:
    if name in NOT_REFERENCES:
        return False
    variants = [schema, schema.get("items", {}), *schema.get("oneOf", []), *schema.get("anyOf", [])]
    return name.endswith(("Id", "Ids")) or any(v.get("format") == "uuid" for v in variants)


def _body_ids(
    doc: dict[str, Any], schema: dict[str, Any], prefix: str, seen: frozenset[str]
) -> list[str]:
    """Dotted paths of the id fields of a request body schema ("attendance[].personId")."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _body_ids(doc, doc["components"]["schemas"][name], prefix, seen | {name})
    found = []
    for variant in (*schema.get("oneOf", []), *schema.get("anyOf", []), *schema.get("allOf", [])):
        found += _body_ids(doc, variant, prefix, seen)
    if schema.get("type") == "array" and "items" in schema:
        found += _body_ids(doc, schema["items"], f"{prefix}[]", seen)
    for name, field_schema in schema.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        if _is_id(name, field_schema):
            found.append(path)
        else:
            found += _body_ids(doc, field_schema, path, seen)
    return found


async def id_fields(client: httpx.AsyncClient) -> set[tuple[str, str]]:
    """(operationId, field) for every id a body carries and every id-shaped query parameter."""
    doc = (await client.get(OPENAPI)).json()
    fields = set()
    for item in doc["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            for param in op.get("parameters", []):
                if param["in"] == "query" and _is_id(param["name"], param.get("schema", {})):
                    fields.add((op["operationId"], f"?{param['name']}"))
            for content in op.get("requestBody", {}).get("content", {}).values():
                for path in _body_ids(doc, content.get("schema", {}), "", frozenset()):
                    fields.add((op["operationId"], path))
    return fields


async def test_every_id_field_of_the_api_has_a_reference_case(client: httpx.AsyncClient) -> None:
    fields = await id_fields(client)
    cases = set(REFERENCES) | {(operation, "id") for operation in CLIENT_IDS}
    assert not fields - cases, f"id fields without a case in REFERENCES: {sorted(fields - cases)}"
    assert not cases - fields, f"cases for fields the API no longer has: {sorted(cases - fields)}"


def _with(call: Call, field_path: str, value: str) -> Call:
    """The call with one id field set to ``value`` (every element of a list field)."""
    if field_path.startswith("?"):
        return dataclasses.replace(call, params={**call.params, field_path[1:]: value})
    body = json.loads(json.dumps(call.json or {}))
    *parents, leaf = field_path.split(".")
    nodes = [body]
    for part in parents:
        key, many = part.removesuffix("[]"), part.endswith("[]")
        nodes = [n[key] for n in nodes]
        if many:
            nodes = [element for n in nodes for element in n]
    assert nodes, f"{field_path}: the request has no such part"
    for node in nodes:
        node[leaf] = [value] if leaf.endswith("Ids") else value
    return dataclasses.replace(call, json=body)


# Seen but senseless: the admin of the city sees cell B's people, files and templates, yet none
# of them may be attached to an object of cell A. These read as missing too.
IMPLAUSIBLE = (
    ("CreateTask", "assigneeId"),
    ("ReassignTask", "assigneeId"),
    ("RecordPetition", "assigneeId"),
    ("ReplyToPetition", "headPersonId"),
    ("ReplyToPetition", "attachmentIds"),
    ("PublishMeetingNotice", "paperIds"),
    ("CreateInspection", "leadId"),
    ("CreateInspection", "memberIds"),
    ("CreateInspection", "templateId"),
    ("PreviewInspectionPlan", "inspectorIds"),
    ("PreviewInspectionPlan", "templateId"),
    ("CommitInspectionPlan", "inspectorIds"),
    ("CommitInspectionPlan", "templateId"),
    ("AnnounceDialogue", "cellIds"),
    ("DeferDialogueQuestion", "ownerId"),
)


async def add_ward_admin(client: httpx.AsyncClient, scene: Scene) -> None:
    """Everyone logged in, and an admin of ward 1 alone as WARD_ADMIN."""
    world = scene.world
    ward_admin = make_person(world.ward1, "Cao Văn Trị")
    await PiccoloOrgRepository().add_person(ward_admin, password_hash())
    await PiccoloOrgRepository().add_grant(
        RoleGrant(uuid4(), ward_admin.id, world.ward1.id, world.ward1.path, Role.ADMIN, None,
                  START, START)
    )  # fmt: skip
    await log_in_everyone(client, scene)
    scene.logins[WARD_ADMIN] = Login(await login(client, ward_admin), "", uuid4())


@pytest.mark.parametrize("who", ["out_of_scope", "implausible"])
async def test_a_foreign_or_sealed_id_in_a_body_or_query_reads_like_a_missing_one(
    client: httpx.AsyncClient, db: Database, settings: Settings, who: str
) -> None:
    live = await live_operations(client)
    scene = await build_scene(settings)
    await add_ward_admin(client, scene)
    sealed = str(scene.side["in"].sealed.id)  # made by leader_1: the others may not see it
    cases = (
        sorted(REFERENCES.items())
        if who == "out_of_scope"
        else [(key, dataclasses.replace(REFERENCES[key], caller="admin")) for key in IMPLAUSIBLE]
    )
    mismatches = []
    for n, ((operation, field_path), ref) in enumerate(cases):
        method, template = live[operation]
        base = (ref.base or RECIPES[operation])(Ask(scene, "in", ref.caller, n))
        base = dataclasses.replace(
            base, headers={**scene.logins[ref.caller].headers, **base.headers}
        )
        path = base.url(template)
        ok = await answer(client, db, method, path, base, "-")
        assert 200 <= ok[0] < 300, f"{operation} as {ref.caller}: the base request fails {ok}"
        random = str(uuid4())
        missing = await answer(client, db, method, path, _with(base, field_path, random), random)
        hidden = [str(ref.foreign(scene))]
        if ref.caller not in {"leader_1", "admin"}:
            hidden.append(sealed)
        for value in hidden:
            got = await answer(client, db, method, path, _with(base, field_path, value), value)
            if got != missing:
                mismatches.append(f"{operation} {field_path}={value}: {got} != {missing}")
    assert not mismatches, "\n".join(mismatches)


async def test_a_client_id_already_in_use_answers_id_conflict_whoever_holds_it(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    live = await live_operations(client)
    scene = await build_scene(settings)
    await add_ward_admin(client, scene)
    answers = {}
    for n, (operation, (caller, taken)) in enumerate(sorted(CLIENT_IDS.items())):
        method, template = live[operation]
        base = RECIPES[operation](Ask(scene, "in", caller, n))
        base = dataclasses.replace(base, headers={**scene.logins[caller].headers, **base.headers})
        path = base.url(template)
        fresh = str(uuid4())
        created = await answer(client, db, method, path, _with(base, "id", fresh), fresh)
        assert created[0] == 201, f"{operation}: {created}"
        for value in map(str, taken(scene)):
            answers[operation, value] = await answer(
                client, db, method, path, _with(base, "id", value), value
            )
    codes = {(status, json.loads(body)["code"]) for status, body, _ in answers.values()}
    assert codes == {(409, "id_conflict")}, answers
