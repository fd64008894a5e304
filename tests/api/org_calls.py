"""The organisation endpoints and the calls the organisation tests share: a session without
an argon2 login, pages, audit entries, new units and people, roster files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from litestar.security.jwt import Token

from db.repositories.auth import PiccoloAuthRepository
from domain.auth.model import DeviceSession, new_salt
from domain.org.model import Person, Unit
from tests.conftest import TEST_SECRET
from tests.fakes import START

UNITS = "/api/v1/units"
PEOPLE = "/api/v1/people"
MEMBERSHIPS = "/api/v1/memberships"
GRANTS = "/api/v1/grants"
ASSIGNMENTS = "/api/v1/leader-assignments"
AUDIT = "/api/v1/audit"
SECOND = timedelta(seconds=1)
ROSTER_HEADER = (
    "Họ và tên,Số điện thoại,Loại,Ngày vào sinh hoạt,Miễn sinh hoạt,Ngày quyết định miễn"
)


async def signed_in(person: Person) -> dict[str, str]:
    """Authorization header of a new session of ``person``, without paying for an argon2
    login (tests/api/test_auth_api.py covers login itself)."""
    session = DeviceSession(
        id=uuid4(),
        person_id=person.id,
        device_name="test",
        generation=0,
        salt=new_salt(),
        created_at=START,
        last_used_at=START,
        expires_at=START + timedelta(days=1),
    )
    await PiccoloAuthRepository().add_session(session)
    token = Token(
        sub=str(person.id),
        exp=datetime.now(UTC) + timedelta(minutes=5),
        extras={"sid": str(session.id)},
    )
    return {"Authorization": f"Bearer {token.encode(TEST_SECRET, 'HS256')}"}


def ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json()


async def audit_of(
    client: httpx.AsyncClient, headers: dict[str, str], object_id: UUID | str
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(
        await client.get(AUDIT, params={"objectId": str(object_id)}, headers=headers)
    )["items"]
    return items


async def all_pages(
    client: httpx.AsyncClient, headers: dict[str, str], path: str, **params: str
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = ok(await client.get(path, params=query, headers=headers))
        items.extend(page["items"])
        cursor = page["nextCursor"]
        if cursor is None:
            return items


async def new_unit(
    client: httpx.AsyncClient, admin: dict[str, str], parent: Unit | str, **fields: Any
) -> dict[str, Any]:
    parent_id = parent if isinstance(parent, str) else str(parent.id)
    body = {"parentId": parent_id, "name": "Khu vực mới", "level": "area", **fields}
    created: dict[str, Any] = ok(await client.post(UNITS, json=body, headers=admin), 201)
    return created


async def new_person(
    client: httpx.AsyncClient, admin: dict[str, str], home: Unit, phone: str, **fields: Any
) -> dict[str, Any]:
    body = {"homeUnitId": str(home.id), "fullName": "Đỗ Văn Mới", "phone": phone, **fields}
    created: dict[str, Any] = ok(await client.post(PEOPLE, json=body, headers=admin), 201)
    return created


def roster(*rows: str) -> bytes:
    return "\n".join([ROSTER_HEADER, *rows]).encode()


async def post_roster(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    cell: Unit,
    content: bytes,
    *,
    dry_run: bool = False,
) -> httpx.Response:
    return await client.post(
        f"{UNITS}/{cell.id}/roster",
        content=content,
        params={"dryRun": str(dry_run).lower()},
        headers={**headers, "Content-Type": "text/csv"},
    )
