"""Strict typing of request input, where Litestar 2 coerces.

Litestar converts a handler's parameters, the decoded JSON body among them, with msgspec's lax
rules (``strict=False``, needed for query strings): ``{"exempt": 0}`` became ``False`` and a
query ``until=0.5`` a datetime in 1970. The contract says otherwise, so before the handler runs
the JSON body is decoded strictly against the handler's ``data`` type, and date/time query
parameters must be RFC 3339 text. A mismatch answers 422 like any other validation failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Request
from litestar.enums import ParamType
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.params import ParameterKwarg
from litestar.typing import FieldDefinition

TIME_TYPES = (datetime, date)


@dataclass(frozen=True, slots=True)
class _Checks:
    body: msgspec.json.Decoder[Any] | None
    time_queries: tuple[tuple[str, msgspec.json.Decoder[Any]], ...]


def _is_query(name: str, field: FieldDefinition, path_params: set[str]) -> str | None:
    """The query name of a handler parameter, or None when it is not a query parameter."""
    kwarg = field.kwarg_definition
    if isinstance(kwarg, ParameterKwarg):
        return (kwarg.name or name) if kwarg.param_type is ParamType.QUERY else None
    if kwarg is not None or field.is_di_field or name in path_params:
        return None
    return name


def _is_time(field: FieldDefinition) -> bool:
    members = field.args if field.is_union else (field.annotation,)
    return any(isinstance(t, type) and issubclass(t, TIME_TYPES) for t in members)


def _checks_for(handler: HTTPRouteHandler, path_params: set[str]) -> _Checks:
    body: msgspec.json.Decoder[Any] | None = None
    time_queries: list[tuple[str, msgspec.json.Decoder[Any]]] = []
    for name, field in handler.parsed_fn_signature.parameters.items():
        if name == "data":  # Litestar's name for the body
            try:
                body = msgspec.json.Decoder(field.annotation, strict=True)
            except TypeError:  # a type msgspec cannot decode: leave it to Litestar
                body = None
        elif (query := _is_query(name, field, path_params)) and _is_time(field):
            time_queries.append((query, msgspec.json.Decoder(field.annotation, strict=True)))
    return _Checks(body, tuple(time_queries))


def _fail(source: str, name: str, error: msgspec.ValidationError) -> ValidationException:
    message, _, where = str(error).partition(" - at `$")
    field = where.rstrip("`").removeprefix(".") or name
    return ValidationException(
        detail=f"Validation failed for {source}",
        extra=[{"key": field, "message": message, "source": source}],
    )


class StrictInput:
    """A ``before_request`` hook; the checks of each handler are built on its first request."""

    def __init__(self) -> None:
        self._checks: dict[int, _Checks] = {}

    async def __call__(self, request: Request[Any, Any, Any]) -> None:
        handler = request.route_handler
        checks = self._checks.get(id(handler))
        if checks is None:
            checks = _checks_for(handler, set(request.path_params))
            self._checks[id(handler)] = checks
        for query, decoder in checks.time_queries:
            raw = request.query_params.get(query)
            if raw is not None:
                try:
                    decoder.decode(msgspec.json.encode(raw))
                except msgspec.ValidationError as error:
                    raise _fail("query", query, error) from error
        if checks.body is not None:
            body = await request.body()
            try:
                checks.body.decode(body)
            except msgspec.ValidationError as error:
                raise _fail("body", "body", error) from error
            except msgspec.DecodeError:
                return  # not JSON at all: Litestar's own 400
