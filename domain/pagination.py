"""Cursor pagination shared by every list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class PageWithin(Generic[T]):
    """A page of a list, and the path of the unit whose subtree it was asked within, read in the
    same statement: ``unit_path`` is None when no unit was asked for or no such unit exists."""

    page: Page[T]
    unit_path: str | None = None
