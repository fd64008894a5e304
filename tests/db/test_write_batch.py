"""Database.batched: a unit of work's writes sent together, as one transaction in one hop to
SQLite's writer (a savepoint inside an open transaction), all or nothing, on both engines."""

from __future__ import annotations

import asyncio
from uuid import UUID, uuid4

import pytest

from db.engine import Database, write
from db.repositories.audit import AuditFilter, PiccoloAuditLog, list_audit
from db.writes import Write
from domain.errors import RuleViolationError
from domain.pagination import PageRequest
from domain.ports import AuditEntry
from tests.fakes import FakeClock


class BoomError(Exception):
    pass


def entry(object_id: UUID, action: str) -> AuditEntry:
    return AuditEntry(None, action, "Unit", object_id, "/x/", None, {"n": 1})


async def actions(object_id: UUID) -> list[str]:
    page = await list_audit(("/",), AuditFilter(object_id=object_id), PageRequest(100))
    return sorted(r.action for r in page.items)


def renamed(object_id: UUID, action: str) -> Write:
    """A write that must touch a row: the audit row of ``object_id`` gets ``action``."""

    async def missing() -> Exception:
        return RuleViolationError("nothing_to_rename")

    return Write(
        'UPDATE audit_event SET "action" = {} WHERE "object_id" = {} RETURNING "id"',
        (action, object_id),
        when_missing=missing,
    )


async def batch(db: Database, *writes: Write | AuditEntry, fail: bool = False) -> None:
    """Send ``writes`` (audit entries through the audit log) in one batched unit of work, and
    fail it at the end if asked."""
    audit = PiccoloAuditLog(FakeClock(), request_id=None)
    async with db.batched():
        for one in writes:
            if isinstance(one, AuditEntry):
                await audit.record(one)
            else:
                await write(db.engine, one)
        if fail:
            raise BoomError


async def check_all_or_nothing(db: Database) -> None:
    kept, failed, missed = uuid4(), uuid4(), uuid4()
    await batch(db, entry(kept, "first"), entry(kept, "second"))
    assert await actions(kept) == ["first", "second"]

    with pytest.raises(BoomError):
        await batch(db, entry(failed, "lost"), fail=True)
    assert await actions(failed) == []

    # a write that touches no row undoes the writes before it, and tells what to raise
    with pytest.raises(RuleViolationError) as raised:
        await batch(db, entry(missed, "undone"), renamed(uuid4(), "never"))
    assert raised.value.code == "nothing_to_rename"
    assert await actions(missed) == []

    # and one that touches its row goes through with the others
    await batch(db, renamed(kept, "renamed"), entry(kept, "third"))
    assert await actions(kept) == ["renamed", "renamed", "third"]


async def test_nothing_is_sent_before_the_block_ends(db: Database) -> None:
    audit = PiccoloAuditLog(FakeClock(), request_id=None)
    object_id = uuid4()
    async with db.batched():
        await audit.record(entry(object_id, "later"))
        assert await actions(object_id) == []
    assert await actions(object_id) == ["later"]


async def test_batched_writes_commit_together_or_not_at_all(committed: Database) -> None:
    await check_all_or_nothing(committed)


async def test_batched_inside_a_transaction_is_a_savepoint_of_it(db: Database) -> None:
    """The test's own transaction stays open and usable after a batch failed inside it
    (PostgreSQL aborts a transaction whose statement failed outside a savepoint)."""
    await check_all_or_nothing(db)


async def test_the_writer_is_free_while_a_batched_unit_of_work_decides(
    committed: Database,
) -> None:
    """On SQLite the writer's lock is taken for the batch's one hop only: another unit of work
    may write meanwhile (inside ``atomic()`` this would wait for the lock and time out)."""
    audit = PiccoloAuditLog(FakeClock(), request_id=None)
    mine, other = uuid4(), uuid4()

    async def meanwhile() -> None:
        async with committed.atomic():
            await audit.record(entry(other, "meanwhile"))

    async with committed.batched():
        await audit.record(entry(mine, "mine"))
        await asyncio.wait_for(meanwhile(), timeout=2)
        assert await actions(other) == ["meanwhile"]
    assert await actions(mine) == ["mine"]
