"""The version step and the audit row every audited change shares."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

import pytest

from domain.audit import audited, bump_version, require_version
from domain.errors import StaleVersionError
from domain.ports import AuditEntry


@dataclass
class Thing:
    version: int


class Log:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)


def test_bump_returns_the_version_the_stored_row_must_still_have() -> None:
    thing = Thing(version=3)
    assert bump_version(thing) == 3
    assert thing.version == 4


def test_a_stale_version_is_refused_with_the_current_one() -> None:
    thing = Thing(version=4)
    require_version(thing, None)
    require_version(thing, 4)
    with pytest.raises(StaleVersionError) as raised:
        require_version(thing, 3)
    assert raised.value.code == "version_mismatch"
    assert raised.value.current_version == 4


async def test_audited_fills_the_entry_in_order() -> None:
    log, actor, subject = Log(), uuid4(), uuid4()
    await audited(log, actor, "thing.update", "Thing", subject, "/1/", after={"v": 2})
    assert log.entries == [
        AuditEntry(actor, "thing.update", "Thing", subject, "/1/", None, {"v": 2})
    ]
