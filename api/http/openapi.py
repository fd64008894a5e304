"""The served OpenAPI document as a contract client generators accept.

Litestar derives the document from the handlers; what it cannot say (or says in a way generators
reject) is settled here, once, as rules over the whole document rather than per handler:
readable schema names, camelCase path parameters, a schema on every header, required parameters
that are never null, the idempotency headers the middleware honours, ``additionalProperties:
false`` on the bodies that refuse unknown fields, links from each create to its reads, and a
summary that says what each operation does.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)

from api.http.errors import DESCRIPTIONS, PROBLEM_MEDIA_TYPE
from api.http.idempotency import VALID_KEY
from api.http.schemas import In

Json = dict[str, Any]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REF = "#/components/schemas/"
API_PREFIX = "/api/v1/"
# Litestar names a generic page after the Python path of its item: PageOut_api.x.y.MeetingOut_
GENERIC_PAGE = re.compile(r"^PageOut_(?:[A-Za-z_]+\.)*(?P<item>[A-Za-z]+?)(?:Out)?_$")
PATH_PARAMETER = re.compile(r"\{([A-Za-z0-9_]+)\}")
IDEMPOTENCY_KEY: Json = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retried POST safe: the same key with the same body returns the first"
    " reply (Idempotent-Replayed: true); with another body 422 idempotency_key_reused; while the"
    " first is running 409 idempotency_request_in_flight. Remembered 7 days.",
    "schema": {"type": "string", "pattern": VALID_KEY.pattern},
}
IDEMPOTENT_REPLAYED: Json = {
    "description": "`true` when this is the stored reply to an earlier request with the same"
    " Idempotency-Key",
    "schema": {"type": "string", "enum": ["true"]},
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def operations(document: Json) -> Iterator[tuple[str, str, Json]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _walk(node: object) -> Iterator[Json]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def readable_schema_names(document: Json) -> None:
    """``PageOut_api.meetings.schemas.MeetingOut_`` -> ``MeetingPage``."""
    schemas: Json = document["components"]["schemas"]
    renames = {key: f"{match['item']}Page" for key in schemas if (match := GENERIC_PAGE.match(key))}
    for old, new in renames.items():
        if new in schemas:
            raise ValueError(f"two schemas would be called {new}")
        schemas[new] = schemas.pop(old) | {"title": new}
    for node in _walk(document):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.removeprefix(REF) in renames:
            node["$ref"] = REF + renames[ref.removeprefix(REF)]


def camel_case_path_parameters(document: Json) -> None:
    """Only the names in the document change: the URLs are the same."""
    document["paths"] = {
        PATH_PARAMETER.sub(lambda m: "{" + camel(m[1]) + "}", path): item
        for path, item in document["paths"].items()
    }
    for _, _, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                parameter["name"] = camel(parameter["name"])


def _not_null(schema: Json) -> Json:
    branches = [b for b in schema.get("oneOf", []) if b.get("type") != "null"]
    if len(branches) != 1 or len(schema["oneOf"]) != 2:  # noqa: PLR2004 - T | None
        return schema
    flat: Json = {k: v for k, v in schema.items() if k != "oneOf"}
    flat.update(branches[0])
    return flat


def required_parameters_are_not_null(document: Json) -> None:
    """A required header (If-Match) is typed ``str | None`` so that its absence reaches the
    handler (428); a client must still always send a string."""
    for _, _, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if parameter.get("required"):
                parameter["schema"] = _not_null(parameter["schema"])


def headers_have_schemas(document: Json) -> None:
    for _, _, operation in operations(document):
        for response in operation["responses"].values():
            for header in response.get("headers", {}).values():
                header.setdefault("schema", {"type": "string"})


def bearer_scheme_without_name(document: Json) -> None:
    """``name`` belongs to apiKey schemes; on an http scheme it is invalid."""
    for scheme in document["components"].get("securitySchemes", {}).values():
        if scheme.get("type") == "http":
            scheme.pop("name", None)


def idempotency_headers(document: Json) -> None:
    """The middleware honours Idempotency-Key on every POST of an authenticated caller."""
    for _, method, operation in operations(document):
        if method != "post" or operation.get("security") == []:
            continue
        operation.setdefault("parameters", []).append(copy.deepcopy(IDEMPOTENCY_KEY))
        responses = operation["responses"]
        for status, response in responses.items():
            if status.startswith("2"):
                response.setdefault("headers", {})["Idempotent-Replayed"] = IDEMPOTENT_REPLAYED
        for status in (409, 422):  # request in flight; key invalid or reused
            responses.setdefault(str(status), _problem(status))


def _problem(status: int) -> Json:
    schema = {"$ref": REF + "Problem"}
    return {
        "description": DESCRIPTIONS[status],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}},
    }


def _struct_names(base: type[msgspec.Struct]) -> set[str]:
    names: set[str] = set()
    for cls in base.__subclasses__():
        if cls.__struct_config__.forbid_unknown_fields:
            names.add(cls.__name__)
        names |= _struct_names(cls)
    return names


def closed_request_bodies(document: Json) -> None:
    """Request bodies refuse unknown fields (``In``): say so."""
    closed = _struct_names(In)
    for name, schema in document["components"]["schemas"].items():
        if name in closed and schema.get("type") == "object":
            schema["additionalProperties"] = False


def links_from_creates_to_reads(document: Json) -> None:
    """A 201 reply's ``id`` feeds every read of the created record (stateful testing, and
    clients that navigate)."""
    paths: Json = document["paths"]
    for path, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if created is None:
            continue
        # /meetings -> /meetings/{meetingId}…; /units/{unitId}/attachments -> /attachments/{…}
        collections = {path, API_PREFIX + path.rsplit("/", 1)[-1]}
        for read_path, read_item in paths.items():
            match = next(
                (
                    m
                    for c in collections
                    if (
                        m := re.fullmatch(
                            re.escape(c) + r"/\{([A-Za-z]+)\}(?:/[a-z-]+)*", read_path
                        )
                    )
                ),
                None,
            )
            read = read_item.get("get")
            if match is None or read is None:
                continue
            created.setdefault("links", {})[read["operationId"]] = {
                "operationId": read["operationId"],
                "parameters": {match[1]: "$response.body#/id"},
            }


def summaries(document: Json) -> None:
    """``ListMyUpcomingMeetings`` -> "List my upcoming meetings"."""
    for _, _, operation in operations(document):
        words = re.findall(r"[A-Z][a-z]*", operation["operationId"])
        operation["summary"] = " ".join([words[0], *(w.lower() for w in words[1:])])


def finish(document: Json) -> Json:
    """The contract from Litestar's derived document (which is left untouched)."""
    finished = copy.deepcopy(document)
    for step in (
        readable_schema_names,
        camel_case_path_parameters,
        required_parameters_are_not_null,
        headers_have_schemas,
        bearer_scheme_without_name,
        idempotency_headers,
        closed_request_bodies,
        links_from_creates_to_reads,
        summaries,
    ):
        step(finished)
    return finished


class ContractJsonPlugin(JsonRenderPlugin):
    """Serves ``openapi.json`` as :func:`finish` makes it (computed once)."""

    def __init__(self) -> None:
        super().__init__()
        self._rendered: bytes | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: Json) -> bytes:
        if self._rendered is None:
            self._rendered = self.render_json(request, finish(openapi_schema))
        return self._rendered


def file_reply(*media_types: str, or_json: bool = False) -> type[Operation]:
    """The Operation class of a route whose 200 reply is a file in one of ``media_types`` (a
    binary string in the document), or else the route's JSON too when ``or_json``."""

    @dataclass
    class FileReply(Operation):
        def __post_init__(self) -> None:
            ok = (self.responses or {}).get("200")
            if isinstance(ok, OpenAPIResponse):
                binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                files = {media: OpenAPIMediaType(schema=binary) for media in media_types}
                ok.content = {**(ok.content or {}), **files} if or_json else files

    return FileReply
