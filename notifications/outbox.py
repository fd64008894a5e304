"""Turning a claimed batch into pushes, and the sender's results into what the outbox records.

Pure functions: the dispatcher does the I/O. A delivery is recorded SENT only on the sender's
word; a missing result, a batch-wide failure or an exception means RETRY, never SENT."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from domain.notifications.model import RetryPolicy, retry_delay
from domain.notifications.ports import Claimed, Failure, Retry, Settlement
from notifications.senders.base import Outcome, Push, Result

THROTTLE_MARKERS = ("429", "quota", "resource_exhausted")


def push_of(claimed: Claimed, now: datetime) -> Push:
    remaining = int((claimed.expires_at - now).total_seconds())
    return Push(
        delivery_id=claimed.delivery_id,
        notification_id=claimed.notification_id,
        token=claimed.token,
        title=claimed.title,
        body=claimed.body,
        # deliveryId: the same on every send of one delivery (one notification to one phone), so
        # the app drops a push sent again by a dispatcher that died before recording the first
        data={
            **claimed.data,
            "notificationId": str(claimed.notification_id),
            "deliveryId": str(claimed.delivery_id),
        },
        collapse_key=claimed.subject,
        ttl_seconds=max(1, remaining),
        urgent=claimed.urgent,
    )


def is_throttled(result: Result) -> bool:
    error = (result.error or "").lower()
    return result.retry_after_seconds is not None or any(m in error for m in THROTTLE_MARKERS)


def settle(
    claimed: Sequence[Claimed],
    results: Sequence[Result],
    now: datetime,
    policy: RetryPolicy,
    rand: Callable[[], float],
) -> Settlement:
    """What to record for each claimed delivery; those without a result are retried."""
    by_id = {r.delivery_id: r for r in results}
    sent, retry, failed, invalid = [], [], [], []
    for delivery in claimed:
        result = by_id.get(delivery.delivery_id) or Result(
            delivery.delivery_id, Outcome.RETRY, error="no result from the sender"
        )
        attempts = delivery.attempts + 1
        if result.outcome is Outcome.SENT:
            sent.append(delivery.delivery_id)
        elif result.outcome is Outcome.INVALID_TOKEN:
            failed.append(Failure(delivery.delivery_id, result.error or "invalid token"))
            invalid.append(delivery.token)
        elif attempts >= policy.max_attempts:
            failed.append(Failure(delivery.delivery_id, f"gave up: {result.error or 'retry'}"))
        else:
            at = now + retry_delay(
                policy,
                attempts,
                retry_after=result.retry_after_seconds,
                throttled=is_throttled(result),
                rand=rand,
            )
            if at >= delivery.expires_at:
                failed.append(Failure(delivery.delivery_id, "expired"))
            else:
                retry.append(Retry(delivery.delivery_id, at, result.error))
    return Settlement(tuple(sent), tuple(retry), tuple(failed), tuple(invalid))
