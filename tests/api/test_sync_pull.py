"""Sync pull on both engines: a first sync, catching up, what leaves the caller's view, sealed
inspections (hidden until their start, then revealed without any write), forged cursors."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.api import inspection_calls as insp
from tests.api import meeting_calls as meet
from tests.api.helpers import problem
from tests.api.sync_calls import Store, pull
from tests.factories import build_world, login
from tests.fakes import FakeClock


async def test_a_first_sync_hands_out_what_the_member_can_read(client: httpx.AsyncClient) -> None:
    world = await build_world()
    secretary = await login(client, world.secretary_a)
    meeting = await meet.create(client, secretary, meet.meeting_body(world))
    member = await login(client, world.member_a)
    store = Store()
    await store.sync(client, member)
    assert meeting["id"] in store.ids("meetings")
    assert str(world.cell_a.id) in store.ids("units")
    assert str(world.cell_b.id) not in store.ids("units")
    again = await pull(client, member, store.cursor)
    assert again["changes"] == {}
    assert not again["hasMore"]
