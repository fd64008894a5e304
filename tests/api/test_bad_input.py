"""Bad input answers a 4xx problem with a stable code, never a 500, alike on both engines and
before as after login: NUL characters, texts at their documented length, bodies that are not
UTF-8 JSON or not declared as JSON, times without offset, dates in absurd years, ids in use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx
import msgspec.inspect as mi
import pytest

from api.inspections.schemas import TemplateIn
from api.meetings.schemas import MeetingIn, RuleIn
from api.org.schemas import PersonIn, PersonPatch, UnitIn, UnitPatch
from api.petitions.schemas import PetitionIn
from api.tasks.schemas import TaskIn
from api.working_days.schemas import CalendarDayIn
from tests.factories import World, build_world, login
from tests.fakes import START

TEMPLATE = {
    "name": "Kiểm tra sinh hoạt chi bộ",
    "items": [{"key": "met", "question": "Sinh hoạt đủ hằng tháng?", "answerKind": "yes_no"}],
}
DAY = START + timedelta(days=7)


def iso(days: float = 7, *, naive: bool = False) -> str:
    text = (START + timedelta(days=days)).isoformat()
    return text.removesuffix("+00:00") if naive else text


def meeting(world: World, **extra: Any) -> dict[str, Any]:
    body = {"cellId": str(world.cell_a.id), "kind": "extraordinary"}
    return {**body, "plannedStart": iso(7), "plannedEnd": iso(7.1), **extra}


def task(world: World, **extra: Any) -> dict[str, Any]:
    body = {"title": "Sửa đèn đường", "unitId": str(world.cell_a.id)}
    return {**body, "assigneeId": str(world.member_a.id), "dueOn": "2026-12-20", **extra}


def petition(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "unitId": str(world.cell_a.id),
        "assigneeId": str(world.member_a.id),
        "petitionerName": "Bà Cử Tri",
        "channel": "reception_day",
        "category": "Trật tự đô thị",
        "content": "Lấn chiếm vỉa hè",
        "receivedAt": iso(-1),
        **extra,
    }


def membership(world: World, joined_on: str) -> dict[str, Any]:
    body = {"personId": str(world.leader_1.id), "cellId": str(world.cell_a.id), "kind": "full"}
    return {**body, "joinedOn": joined_on}


@dataclass(frozen=True)
class Case:
    """One request, who sends it (None: nobody logged in) and the problem it must answer."""

    name: str
    method: str
    url: Callable[[World], str]
    status: int
    code: str
    body: Callable[[World], Any] | None = None
    who: str | None = "secretary_a"
    content: bytes | None = None  # sent as is instead of ``body``
    content_type: str | None = "application/json"


def fixed(url: str) -> Callable[[World], str]:
    return lambda _: url


def cell_a(suffix: str) -> Callable[[World], str]:
    return lambda w: f"/api/v1/units/{w.cell_a.id}{suffix}"


LOGIN = fixed("/api/v1/auth/login")
MEETINGS, TASKS, PETITIONS = (
    fixed("/api/v1/meetings"),
    fixed("/api/v1/tasks"),
    fixed("/api/v1/petitions"),
)
NUL = "a\u0000b"

CASES = [
    # NUL characters, before and after login, in bodies, keys of free maps and query strings
    Case(
        "nul in login phone",
        "POST",
        LOGIN,
        422,
        "nul_character",
        lambda _: {"phone": "0912\u0000345678", "password": "x"},
        who=None,
    ),
    Case(
        "nul in meeting title",
        "POST",
        MEETINGS,
        422,
        "nul_character",
        lambda w: meeting(w, title=NUL),
    ),
    Case("nul in task title", "POST", TASKS, 422, "nul_character", lambda w: task(w, title=NUL)),
    Case(
        "nul in a comment", "POST", TASKS, 422, "nul_character", lambda w: task(w, description=NUL)
    ),
    Case(
        "nul in petition contact",
        "POST",
        PETITIONS,
        422,
        "nul_character",
        lambda w: petition(w, petitionerContact=NUL),
    ),
    Case(
        "nul in the q filter",
        "GET",
        fixed("/api/v1/people?q=a%00b"),
        422,
        "nul_character",
        who="admin",
    ),
    Case(
        "nul in the q filter, before login",
        "GET",
        fixed("/api/v1/people?q=a%00b"),
        401,
        "unauthenticated",
        who=None,
    ),
    # bodies that are not UTF-8 JSON, or not declared JSON
    Case(
        "invalid utf-8 in a string, login",
        "POST",
        LOGIN,
        400,
        "malformed_json",
        content=b'{"phone": "09\xff\xfe", "password": "x"}',
        who=None,
    ),
    Case(
        "invalid utf-8 in a string",
        "POST",
        TASKS,
        400,
        "malformed_json",
        content=b'{"title": "\xc3\x28"}',
    ),
    Case("not json", "POST", TASKS, 400, "malformed_json", content=b"{title: 1"),
    Case(
        "text/plain body",
        "POST",
        TASKS,
        415,
        "unsupported_media_type",
        body=task,
        content_type="text/plain",
    ),
    Case(
        "no content type, login",
        "POST",
        LOGIN,
        415,
        "unsupported_media_type",
        content=b'{"phone": "0912345678", "password": "x"}',
        content_type=None,
        who=None,
    ),
    # times without offset, dates in absurd years
    Case(
        "naive planned start",
        "POST",
        MEETINGS,
        422,
        "naive_datetime",
        lambda w: meeting(w, plannedStart=iso(7, naive=True)),
    ),
    Case(
        "naive and aware mixed",
        "POST",
        MEETINGS,
        422,
        "naive_datetime",
        lambda w: meeting(w, plannedEnd=iso(7.1, naive=True)),
    ),
    Case(
        "naive received at",
        "POST",
        PETITIONS,
        422,
        "naive_datetime",
        lambda w: petition(w, receivedAt=iso(-1, naive=True)),
    ),
    Case(
        "naive query time",
        "GET",
        fixed("/api/v1/audit?since=2026-12-01T00:00:00"),
        422,
        "naive_datetime",
        who="admin",
    ),
    Case(
        "task due in year 1",
        "POST",
        TASKS,
        422,
        "date_out_of_range",
        lambda w: task(w, dueOn="0001-01-01"),
    ),
    Case(
        "task due in 9999",
        "POST",
        TASKS,
        422,
        "date_out_of_range",
        lambda w: task(w, dueOn="9999-12-31"),
    ),
    Case(
        "meeting in 9999",
        "POST",
        MEETINGS,
        422,
        "date_out_of_range",
        lambda w: meeting(
            w, plannedStart="9999-12-31T10:00:00Z", plannedEnd="9999-12-31T12:00:00Z"
        ),
    ),
    Case(
        "calendar day in year 1",
        "PUT",
        fixed("/api/v1/calendar-days/0001-01-01"),
        422,
        "date_out_of_range",
        lambda _: {"working": False},
        who="admin",
    ),
    Case(
        "membership joined in 1900",
        "POST",
        fixed("/api/v1/memberships"),
        422,
        "date_out_of_range",
        lambda w: membership(w, "1900-01-01"),
        who="admin",
    ),
]


def _sent(case: Case, world: World) -> dict[str, Any]:
    content = case.content
    if content is None and case.body is not None:
        content = httpx.Request("POST", "/", json=case.body(world)).content
    if content is None:
        return {}
    headers = {"Content-Type": case.content_type} if case.content_type else {}
    return {"content": content, "headers": headers}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
async def test_bad_input_gets_its_problem(client: httpx.AsyncClient, case: Case) -> None:
    world = await build_world()
    auth = await login(client, getattr(world, case.who)) if case.who else {}
    sent = _sent(case, world)
    sent["headers"] = {**auth, **sent.get("headers", {})}
    reply = await client.request(case.method, case.url(world), **sent)
    assert reply.status_code == case.status, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert reply.json()["code"] == case.code


async def test_a_member_who_joined_long_ago_is_not_out_of_range(client: httpx.AsyncClient) -> None:
    """Membership dates are history: 1965 is a plausible joining year, unlike a meeting's."""
    world = await build_world()
    admin = await login(client, world.admin)
    reply = await client.post(
        "/api/v1/memberships", json=membership(world, "1965-05-19"), headers=admin
    )
    assert reply.status_code == 201, reply.text


# -- texts at their documented length fit their columns -----------------------------------------


def longest(body_type: type, body: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """``body`` with every free text field (no pattern) at the schema's maxLength."""
    info = mi.type_info(body_type)
    assert isinstance(info, mi.StructType)
    filled = dict(body)
    for f in info.fields:
        members = f.type.types if isinstance(f.type, mi.UnionType) else (f.type,)
        for t in members:
            if not isinstance(t, mi.StrType) or f.encode_name in keep:
                continue
            if t.max_length and not t.pattern:
                filled[f.encode_name] = "ạ" * t.max_length  # one code point, two UTF-8 bytes
    return filled


@dataclass(frozen=True)
class Longest:
    name: str
    method: str
    url: Callable[[World], str]
    body_type: type
    body: Callable[[World], dict[str, Any]]
    who: str = "secretary_a"
    keep: tuple[str, ...] = ()


LONGEST = [
    Longest("meeting", "POST", MEETINGS, MeetingIn, meeting),
    Longest(
        "meeting rule",
        "PUT",
        cell_a("/meeting-rule"),
        RuleIn,
        lambda _: {"kind": "day_of_month", "at": "19:30", "day": 5},
    ),
    Longest("task", "POST", TASKS, TaskIn, task),
    Longest("petition", "POST", PETITIONS, PetitionIn, petition),
    Longest(
        "checklist template",
        "POST",
        fixed("/api/v1/checklist-templates"),
        TemplateIn,
        lambda _: TEMPLATE,
        who="leader_1",
    ),
    Longest(
        "calendar day",
        "PUT",
        fixed("/api/v1/calendar-days/2026-12-24"),
        CalendarDayIn,
        lambda _: {"working": False},
        who="admin",
    ),
    Longest(
        "unit",
        "POST",
        fixed("/api/v1/units"),
        UnitIn,
        lambda w: {"parentId": str(w.ward1.id), "name": "Tổ", "level": "area"},
        who="admin",
    ),
    Longest(
        "unit patch",
        "PATCH",
        lambda w: f"/api/v1/units/{w.cell_a.id}",
        UnitPatch,
        lambda _: {},
        who="admin",
    ),
    Longest(
        "person",
        "POST",
        fixed("/api/v1/people"),
        PersonIn,
        lambda w: {
            "homeUnitId": str(w.cell_a.id),
            "fullName": "An",
            "phone": "0912000111",
            "password": "mua thu Ha Noi 1945",  # the password rules are not about length alone
        },
        who="admin",
        keep=("phone", "password"),
    ),
    Longest(
        "person patch",
        "PATCH",
        lambda w: f"/api/v1/people/{w.member_a.id}",
        PersonPatch,
        lambda _: {},
        who="admin",
        keep=("phone",),
    ),
]


@pytest.mark.parametrize("case", LONGEST, ids=lambda c: c.name)
async def test_texts_at_their_max_length_are_stored(
    client: httpx.AsyncClient, case: Longest
) -> None:
    """The schema's maxLength and the column's width come from domain/limits.py: a text as long
    as the contract allows fits the column on PostgreSQL too (it answered 500 there)."""
    world = await build_world()
    headers = await login(client, getattr(world, case.who))
    body = longest(case.body_type, case.body(world), case.keep)
    reply = await client.request(case.method, case.url(world), json=body, headers=headers)
    assert reply.status_code in {200, 201}, reply.text
    stored = reply.json()
    filled = {k: v for k, v in body.items() if isinstance(v, str) and set(v) == {"ạ"}}
    assert filled
    assert {k: stored[k] for k in filled if k in stored} == {
        k: filled[k] for k in stored if k in filled
    }


async def test_a_petition_id_in_use_is_an_id_conflict(client: httpx.AsyncClient) -> None:
    """The petition's own id collided only at its table's key, after its task was made: 500."""
    world = await build_world()
    headers = await login(client, world.secretary_a)
    body = petition(world, id=str(uuid4()))
    assert (await client.post("/api/v1/petitions", json=body, headers=headers)).status_code == 201
    again = await client.post("/api/v1/petitions", json=body, headers=headers)
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "id_conflict"


OPEN_QUOTE_CSV = b'full_name,phone,kind,joined_on\r"L\xc3\xaa Hoa,0912345678,full,2020-01-01\r'


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [("secretary_b", 404, "unit_not_found"), ("member_a", 403, "org_manage_forbidden")],
)
async def test_a_roster_is_read_only_by_who_may_import_it(
    client: httpx.AsyncClient, who: str, status: int, code: str
) -> None:
    """A broken file from a stranger answers as the permission says, not with what is wrong
    with the file: it is parsed only after the permission check."""
    world = await build_world()
    headers = {**await login(client, getattr(world, who)), "Content-Type": "text/csv"}
    url = f"/api/v1/units/{world.cell_a.id}/roster"
    reply = await client.post(url, content=OPEN_QUOTE_CSV, headers=headers)
    assert (reply.status_code, reply.json()["code"]) == (status, code)
    admin = {**await login(client, world.admin), "Content-Type": "text/csv"}
    reply = await client.post(url, content=OPEN_QUOTE_CSV, headers=admin)
    assert (reply.status_code, reply.json()["code"]) == (422, "roster_not_csv")
    bare_cr = OPEN_QUOTE_CSV.replace(b'"', b"")
    reply = await client.post(url, content=bare_cr, params={"dryRun": "true"}, headers=admin)
    assert reply.status_code == 200, reply.text
    assert (reply.json()["rows"], reply.json()["errors"]) == (1, [])
