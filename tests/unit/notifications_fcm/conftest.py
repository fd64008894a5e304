"""A fake FCM server on the test's own event loop and an FcmSender pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from notifications.senders.fcm import FcmSender, point_at
from tests.fake_fcm import FakeFcm, running_fake_fcm

NOW = 1_800_000_000.0  # the sender's clock in these tests (2027-01-15T08:00:00Z)


@pytest.fixture(autouse=True)
def _google_fcm_url_afterwards() -> Iterator[None]:
    yield
    point_at(None)


@pytest.fixture
async def fake_fcm() -> AsyncIterator[FakeFcm]:
    async with running_fake_fcm() as fake:
        yield fake


@pytest.fixture
async def sender(fake_fcm: FakeFcm) -> AsyncIterator[FcmSender]:
    with fake_fcm.trusted():
        fcm = FcmSender.for_fake(fake_fcm.base_url, project_id="chibo-test", clock=lambda: NOW)
    try:
        yield fcm
    finally:
        await fcm.close()
