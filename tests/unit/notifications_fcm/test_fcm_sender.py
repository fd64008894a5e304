"""FcmSender through the real firebase-admin SDK against the fake FCM server: nothing mocked."""

from __future__ import annotations

import uuid
import warnings
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import firebase_admin
import pytest

from notifications.senders.base import Outcome, Push
from notifications.senders.fcm import GOOGLE_FCM_URL, NOTIFICATION_ID_KEY, FcmSender, point_at
from tests.fake_fcm import (
    DROP,
    INVALID_ARGUMENT,
    OK,
    RESET,
    UNAUTHENTICATED,
    UNAVAILABLE,
    UNREGISTERED,
    FakeFcm,
    quota_exceeded,
)
from tests.unit.notifications_fcm.conftest import NOW


def make_push(token: str, **overrides: object) -> Push:
    values: dict[str, object] = {
        "delivery_id": uuid.uuid4(),
        "notification_id": uuid.uuid4(),
        "token": token,
        "title": "Họp chi bộ",
        "body": "19:30 thứ Năm, 04/12/2026",
        "data": {"kind": "meeting_notice", "meetingId": "m-1"},
    }
    values.update(overrides)
    return Push(**values)  # type: ignore[arg-type]


async def test_each_reply_maps_to_its_outcome_in_input_order(
    sender: FcmSender, fake_fcm: FakeFcm
) -> None:
    fake_fcm.reply_with("gone", UNREGISTERED)
    fake_fcm.reply_with("bad", INVALID_ARGUMENT)
    fake_fcm.reply_with("busy", quota_exceeded("17"))
    fake_fcm.reply_with("hiccup", UNAVAILABLE, OK)  # the SDK retries a 503 itself
    fake_fcm.reply_with("cut", RESET)
    pushes = [make_push(t) for t in ["ok-1", "gone", "bad", "busy", "hiccup", "cut", "ok-2"]]

    results = await sender.send(pushes)

    assert [r.delivery_id for r in results] == [p.delivery_id for p in pushes]
    assert [r.outcome for r in results] == [
        Outcome.SENT,
        Outcome.INVALID_TOKEN,
        Outcome.INVALID_TOKEN,
        Outcome.RETRY,
        Outcome.SENT,
        Outcome.RETRY,
        Outcome.SENT,
    ]
    by_token = {p.token: r for p, r in zip(pushes, results, strict=True)}
    assert by_token["busy"].retry_after_seconds == 17
    assert "QuotaExceededError" in (by_token["busy"].error or "")
    assert "UnregisteredError" in (by_token["gone"].error or "")
    assert by_token["cut"].retry_after_seconds is None
    assert all(r.error is None for r in results if r.outcome is Outcome.SENT)
    assert len(fake_fcm.sent_to("hiccup")) == 2
    assert {item.token for item in fake_fcm.received} == {p.token for p in pushes}


async def test_retry_after_may_be_a_date_or_missing(sender: FcmSender, fake_fcm: FakeFcm) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    fake_fcm.reply_with("dated", quota_exceeded(later))
    fake_fcm.reply_with("bare", quota_exceeded(None))

    dated, bare = await sender.send([make_push("dated"), make_push("bare")])

    assert dated.outcome is bare.outcome is Outcome.RETRY
    assert dated.retry_after_seconds is not None
    assert 80 <= dated.retry_after_seconds <= 90
    assert bare.retry_after_seconds is None


async def test_message_carries_notification_id_collapse_key_ttl_and_priority(
    sender: FcmSender, fake_fcm: FakeFcm
) -> None:
    urgent = make_push("t-urgent", collapse_key="meeting:m-1", ttl_seconds=3600, urgent=True)
    calm = make_push("t-calm", ttl_seconds=0)

    await sender.send([urgent, calm])

    (got,) = fake_fcm.sent_to("t-urgent")
    assert got.project == "chibo-test"
    assert got.authorization == "Bearer test"
    assert not got.validate_only
    assert got.data == {
        "kind": "meeting_notice",
        "meetingId": "m-1",
        NOTIFICATION_ID_KEY: str(urgent.notification_id),
    }
    assert got.message["notification"] == {"title": urgent.title, "body": urgent.body}
    assert got.message["android"] == {
        "collapse_key": "meeting:m-1",
        "ttl": "3600s",
        "priority": "high",
    }
    assert got.message["apns"]["headers"] == {
        "apns-collapse-id": "meeting:m-1",
        "apns-expiration": str(int(NOW) + 3600),
        "apns-priority": "10",
    }
    (other,) = fake_fcm.sent_to("t-calm")
    assert other.data[NOTIFICATION_ID_KEY] == str(calm.notification_id)
    assert other.message["android"] == {"ttl": "0s", "priority": "normal"}
    assert other.message["apns"]["headers"] == {"apns-expiration": "0", "apns-priority": "5"}


async def test_a_long_collapse_key_is_hashed_to_fit_apns(
    sender: FcmSender, fake_fcm: FakeFcm
) -> None:
    key = "task-reminder:" + "x" * 80
    await sender.send([make_push("t", collapse_key=key)])

    (got,) = fake_fcm.received
    assert got.message["android"]["collapse_key"] == key
    assert len(got.message["apns"]["headers"]["apns-collapse-id"]) == 64


async def test_connection_dropped_mid_batch_retries_every_push(
    sender: FcmSender, fake_fcm: FakeFcm
) -> None:
    pushes = [make_push(f"t-{n}") for n in range(5)]
    fake_fcm.hold_then_drop(len(pushes))

    results = await sender.send(pushes)

    assert [r.outcome for r in results] == [Outcome.RETRY] * 5
    assert all(r.error for r in results)
    assert len(fake_fcm.received) == 5


async def test_a_connection_dropped_by_one_request_never_counts_the_rest_as_sent(
    sender: FcmSender, fake_fcm: FakeFcm
) -> None:
    # HTTP/2: every request in flight on the dropped connection fails with it.
    fake_fcm.reply_with("t-2", DROP)
    pushes = [make_push(f"t-{n}") for n in range(6)]

    results = await sender.send(pushes)

    outcomes = {p.token: r.outcome for p, r in zip(pushes, results, strict=True)}
    assert outcomes["t-2"] is Outcome.RETRY
    assert set(outcomes.values()) <= {Outcome.SENT, Outcome.RETRY}
    answered = {item.token for item in fake_fcm.received if not item.reply.drop}
    assert {token for token, outcome in outcomes.items() if outcome is Outcome.SENT} <= answered


async def test_a_failure_of_the_whole_call_retries_every_push(
    sender: FcmSender, fake_fcm: FakeFcm
) -> None:
    # A 401 makes the SDK try to refresh a static token: RefreshError escapes its per-message
    # handling and send_each_async itself raises UnknownError.
    fake_fcm.reply_with("t-1", UNAUTHENTICATED)
    pushes = [make_push("t-0"), make_push("t-1"), make_push("t-2")]

    results = await sender.send(pushes)

    assert [r.outcome for r in results] == [Outcome.RETRY] * 3
    assert all("UnknownError" in (r.error or "") for r in results)


async def test_a_server_that_stays_unavailable_is_retried_later(
    sender: FcmSender, fake_fcm: FakeFcm
) -> None:
    fake_fcm.reply_with("down", UNAVAILABLE)  # the SDK tries 5 times with backoff (~7 s)

    (result,) = await sender.send([make_push("down")])

    assert result.outcome is Outcome.RETRY
    assert "UnavailableError" in (result.error or "")
    assert len(fake_fcm.sent_to("down")) == 5


async def test_an_unsendable_push_fails_alone(sender: FcmSender, fake_fcm: FakeFcm) -> None:
    results = await sender.send([make_push(""), make_push("t-ok")])

    assert [r.outcome for r in results] == [Outcome.INVALID_TOKEN, Outcome.SENT]
    assert [item.token for item in fake_fcm.received] == ["t-ok"]


async def test_a_long_list_goes_in_batches_in_order(fake_fcm: FakeFcm) -> None:
    # Batches of 500 in production (the SDK's limit); 3 here to keep the test fast.
    with fake_fcm.trusted():
        fcm = FcmSender.for_fake(fake_fcm.base_url, batch_size=3)
    fake_fcm.reply_with("t-4", UNREGISTERED)
    pushes = [make_push(f"t-{n}") for n in range(8)]
    try:
        results = await fcm.send(pushes)
    finally:
        await fcm.close()

    assert [r.delivery_id for r in results] == [p.delivery_id for p in pushes]
    assert [n for n, r in enumerate(results) if r.outcome is not Outcome.SENT] == [4]
    assert sorted(item.token or "" for item in fake_fcm.received) == sorted(p.token for p in pushes)


async def test_close_inside_the_running_loop_deletes_the_app(fake_fcm: FakeFcm) -> None:
    with fake_fcm.trusted():
        fcm = FcmSender.for_fake(fake_fcm.base_url)
    name = fcm._app.name
    await fcm.send([make_push("t")])

    await fcm.close()

    with pytest.raises(ValueError, match="does not exist"):
        firebase_admin.get_app(name)


async def test_the_deprecated_token_field_warns_nobody(sender: FcmSender) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await sender.send([make_push("t")])
    assert [str(w.message) for w in caught] == []


def test_point_at_sets_the_one_url_the_sdk_reads() -> None:
    from firebase_admin import messaging  # noqa: PLC0415

    point_at("https://127.0.0.1:8443/")
    assert messaging._MessagingService.FCM_URL == (
        "https://127.0.0.1:8443/v1/projects/{0}/messages:send"
    )
    point_at(None)
    assert messaging._MessagingService.FCM_URL == GOOGLE_FCM_URL
