"""Strict typing of request input, where Litestar 2 coerces, and the checks every input shares.

Litestar converts a handler's parameters, the decoded JSON body among them, with msgspec's lax
rules (``strict=False``, needed for query strings): ``{"exempt": 0}`` became ``False`` and a
query ``until=0.5`` a datetime in 1970. The contract says otherwise, so before the handler runs
the JSON body is decoded strictly against the handler's ``data`` type, and date/time query
parameters must be RFC 3339 text. A mismatch answers 422 like any other validation failure.

The same pass refuses, for every handler, what one engine stores and the other rejects or what
the domain cannot compare: a NUL character in any text (PostgreSQL cannot store it), a time
without a UTC offset, a date outside the years of its field (domain/limits.py), a body that is
not UTF-8 JSON or not declared as JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import msgspec
import msgspec.inspect as mi
from litestar import Request
from litestar.enums import ParamType
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.params import ParameterKwarg
from litestar.typing import FieldDefinition

from api.http.errors import MalformedBodyError, UnsupportedMediaTypeError
from domain import limits
from domain.errors import RuleViolationError

TIME_TYPES = (datetime, date)
NUL = "\x00"

# (value, where) -> (where, code) for each fault found
Check = Callable[[object, str], list[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class _Checks:
    body: msgspec.json.Decoder[Any] | None
    body_check: Check | None
    time_queries: tuple[tuple[str, msgspec.json.Decoder[Any], Check], ...]


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


def _time_check(years: tuple[int, int], *, instant: bool) -> Check:
    first, last = years

    def check(value: object, where: str) -> list[tuple[str, str]]:
        if instant and isinstance(value, datetime) and value.tzinfo is None:
            return [(where, "naive_datetime")]
        if isinstance(value, date) and not first <= value.year <= last:
            return [(where, "date_out_of_range")]
        return []

    return check


def _nul_check(value: object, where: str) -> list[tuple[str, str]]:
    return [(where, "nul_character")] if isinstance(value, str) and NUL in value else []


def _struct_check(cls: type, fields: list[tuple[str, str, Check]]) -> Check:
    def check(value: object, where: str) -> list[tuple[str, str]]:
        if not isinstance(value, cls):
            return []
        prefix = f"{where}." if where else ""
        return [
            fault
            for attr, name, field_check in fields
            for fault in field_check(getattr(value, attr), prefix + name)
        ]

    return check


def _items_check(item: Check) -> Check:
    def check(value: object, where: str) -> list[tuple[str, str]]:
        if isinstance(value, dict):
            return [
                fault
                for key, v in value.items()
                for fault in (*_nul_check(key, where), *item(v, f"{where}.{key}"))
            ]
        if isinstance(value, list | tuple | set | frozenset):
            return [fault for i, v in enumerate(value) for fault in item(v, f"{where}[{i}]")]
        return []

    return check


def _loose_check(value: object, where: str) -> list[tuple[str, str]]:
    """A value of no declared type (free JSON): every text in it, at any depth."""
    if isinstance(value, dict | list):
        return _items_check(_loose_check)(value, where)
    return _nul_check(value, where)


def _any_of(checks: list[Check]) -> Check:
    def check(value: object, where: str) -> list[tuple[str, str]]:
        return [fault for c in checks for fault in c(value, where)]

    return check


def _compile(  # noqa: C901, PLR0911 - one branch per kind of msgspec type, flat
    t: mi.Type, years: tuple[int, int], seen: dict[type, Check]
) -> Check | None:
    """The check of values of type ``t``, or None when no value of it can hold a fault."""
    if isinstance(t, mi.Metadata):
        wanted = (t.extra or {}).get("years")
        return _compile(t.type, wanted or years, seen)
    if isinstance(t, mi.StrType):
        return _nul_check
    if isinstance(t, mi.DateTimeType | mi.DateType):
        return _time_check(years, instant=isinstance(t, mi.DateTimeType))
    if isinstance(t, mi.StructType):
        if t.cls in seen:
            return seen[t.cls]
        fields: list[tuple[str, str, Check]] = []
        seen[t.cls] = _struct_check(t.cls, fields)  # filled below; a recursive type finds it
        for field in t.fields:
            check = _compile(field.type, years, seen)
            if check is not None:
                fields.append((field.name, field.encode_name, check))
        return seen[t.cls] if fields else None
    if isinstance(t, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
        item = _compile(t.item_type, years, seen)
        return _items_check(item) if item else None
    if isinstance(t, mi.TupleType):
        items = [c for c in (_compile(i, years, seen) for i in t.item_types) if c]
        return _items_check(_any_of(items)) if items else None
    if isinstance(t, mi.DictType):
        value = _compile(t.value_type, years, seen)
        return _items_check(value or _any_of([]))
    if isinstance(t, mi.UnionType):
        members = [c for c in (_compile(m, years, seen) for m in t.types) if c]
        return _any_of(members) if members else None
    if isinstance(t, mi.AnyType):
        return _loose_check
    return None


def checker(annotation: object) -> Check | None:
    """The shared checks (NUL, offset, years) of a value of this type, built once."""
    return _compile(mi.type_info(annotation), limits.EVENT_YEARS, {})


# the texts of the query string and the decoded path parameters (a calendar day in the path)
_PLAIN_CHECK = _any_of([_nul_check, _time_check(limits.EVENT_YEARS, instant=False)])


def _checks_for(handler: HTTPRouteHandler, path_params: set[str]) -> _Checks:
    body: msgspec.json.Decoder[Any] | None = None
    body_check: Check | None = None
    time_queries: list[tuple[str, msgspec.json.Decoder[Any], Check]] = []
    for name, field in handler.parsed_fn_signature.parameters.items():
        if name == "data":  # Litestar's name for the body
            try:
                body = msgspec.json.Decoder(field.annotation, strict=True)
                body_check = checker(field.annotation)
            except TypeError:  # a type msgspec cannot decode: leave it to Litestar
                body = None
        elif (query := _is_query(name, field, path_params)) and _is_time(field):
            decoder = msgspec.json.Decoder(field.annotation, strict=True)
            time_queries.append((query, decoder, checker(field.annotation) or _any_of([])))
    return _Checks(body, body_check, tuple(time_queries))


def _fail(source: str, name: str, error: msgspec.ValidationError) -> ValidationException:
    message, _, where = str(error).partition(" - at `$")
    field = where.rstrip("`").removeprefix(".") or name
    return ValidationException(
        detail=f"Validation failed for {source}",
        extra=[{"key": field, "message": message, "source": source}],
    )


def _refuse(faults: list[tuple[str, str]]) -> None:
    """422 with the code of the first fault, naming every faulty field."""
    if faults:
        raise RuleViolationError(faults[0][1], errors=faults)


def _is_json(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and "+json" in media)


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
        plain = (*request.query_params.multi_items(), *request.path_params.items())
        _refuse([fault for name, value in plain for fault in _PLAIN_CHECK(value, name)])
        for query, decoder, check in checks.time_queries:
            raw = request.query_params.get(query)
            if raw is not None:
                try:
                    value = decoder.decode(msgspec.json.encode(raw))
                except msgspec.ValidationError as error:
                    raise _fail("query", query, error) from error
                _refuse(check(value, query))
        if checks.body is not None:
            await self._check_body(request, checks.body, checks.body_check)

    @staticmethod
    async def _check_body(
        request: Request[Any, Any, Any],
        decoder: msgspec.json.Decoder[Any],
        check: Check | None,
    ) -> None:
        body = await request.body()
        if not body:
            return  # no body: the handler's own rule (required or optional) answers
        if not _is_json(request.headers.get("content-type", "")):
            raise UnsupportedMediaTypeError("unsupported_media_type")
        try:
            value = decoder.decode(body)
        except msgspec.ValidationError as error:
            raise _fail("body", "body", error) from error
        except (msgspec.DecodeError, UnicodeDecodeError) as error:
            raise MalformedBodyError("malformed_json") from error
        if check is not None:
            _refuse(check(value, ""))
