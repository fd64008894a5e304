"""Audit snapshots of domain objects: plain dicts, lists and values.

``dataclasses.asdict`` deep-copies every leaf; audit rows only need to read them, and a meeting
with its 30-row attendance sheet is snapshotted twice per write (measured: a third of the CPU
of logging a meeting, bench/README.md). ``fields_of`` walks nothing: for a value that stays as it
is until the audit row is written, the audit log's JSON encoder walks the nested dataclasses
itself, in C, to the same JSON (decision 0011).
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any


def plain(value: Any) -> Any:  # noqa: ANN401 - any domain value in, JSON-ready shapes out
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple | frozenset | set):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def snapshot(value: Any) -> dict[str, Any]:  # noqa: ANN401 - any domain dataclass
    result: dict[str, Any] = plain(value)
    return result


def fields_of(value: Any) -> dict[str, Any]:  # noqa: ANN401 - any domain dataclass
    """The top-level fields of a dataclass, nested values left as they are (not copied)."""
    return {f.name: getattr(value, f.name) for f in fields(value)}
