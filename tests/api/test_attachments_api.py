"""Attachments over HTTP: upload, read back, scope, refusals by content and size, notice papers."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from chibo.settings import Settings
from db.tables import AttachmentTable
from tests.api.helpers import if_match
from tests.factories import World, build_world, login

LIMIT = 3 * 1024 * 1024  # over the app's 1 MiB body limit, so the route's own limit is exercised
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"%" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return dataclasses.replace(
        settings, upload_dir=str(tmp_path / "uploads"), attachment_max_bytes=LIMIT
    )


def stored_files(settings: Settings) -> list[Path]:
    root = Path(settings.upload_dir)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload_url(unit_id: object) -> str:
    return f"/api/v1/units/{unit_id}/attachments"


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    unit_id: object,
    content: bytes,
    filename: str | None = "tep.bin",
    content_type: str = "application/octet-stream",
) -> httpx.Response:
    params = {"filename": filename} if filename is not None else {}
    return await client.post(
        upload_url(unit_id),
        content=content,
        params=params,
        headers={**headers, "Content-Type": content_type},
    )


async def test_upload_and_read_back(
    client: httpx.AsyncClient, settings: Settings, db: object
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    # A PNG named .pdf and declared as PDF is a PNG: only the content counts.
    reply = await upload(
        client, secretary, world.cell_a.id, PNG, "Biên bản họp.pdf", "application/pdf"
    )
    assert reply.status_code == 201, reply.text
    body = reply.json()
    digest = hashlib.sha256(PNG).hexdigest()
    assert body["kind"] == "png"
    assert body["mediaType"] == "image/png"
    assert body["size"] == len(PNG)
    assert body["sha256"] == digest
    assert body["filename"] == "Biên bản họp.pdf"
    assert body["unitId"] == str(world.cell_a.id)
    assert body["uploadedBy"] == str(world.secretary_a.id)
    assert stored_files(settings) == [Path(settings.upload_dir) / digest[:2] / digest]
    assert stored_files(settings)[0].read_bytes() == PNG  # and no temporary file left behind

    member = await login(client, world.member_a)  # a member of the cell reads the papers
    meta = await client.get(f"/api/v1/attachments/{body['id']}", headers=member)
    assert meta.status_code == 200
    assert meta.json() == body
    content = await client.get(f"/api/v1/attachments/{body['id']}/content", headers=member)
    assert content.status_code == 200
    assert content.content == PNG
    assert content.headers["content-type"] == "image/png"
    assert content.headers["x-content-type-options"] == "nosniff"
    assert content.headers["content-disposition"] == (
        'attachment; filename="Bien ban hop.pdf"; '
        "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp.pdf"
    )
    leader = await login(client, world.leader_1)  # the ward above sees it too
    assert (
        await client.get(f"/api/v1/attachments/{body['id']}", headers=leader)
    ).status_code == 200


async def test_same_bytes_twice_are_two_attachments_of_one_file(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    first = (await upload(client, secretary, world.cell_a.id, PDF, "a.pdf")).json()
    second = (await upload(client, secretary, world.cell_a.id, PDF, None)).json()
    assert first["id"] != second["id"]
    assert first["sha256"] == second["sha256"]
    assert second["filename"] == "attachment.pdf"
    assert len(stored_files(settings)) == 1


async def test_outside_the_scope_reads_like_missing(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    attachment = (await upload(client, secretary, world.cell_a.id, PDF)).json()
    other = await login(client, world.secretary_b)
    for url in (
        f"/api/v1/attachments/{attachment['id']}",
        f"/api/v1/attachments/{attachment['id']}/content",
        "/api/v1/attachments/00000000-0000-4000-8000-000000000000",
        "/api/v1/attachments/00000000-0000-4000-8000-000000000000/content",
    ):
        reply = await client.get(url, headers=other)
        assert reply.status_code == 404, url
        assert reply.json()["code"] == "attachment_not_found"
    assert (await client.get(f"/api/v1/attachments/{attachment['id']}")).status_code == 401


async def test_who_may_upload(client: httpx.AsyncClient) -> None:
    world = await build_world()
    other_secretary = await upload(
        client, await login(client, world.secretary_b), world.cell_a.id, PDF
    )
    assert other_secretary.status_code == 404, other_secretary.text
    assert other_secretary.json()["code"] == "unit_not_found"
    for person in (world.member_a, world.leader_1, world.inspector):
        reply = await upload(client, await login(client, person), world.cell_a.id, PDF)
        assert reply.status_code == 403, person.full_name
        assert reply.json()["code"] == "attachment_upload_forbidden"
    assert (await client.post(upload_url(world.cell_a.id), content=PDF)).status_code == 401
    admin = await upload(client, await login(client, world.admin), world.cell_b.id, PDF)
    assert admin.status_code == 201


async def _attachment_rows() -> int:
    return await AttachmentTable.count()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (EXE, "setup.pdf"),
        (b"PK\x03\x04" + b"\x00" * 100, "papers.png"),
        (b"", "empty.jpg"),
        (b"<html><script>alert(1)</script></html>", "page.jpg"),
    ],
)
async def test_other_kinds_are_refused(
    client: httpx.AsyncClient, settings: Settings, content: bytes, name: str
) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    reply = await upload(client, secretary, world.cell_a.id, content, name, "image/jpeg")
    assert reply.status_code == 422
    assert reply.json()["code"] == "attachment_type_not_allowed"
    assert reply.headers["content-type"] == "application/problem+json"
    assert await _attachment_rows() == 0
    assert stored_files(settings) == []


async def test_size_limits(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    big = PDF + b"0" * (2 * 1024 * 1024)  # over the app's 1 MiB, under the attachment limit
    accepted = await upload(client, secretary, world.cell_a.id, big, "lon.pdf")
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["size"] == len(big)

    exactly = PDF + b"0" * (LIMIT - len(PDF))
    assert (await upload(client, secretary, world.cell_a.id, exactly)).status_code == 201
    one_over = await upload(client, secretary, world.cell_a.id, exactly + b"0")
    assert one_over.status_code == 413
    assert one_over.json()["code"] == "attachment_too_large"
    far_over = await upload(client, secretary, world.cell_a.id, exactly * 2)
    assert far_over.status_code == 413
    assert far_over.json()["code"] == "payload_too_large"
    assert await _attachment_rows() == 2


async def test_upload_is_idempotent_with_a_key(client: httpx.AsyncClient) -> None:
    world = await build_world()
    headers = {**await login(client, world.secretary_a), "Idempotency-Key": "upload-0001"}
    first = await upload(client, headers, world.cell_a.id, PDF, "a.pdf")
    again = await upload(client, headers, world.cell_a.id, PDF, "a.pdf")
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert await _attachment_rows() == 1


# -- papers on the meeting notice -------------------------------------------------------------


async def _meeting(client: httpx.AsyncClient, world: World, headers: dict[str, str]) -> Any:
    reply = await client.post(
        "/api/v1/meetings",
        json={
            "cellId": str(world.cell_a.id),
            "kind": "thematic",
            "plannedStart": "2026-12-10T12:30:00Z",
            "plannedEnd": "2026-12-10T14:30:00Z",
            "title": "Học tập nghị quyết",
        },
        headers=headers,
    )
    assert reply.status_code == 201, reply.text
    return reply.json()


async def test_papers_on_the_notice(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    meeting = await _meeting(client, world, secretary)
    assert meeting["papers"] == []
    url = f"/api/v1/meetings/{meeting['id']}"
    pdf = (await upload(client, secretary, world.cell_a.id, PDF, "Nghị quyết.pdf")).json()
    png = (await upload(client, secretary, world.cell_a.id, PNG, "so-do.png")).json()
    foreign = (
        await upload(client, await login(client, world.secretary_b), world.cell_b.id, PDF)
    ).json()
    agenda = [{"title": "Quán triệt nghị quyết", "kind": "document", "minutes": 60}]

    for wrong in (foreign["id"], "00000000-0000-4000-8000-000000000000"):
        refused = await client.put(
            f"{url}/notice",
            json={"agenda": agenda, "paperIds": [pdf["id"], wrong]},
            headers=if_match(secretary, 1),
        )
        # another cell's file reads exactly like a missing one
        assert refused.status_code == 404
        assert refused.json()["code"] == "attachment_not_found"

    unchanged = await client.get(url, headers=secretary)
    assert unchanged.headers["etag"] == '"1"'
    assert unchanged.json()["papers"] == []

    noticed = await client.put(
        f"{url}/notice",
        json={"agenda": agenda, "paperIds": [png["id"], pdf["id"], png["id"]]},
        headers=if_match(secretary, 1),
    )
    assert noticed.status_code == 200, noticed.text
    expected = [
        {"id": png["id"], "filename": "so-do.png", "kind": "png", "size": len(PNG)},
        {"id": pdf["id"], "filename": "Nghị quyết.pdf", "kind": "pdf", "size": len(PDF)},
    ]
    assert noticed.json()["papers"] == expected
    member = await login(client, world.member_a)
    assert (await client.get(url, headers=member)).json()["papers"] == expected
    listed = await client.get(
        "/api/v1/meetings", params={"cellId": str(world.cell_a.id)}, headers=member
    )
    assert listed.json()["items"][0]["papers"] == expected

    without = await client.put(
        f"{url}/notice", json={"agenda": agenda}, headers=if_match(secretary, 2)
    )
    assert without.status_code == 200
    assert without.json()["papers"] == []
