"""db/sqlite_values.py's converters give the values Piccolo's give, for what the columns hold."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from piccolo.engine.sqlite import CONVERTERS as PICCOLO

from db.sqlite_values import CONVERTERS

SAMPLES: dict[str, list[bytes]] = {
    "INTEGER": [b"0", b"7", b"-3", b"9007199254740993"],
    "UUID": [str(uuid4()).encode() for _ in range(3)] + [b"00000000-0000-0000-0000-000000000000"],
    "BOOLEAN": [b"1", b"0"],
    "DATE": [b"2026-12-07", b"2000-02-29", b"1930-01-01"],
    "TIMESTAMPTZ": [
        b"2026-12-07 19:00:00",
        b"2026-12-07 19:00:00.123456",
        b"1999-01-31T23:59:59",
        b"2026-01-05 01:33:00+00:00",  # as Piccolo stores a TIMESTAMPTZ
        b"2026-01-05 01:33:00.000250+00:00",
        b"2026-01-05 08:33:00+07:00",  # never stored; Piccolo relabels it UTC, and so do we
    ],
}


@pytest.mark.parametrize("column_type", sorted(CONVERTERS))
def test_each_converter_gives_piccolos_value(column_type: str) -> None:
    for text in SAMPLES[column_type]:
        ours, theirs = CONVERTERS[column_type](text), PICCOLO[column_type](text)
        assert (ours, type(ours)) == (theirs, type(theirs))
        assert getattr(ours, "tzinfo", None) is getattr(theirs, "tzinfo", None)


def test_a_uuid_made_here_behaves_as_any_uuid() -> None:
    text = str(uuid4())
    made = CONVERTERS["UUID"](text.encode())
    assert isinstance(made, UUID)
    assert (str(made), hash(made), made.version, made.is_safe) == (
        text,
        hash(UUID(text)),
        UUID(text).version,
        UUID(text).is_safe,
    )
    assert {made: 1}[UUID(text)] == 1
