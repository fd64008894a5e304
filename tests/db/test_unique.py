"""Unique violations become their 409 code in one place (db/unique.py), alike on both engines."""

from __future__ import annotations

import dataclasses

import pytest
from piccolo.querystring import QueryString

from db.engine import Database
from db.repositories.org import PiccoloOrgRepository
from db.unique import CODES, ID_CONFLICT
from domain.errors import ConflictError
from tests.factories import make_person, make_unit

_SQLITE_INDEXES = """
SELECT m.name AS tbl, il.name AS idx, ii.name AS col, ii.seqno AS pos
FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii
WHERE m.type = 'table' AND il."unique" = 1
"""
_POSTGRES_INDEXES = """
SELECT t.relname AS tbl, i.relname AS idx, a.attname AS col, k.pos AS pos
FROM pg_index x
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, pos)
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
WHERE x.indisunique
"""


async def unique_indexes(db: Database) -> set[tuple[str, tuple[str, ...]]]:
    sql = _SQLITE_INDEXES if db.kind == "sqlite" else _POSTGRES_INDEXES
    rows = await db.engine.run_querystring(QueryString(sql))
    columns: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for row in rows:
        columns.setdefault((row["tbl"], row["idx"]), []).append((row["pos"], row["col"]))
    return {(table, tuple(c for _, c in sorted(cols))) for (table, _), cols in columns.items()}


async def test_every_code_names_a_unique_index_of_the_schema(db: Database) -> None:
    """A code kept for columns no index covers would never be given: a typo or a renamed
    column must fail here, not in production as a generic conflict."""
    indexes = await unique_indexes(db)
    assert set(CODES) <= indexes


async def test_a_duplicate_id_is_an_id_conflict_and_other_keys_their_own_code(
    db: Database,
) -> None:
    repo = PiccoloOrgRepository()
    city = make_unit(None, "Thành ủy", "city")
    await repo.add_unit(city)
    person = make_person(city, "Nguyễn Văn An")
    await repo.add_person(person, None)
    same_id = dataclasses.replace(make_person(city, "Trần Văn Ba"), id=person.id)
    same_phone = dataclasses.replace(make_person(city, "Trần Văn Ba"), phone=person.phone)
    for twin, code in ((same_id, ID_CONFLICT), (same_phone, "phone_taken")):
        with pytest.raises(ConflictError) as raised:
            async with db.atomic():
                await repo.add_person(twin, None)
        assert raised.value.code == code
    with pytest.raises(ConflictError) as raised:
        async with db.atomic():
            await repo.add_unit(city)
    assert raised.value.code == ID_CONFLICT
