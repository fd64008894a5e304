"""The Piccolo repositories on both engines: keyset pages, subtree moves, unique violations,
and the savepoint semantics of Database.atomic."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from db.engine import Database
from db.repositories.audit import AuditFilter, PiccoloAuditLog, list_audit
from db.repositories.org import PiccoloOrgRepository
from domain.errors import ConflictError, RuleViolationError
from domain.org.model import Unit
from domain.org.ports import MembershipFilter, UnitFilter
from domain.pagination import PageRequest
from domain.ports import AuditEntry
from tests.factories import make_membership, make_person, make_unit
from tests.fakes import START, FakeClock


class BoomError(Exception):
    """Raised on purpose to roll back a unit of work."""


def make_entry(object_id: UUID, path: str, action: str = "unit.update") -> AuditEntry:
    return AuditEntry(
        actor_id=None,
        action=action,
        object_type="Unit",
        object_id=object_id,
        unit_path=path,
        before={"name": "cũ"},
        after={"name": "mới"},
    )


async def _root_with_children(repo: PiccoloOrgRepository, count: int) -> tuple[Unit, list[Unit]]:
    root = make_unit(None, "Thành ủy", "city")
    await repo.add_unit(root)
    children = []
    for i in range(count):
        # three share each timestamp, so the id must break the tie
        child = dataclasses.replace(
            make_unit(root, f"Phường {i}", "ward"),
            created_at=START + timedelta(microseconds=250_000 * (i // 3)),
        )
        await repo.add_unit(child)
        children.append(child)
    return root, children


async def test_keyset_pages_follow_created_at_then_id(db: Database) -> None:
    del db
    repo = PiccoloOrgRepository()
    root, children = await _root_with_children(repo, 8)
    expected = [u.id for u in sorted([root, *children], key=lambda u: (u.created_at, u.id))]
    seen: list[UUID] = []
    cursor = None
    pages = 0
    while True:
        page = await repo.list_units((root.path,), UnitFilter(), PageRequest(3, cursor))
        seen.extend(u.id for u in page.items)
        pages += 1
        if page.next_cursor is None:
            break
        assert len(page.items) == 3
        cursor = page.next_cursor
    assert seen == expected
    assert pages == 3


async def test_exact_last_page_has_no_next_cursor(db: Database) -> None:
    del db
    repo = PiccoloOrgRepository()
    root, _ = await _root_with_children(repo, 3)
    page = await repo.list_units((root.path,), UnitFilter(), PageRequest(4))
    assert len(page.items) == 4
    assert page.next_cursor is None
    first = await repo.list_units((root.path,), UnitFilter(), PageRequest(2))
    assert first.next_cursor is not None
    rest = await repo.list_units((root.path,), UnitFilter(), PageRequest(2, first.next_cursor))
    assert len(rest.items) == 2
    assert rest.next_cursor is None


async def test_lists_are_filtered_by_scope_in_the_query(db: Database) -> None:
    del db
    repo = PiccoloOrgRepository()
    root, (ward_a, ward_b, *_) = await _root_with_children(repo, 3)
    cell = make_unit(ward_a, "Chi bộ", "cell", is_cell=True)
    await repo.add_unit(cell)
    scoped = await repo.list_units((ward_a.path,), UnitFilter(), PageRequest(10))
    assert {u.id for u in scoped.items} == {ward_a.id, cell.id}
    both = await repo.list_units((ward_a.path, ward_b.path), UnitFilter(), PageRequest(10))
    assert {u.id for u in both.items} == {ward_a.id, cell.id, ward_b.id}
    nothing = await repo.list_units((), UnitFilter(), PageRequest(10))
    assert nothing.items == ()
    within = await repo.list_units(
        (root.path,), UnitFilter(within_path=ward_a.path), PageRequest(10)
    )
    assert {u.id for u in within.items} == {ward_a.id, cell.id}


@pytest.mark.parametrize("cursor", ["@@@", "bm90LWEtY3Vyc29y", "MjAyNi0xMS0yN3xub3QtYS11dWlk"])
async def test_bad_cursor_is_a_rule_violation(db: Database, cursor: str) -> None:
    del db
    with pytest.raises(RuleViolationError) as raised:
        await PiccoloOrgRepository().list_units(("/",), UnitFilter(), PageRequest(5, cursor))
    assert raised.value.code == "invalid_cursor"


async def test_move_subtree_rewrites_every_path_below(db: Database) -> None:
    del db
    repo = PiccoloOrgRepository()
    city = make_unit(None, "Thành ủy", "city")
    ward1 = make_unit(city, "Phường 1", "ward")
    ward2 = make_unit(city, "Phường 2", "ward")
    area = make_unit(ward1, "Khu vực", "area")
    cell = make_unit(area, "Chi bộ", "cell", is_cell=True)
    other = make_unit(ward2, "Chi bộ khác", "cell", is_cell=True)
    for unit in (city, ward1, ward2, area, cell, other):
        await repo.add_unit(unit)
    new_ward1_path = f"{ward2.path}{ward1.id.hex}/"
    await repo.move_subtree(ward1.path, new_ward1_path)

    async def path_of(unit: Unit) -> str:
        found = await repo.get_unit(unit.id)
        assert found is not None
        return found.path

    assert await path_of(ward1) == new_ward1_path
    assert await path_of(area) == f"{new_ward1_path}{area.id.hex}/"
    assert await path_of(cell) == f"{new_ward1_path}{area.id.hex}/{cell.id.hex}/"
    assert await path_of(ward2) == ward2.path
    assert await path_of(other) == other.path
    assert await path_of(city) == city.path
    in_ward2 = await repo.list_units((ward2.path,), UnitFilter(), PageRequest(10))
    assert {u.id for u in in_ward2.items} == {ward2.id, ward1.id, area.id, cell.id, other.id}


async def test_duplicate_phone_is_a_conflict(db: Database) -> None:
    repo = PiccoloOrgRepository()
    city = make_unit(None, "Thành ủy", "city")
    await repo.add_unit(city)
    first = make_person(city, "Nguyễn Văn An")
    await repo.add_person(first, None)
    twin = dataclasses.replace(make_person(city, "Nguyễn Văn Ba"), phone=first.phone)
    with pytest.raises(ConflictError) as raised:
        async with db.atomic():
            await repo.add_person(twin, None)
    assert raised.value.code == "phone_taken"
    # the savepoint kept the outer transaction usable (PostgreSQL aborts it otherwise)
    other = make_person(city, "Nguyễn Văn Ba")
    async with db.atomic():
        await repo.add_person(other, None)
        with pytest.raises(ConflictError):
            async with db.atomic():
                await repo.save_person(dataclasses.replace(other, phone=first.phone))
    assert await repo.person_by_phone(first.phone) == first
    assert (await repo.get_person(other.id)) == other


async def test_one_live_membership_per_person_and_cell(db: Database) -> None:
    repo = PiccoloOrgRepository()
    city = make_unit(None, "Thành ủy", "city")
    cell = make_unit(city, "Chi bộ", "cell", is_cell=True)
    other_cell = make_unit(city, "Chi bộ khác", "cell", is_cell=True)
    for unit in (city, cell, other_cell):
        await repo.add_unit(unit)
    person = make_person(cell, "Lê Thị Hoa")
    await repo.add_person(person, None)
    first = make_membership(person, cell)
    await repo.add_membership(first)
    with pytest.raises(ConflictError) as raised:
        async with db.atomic():
            await repo.add_membership(make_membership(person, cell))
    assert raised.value.code == "membership_exists"
    # another cell at the same time is fine
    await repo.add_membership(make_membership(person, other_cell))
    # once the first one ended, the person may rejoin: history keeps both rows
    first.left_on = date(2024, 12, 31)
    await repo.save_membership(first)
    again = make_membership(person, cell, joined_on=date(2025, 3, 1))
    await repo.add_membership(again)
    rows = await repo.list_memberships(
        (cell.path,), MembershipFilter(person_id=person.id), PageRequest(10)
    )
    assert {(m.id, m.left_on) for m in rows.items} == {
        (first.id, date(2024, 12, 31)),
        (again.id, None),
    }
    live = await repo.live_memberships_of(person.id)
    assert {m.cell_id for m in live} == {cell.id, other_cell.id}


async def _audit_actions(object_id: UUID) -> list[str]:
    page = await list_audit(("/",), AuditFilter(object_id=object_id), PageRequest(100))
    return [r.action for r in page.items]


async def _fail_atomically(db: Database, *writes: Callable[[], Awaitable[None]]) -> None:
    """Run ``writes`` in one unit of work, then fail it."""
    async with db.atomic():
        for write in writes:
            await write()
        raise BoomError


async def test_audit_rows_of_a_failed_unit_of_work_disappear(db: Database) -> None:
    audit = PiccoloAuditLog(FakeClock(), request_id="req-1")
    object_id = uuid4()

    async def record_and_look() -> None:
        await audit.record(make_entry(object_id, "/x/"))
        assert await _audit_actions(object_id) == ["unit.update"]

    with pytest.raises(BoomError):
        await _fail_atomically(db, record_and_look)
    assert await _audit_actions(object_id) == []


async def test_nested_atomic_rolls_back_only_its_part(db: Database) -> None:
    audit = PiccoloAuditLog(FakeClock(), request_id="req-2")
    repo = PiccoloOrgRepository()
    object_id = uuid4()
    unit = make_unit(None, "Thành ủy", "city")
    async with db.atomic():
        await audit.record(make_entry(object_id, "/x/", "outer.before"))
        with pytest.raises(BoomError):
            await _fail_atomically(
                db,
                lambda: repo.add_unit(unit),
                lambda: audit.record(make_entry(object_id, "/x/", "inner")),
            )
        await audit.record(make_entry(object_id, "/x/", "outer.after"))
    assert sorted(await _audit_actions(object_id)) == ["outer.after", "outer.before"]
    assert await repo.get_unit(unit.id) is None


async def test_audit_round_trips_json_and_request_id(db: Database) -> None:
    del db
    clock = FakeClock()
    audit = PiccoloAuditLog(clock, request_id="req-3")
    object_id = uuid4()
    await audit.record(make_entry(object_id, "/a/b/"))
    clock.advance(timedelta(minutes=1))
    await audit.record(make_entry(object_id, "/a/c/", "unit.move"))
    page = await list_audit(("/a/b/",), AuditFilter(object_id=object_id), PageRequest(10))
    (record,) = page.items
    assert (record.action, record.request_id, record.at) == ("unit.update", "req-3", START)
    assert (record.before, record.after) == ({"name": "cũ"}, {"name": "mới"})
    both = await list_audit(("/a/",), AuditFilter(object_id=object_id), PageRequest(10))
    assert [r.action for r in both.items] == ["unit.update", "unit.move"]
    since = await list_audit(
        ("/a/",), AuditFilter(since=START + timedelta(seconds=30)), PageRequest(10)
    )
    assert [r.object_id for r in since.items] == [object_id]
