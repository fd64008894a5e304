"""The served OpenAPI document as a contract: valid, and a client generator takes all of it.

openapi-spec-validator checks the document against the OpenAPI 3.1 schema; openapi-python-client
(the generator the mobile team's tooling is closest to that runs here) must generate every
operation with no warning. Generation takes ~2 s, so it is part of the suite.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator.validation import OpenAPIV31SpecValidator

from api.http.openapi import operations
from chibo.bootstrap import build_app
from chibo.settings import Settings
from tests.conftest import TEST_SECRET

OPENAPI = "/api/docs/openapi.json"
# Binary bodies and replies (CSV rosters, attachment files, .docx documents) are bytes to a
# generated client; no formatter run over the generated code (its output is only inspected here).
GENERATOR_CONFIG = """\
post_hooks: []
content_type_overrides:
  text/csv: application/octet-stream
  image/jpeg: application/octet-stream
  image/png: application/octet-stream
  image/heic: application/octet-stream
  application/pdf: application/octet-stream
  ? application/vnd.openxmlformats-officedocument.wordprocessingml.document
  : application/octet-stream
"""


async def _served_document() -> dict[str, Any]:
    app = build_app(Settings(database_url="sqlite:///unused", secret_key=TEST_SECRET))
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as client:
        reply = await client.get(OPENAPI)
    assert reply.status_code == 200
    document: dict[str, Any] = reply.json()
    return document


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return asyncio.run(_served_document())


@pytest.fixture(scope="module")
def generated(
    document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("client")
    (root / "openapi.json").write_text(httpx.Response(200, json=document).text)
    (root / "config.yaml").write_text(GENERATOR_CONFIG)
    generator = Path(sys.executable).with_name("openapi-python-client")
    run = subprocess.run(  # noqa: S603 - our own tool on our own file
        [
            str(generator),
            "generate",
            "--path",
            str(root / "openapi.json"),
            "--config",
            str(root / "config.yaml"),
            "--output-path",
            str(root / "client"),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return root / "client", run.stdout + run.stderr


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in OpenAPIV31SpecValidator(document).iter_errors()
    ]
    assert errors == []


def test_the_generator_takes_every_operation_without_warnings(
    document: dict[str, Any], generated: tuple[Path, str]
) -> None:
    client, log = generated
    assert "WARNING" not in log, log
    assert "Unable to" not in log, log
    modules = {p.stem for p in client.rglob("*.py")}
    missing = [
        operation["operationId"]
        for _, _, operation in operations(document)
        if re.sub(r"(?<!^)(?=[A-Z])", "_", operation["operationId"]).lower() not in modules
    ]
    assert missing == []


def test_schema_names_are_unique_and_readable(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert [n for n in schemas if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", n)] == []
    titles = Counter(s.get("title", name) for name, s in schemas.items())
    assert [t for t, n in titles.items() if n > 1] == []
    assert "MeetingPage" in schemas


def test_parameters_are_camel_case_and_required_ones_not_nullable(
    document: dict[str, Any],
) -> None:
    for path, _, operation in operations(document):
        assert re.fullmatch(r"[a-z0-9/{}.-]*(\{[a-z][A-Za-z]*\}[a-z0-9/.-]*)*", path.lower()), path
        for parameter in operation.get("parameters", []):
            if parameter["in"] in {"path", "query"}:
                assert re.fullmatch(r"[a-z][A-Za-z]*", parameter["name"]), (path, parameter)
            if parameter.get("required"):
                assert "null" not in str(parameter["schema"]), (path, parameter)
    notice = document["paths"]["/api/v1/meetings/{meetingId}/notice"]["put"]
    if_match = next(p for p in notice["parameters"] if p["name"] == "If-Match")
    assert if_match["schema"]["type"] == "string"


def test_every_authenticated_post_declares_the_idempotency_headers(
    document: dict[str, Any],
) -> None:
    for path, method, operation in operations(document):
        if method != "post" or operation.get("security") == []:
            continue
        names = {p["name"] for p in operation.get("parameters", [])}
        assert "Idempotency-Key" in names, path
        assert {"409", "422"} <= set(operation["responses"]), path
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                assert "Idempotent-Replayed" in response["headers"], (path, status)


def test_request_bodies_refuse_unknown_fields(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for path, _, operation in operations(document):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            name = body["schema"]["$ref"].rsplit("/", 1)[-1]
            assert schemas[name]["additionalProperties"] is False, (path, name)


def test_each_create_links_to_its_read(document: dict[str, Any]) -> None:
    created = document["paths"]["/api/v1/meetings"]["post"]["responses"]["201"]
    assert created["links"]["GetMeeting"] == {
        "operationId": "GetMeeting",
        "parameters": {"meetingId": "$response.body#/id"},
    }
    uploaded = document["paths"]["/api/v1/units/{unitId}/attachments"]["post"]["responses"]["201"]
    assert uploaded["links"]["GetAttachment"]["parameters"] == {
        "attachmentId": "$response.body#/id"
    }
    for path, method, operation in operations(document):
        read = document["paths"].get(f"{path}/{{{path.rsplit('/', 1)[-1][:-1]}Id}}", {})
        if method == "post" and "201" in operation["responses"] and "get" in read:
            assert read["get"]["operationId"] in operation["responses"]["201"]["links"], path


def test_summaries_say_what_each_operation_does(document: dict[str, Any]) -> None:
    summaries = Counter(o["summary"] for _, _, o in operations(document))
    assert [s for s, n in summaries.items() if n > 1] == []
    assert summaries["List my upcoming meetings"] == 1


def test_every_list_replies_with_the_page_shape(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        if method != "get" or not operation["operationId"].startswith("List"):
            continue
        reply = operation["responses"]["200"]["content"]["application/json"]["schema"]
        name = reply.get("$ref", "").rsplit("/", 1)[-1]
        assert name.endswith("Page"), (path, reply)
        page = document["components"]["schemas"][name]
        assert set(page["properties"]) == {"items", "nextCursor"}, (path, name)


def test_operations_are_tagged_by_area(document: dict[str, Any]) -> None:
    tags = {o["operationId"]: o["tags"] for _, _, o in operations(document)}
    assert tags["RecordPetition"] == tags["ListPetitions"] == ["petitions"]
    assert tags["SetCalendarDay"] == tags["ListCalendarExceptions"] == ["working-calendar"]
    assert tags["CreateTask"] == ["tasks"]


def test_rules_the_server_enforces_on_input_are_in_the_schema(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["ChangePasswordIn"]["properties"]["newPassword"]["minLength"] == 8
    assert schemas["PersonIn"]["properties"]["phone"]["pattern"] == r"^\+?[0-9 ().-]+$"
    listing = document["paths"]["/api/v1/meetings"]["get"]["parameters"]
    cursor = next(p for p in listing if p["name"] == "cursor")
    assert cursor["schema"]["pattern"] == "^[A-Za-z0-9_-]+$"
