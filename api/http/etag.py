"""ETag / If-Match for updates made from phones that may be offline for a while."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from litestar import Response
from litestar.datastructures import ResponseHeader
from litestar.params import HeaderParameter

from api.http.errors import PreconditionRequiredError

T = TypeVar("T")

ETAG_HEADER = [
    ResponseHeader(name="ETag", description="Version for If-Match", documentation_only=True)
]
# Documented as required, typed optional: a missing header reaches the handler, which answers
# 428 if_match_required (RFC 6585) instead of the framework's generic validation error.
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        description="The ETag of the version being changed; without it the update is refused"
        " with 428",
        max_length=100,
        required=True,
    ),
]


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int:
    """The version an update was made against; -1 (matches nothing) when unreadable."""
    if if_match is None:
        raise PreconditionRequiredError("if_match_required")
    value = if_match.strip().removeprefix("W/").strip('"')
    return int(value) if value.isascii() and value.isdigit() else -1


def tagged(body: T, version: int, status_code: int = 200) -> Response[T]:
    headers: dict[str, Any] = {"ETag": etag(version)}
    return Response(body, headers=headers, status_code=status_code)
