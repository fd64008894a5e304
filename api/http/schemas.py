"""Shared shapes of the JSON contract: camelCase, unknown fields refused, cursor pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import QueryParameter

from domain import limits
from domain.auth.passwords import PasswordPolicy

T = TypeVar("T")


# Non-empty texts, at most as long as their columns (domain/limits.py holds every length).
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=limits.NAME)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=limits.TITLE)]
Place = Annotated[str, msgspec.Meta(min_length=1, max_length=limits.PLACE)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=limits.TEXT)]
Category = Annotated[str, msgspec.Meta(min_length=1, max_length=limits.CATEGORY)]
Contact = Annotated[str, msgspec.Meta(min_length=1, max_length=limits.CONTACT)]
DayNote = Annotated[str, msgspec.Meta(min_length=1, max_length=limits.DAY_NOTE)]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
# Login takes any text: a malformed phone reads like a wrong password (invalid_credentials).
PhoneText = Annotated[str, msgspec.Meta(min_length=3, max_length=30)]
# A phone stored on a person: digits with the usual separators (the number itself is checked by
# the phone-number rules of its region: invalid_phone).
PhoneNumber = Annotated[str, msgspec.Meta(min_length=3, max_length=30, pattern=r"^\+?[0-9 ().-]+$")]
Email = Annotated[str, msgspec.Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=limits.EMAIL)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
# The length rule is the domain's (password_too_short, with the minimum in the problem); the
# document states it so that a client can check before sending.
NewPassword = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=200,
        extra_json_schema={"extra": {"min_length": PasswordPolicy().min_length}},
    ),
]

# A date of a member's past (joining, exemption, leaving): older than the service's own records,
# whose dates api/http/strict.py bounds to limits.EVENT_YEARS unless a field says otherwise like
# this.
HistoricDate = Annotated[date, msgspec.Meta(extra={"years": limits.HISTORY_YEARS})]

Limit = Annotated[int, QueryParameter(ge=1, le=100, description="Page size, at most 100")]
Cursor = Annotated[
    str | None,
    QueryParameter(
        max_length=200, pattern=r"^[A-Za-z0-9_-]+$", description="`nextCursor` of the previous page"
    ),
]

Month = Annotated[
    str | None,
    # Years the service can hold (local month bounds of year 0 or 9999 overflow datetime).
    QueryParameter(
        pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", description="Local month, YYYY-MM (2000-2099)"
    ),
]


class In(msgspec.Struct, rename="camel", forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies."""


class Out(msgspec.Struct, rename="camel", kw_only=True):
    """Base of response bodies."""


class PageOut(Out, Generic[T]):
    items: list[T]
    next_cursor: str | None


def one_page(items: list[T]) -> PageOut[T]:
    """A list bounded by nature (a person's sessions, a meeting's visits, the jobs …), whole, in
    the page shape every list has: a client reads all lists one way."""
    return PageOut(items=items, next_cursor=None)
