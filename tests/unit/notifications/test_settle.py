from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from domain.notifications.model import Category, RetryPolicy
from domain.notifications.ports import Claimed
from notifications.outbox import push_of, settle
from notifications.senders.base import Outcome, Result

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
POLICY = RetryPolicy(base_seconds=30, cap_seconds=3600, max_attempts=3)


def claimed(attempts: int = 0, expires: timedelta = timedelta(days=1)) -> Claimed:
    return Claimed(
        delivery_id=uuid4(),
        notification_id=uuid4(),
        token=f"token-{uuid4().hex}",
        attempts=attempts,
        expires_at=NOW + expires,
        category=Category.TASK,
        title="Việc mới được giao",
        body="…",
        data={"link": "chibo://tasks/1"},
        subject="task:1",
        urgent=False,
    )


def test_push_carries_the_ids_collapse_key_and_remaining_ttl() -> None:
    c = claimed(expires=timedelta(hours=2))
    push = push_of(c, NOW)
    assert push.data["notificationId"] == str(c.notification_id)
    # the same on a second send of this delivery: the app drops what it has shown already
    assert push.data["deliveryId"] == str(c.delivery_id) == push_of(c, NOW).data["deliveryId"]
    assert push.data["link"] == "chibo://tasks/1"
    assert push.collapse_key == "task:1"
    assert push.ttl_seconds == 7200


def test_each_outcome_is_recorded() -> None:
    sent, invalid, retry, missing = claimed(), claimed(), claimed(), claimed()
    results = [
        Result(sent.delivery_id, Outcome.SENT),
        Result(invalid.delivery_id, Outcome.INVALID_TOKEN, error="UNREGISTERED"),
        Result(retry.delivery_id, Outcome.RETRY, retry_after_seconds=90, error="429"),
    ]
    out = settle([sent, invalid, retry, missing], results, NOW, POLICY, lambda: 0.0)
    assert out.sent == (sent.delivery_id,)
    assert [f.delivery_id for f in out.failed] == [invalid.delivery_id]
    assert out.invalid_tokens == (invalid.token,)
    by_id = {r.delivery_id: r.next_attempt_at for r in out.retry}
    assert by_id[retry.delivery_id] == NOW + timedelta(seconds=90)
    assert by_id[missing.delivery_id] == NOW + timedelta(seconds=15)  # never counted as sent


def test_a_quota_error_without_retry_after_still_waits_60_seconds() -> None:
    c = claimed()
    out = settle([c], [Result(c.delivery_id, Outcome.RETRY, error="QUOTA_EXCEEDED")], NOW,
                 POLICY, lambda: 0.0)  # fmt: skip
    assert out.retry[0].next_attempt_at == NOW + timedelta(seconds=60)


def test_gives_up_after_the_last_attempt_and_when_the_push_would_expire() -> None:
    last, stale = claimed(attempts=2), claimed(expires=timedelta(seconds=10))
    results = [Result(c.delivery_id, Outcome.RETRY, error="503") for c in (last, stale)]
    out = settle([last, stale], results, NOW, POLICY, lambda: 0.0)
    assert not out.retry
    assert {f.delivery_id for f in out.failed} == {last.delivery_id, stale.delivery_id}
