"""Pushes through Firebase Cloud Messaging with the firebase-admin SDK (HTTP v1, send_each_async).

Create the sender inside the worker's own lifespan and close it there: the SDK's async client binds
to the first event loop that uses it, and `firebase_admin.delete_app` cannot run inside a running
loop until that client is closed (see STACK-NOTES.md).
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import time
import uuid
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import firebase_admin
from firebase_admin import credentials, exceptions, messaging
from google.auth.credentials import Credentials as GoogleCredentials

from notifications.senders.base import Outcome, Push, Result

NOTIFICATION_ID_KEY = "notification_id"  # the phone drops a push whose id it has already shown
BATCH_LIMIT = 500  # send_each_async refuses more
APNS_COLLAPSE_ID_BYTES = 64  # APNs rejects longer apns-collapse-id headers
GOOGLE_FCM_URL = "https://fcm.googleapis.com/v1/projects/{0}/messages:send"

# Unregistered, invalid or belonging to another sender: the token will never work again.
_TOKEN_GONE = (
    messaging.UnregisteredError,
    messaging.SenderIdMismatchError,
    exceptions.InvalidArgumentError,
)


def point_at(base_url: str | None) -> None:
    """Send to another FCM endpoint (a fake server in tests); None restores Google's.

    The SDK has no setting for this: the class attribute below is the only lever, and it is read
    once per app, when the app's messaging service is created (FcmSender does that on creation).
    """
    url = GOOGLE_FCM_URL
    if base_url is not None:
        url = f"{base_url.rstrip('/')}/v1/projects/{{0}}/messages:send"
    messaging._MessagingService.FCM_URL = url  # noqa: SLF001


class FcmCredentialsError(ValueError):
    """One line naming the variable that points at the bad service-account file."""


def credentials_from_file(
    path: str, variable: str = "CHIBO_FCM_CREDENTIALS"
) -> credentials.Certificate:
    """A service-account JSON key with a project id, or FcmCredentialsError.

    Only the file is checked: whether Google still accepts the key shows at the first send.
    """
    try:
        certificate = credentials.Certificate(path)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        msg = f"{variable}: cannot read service-account file {path!r} ({reason})"
        raise FcmCredentialsError(msg) from error
    except ValueError as error:
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        msg = f"{variable}: {path!r} is not a service-account key ({first_line})"
        raise FcmCredentialsError(msg) from error
    if not certificate.project_id:
        msg = f"{variable}: the service-account file {path!r} names no project_id"
        raise FcmCredentialsError(msg)
    return certificate


class FcmSender:
    """One firebase-admin app of its own; send() answers one Result per Push, in input order."""

    def __init__(
        self,
        credential: credentials.Base | GoogleCredentials,
        project_id: str | None = None,
        *,
        clock: Callable[[], float] = time.time,
        batch_size: int = BATCH_LIMIT,
    ) -> None:
        options = {"projectId": project_id} if project_id else {}
        self._app = firebase_admin.initialize_app(
            credential, options, name=f"chibo-fcm-{uuid.uuid4().hex[:12]}"
        )
        try:
            # Created now, not at the first send, so the FCM URL in force is pinned here.
            self._service = messaging._get_messaging_service(self._app)  # noqa: SLF001
        except ValueError as error:  # no project id in the options, credential or environment
            firebase_admin.delete_app(self._app)
            msg = "CHIBO_FCM_CREDENTIALS: no FCM project id (the service-account file names none)"
            raise FcmCredentialsError(msg) from error
        self._clock = clock
        self._batch_size = min(max(batch_size, 1), BATCH_LIMIT)

    @classmethod
    def from_service_account(cls, path: str, variable: str = "CHIBO_FCM_CREDENTIALS") -> FcmSender:
        """The production sender: FcmSender.from_service_account(settings.fcm_credentials)."""
        credential = credentials_from_file(path, variable)
        return cls(credential, credential.project_id)

    @classmethod
    def for_fake(
        cls,
        base_url: str,
        project_id: str = "chibo-test",
        *,
        clock: Callable[[], float] = time.time,
        batch_size: int = BATCH_LIMIT,
    ) -> FcmSender:
        """Against a fake FCM server, with a static token that never calls Google."""
        from google.oauth2.credentials import Credentials  # noqa: PLC0415

        point_at(base_url)
        static: GoogleCredentials = Credentials(token="test")  # type: ignore[no-untyped-call]  # noqa: S106
        return cls(static, project_id, clock=clock, batch_size=batch_size)

    @property
    def project_id(self) -> str:
        return str(self._app.project_id)

    async def send(self, pushes: list[Push]) -> list[Result]:
        results: list[Result] = []
        for start in range(0, len(pushes), self._batch_size):
            results.extend(await self._send_batch(pushes[start : start + self._batch_size]))
        return results

    async def close(self) -> None:
        await self._service._async_client.aclose()  # noqa: SLF001
        # delete_app closes the async client again with asyncio.run(): a no-op by now, but it
        # needs a thread without a running loop.
        await asyncio.to_thread(firebase_admin.delete_app, self._app)

    async def _send_batch(self, pushes: Sequence[Push]) -> list[Result]:
        results: dict[int, Result] = {}
        ready: list[tuple[int, messaging.Message]] = []
        for index, push in enumerate(pushes):
            try:
                ready.append((index, self._message(push)))
            except ValueError as error:  # the SDK validates while encoding: fail this push only
                outcome = Outcome.INVALID_TOKEN if not push.token.strip() else Outcome.RETRY
                results[index] = Result(push.delivery_id, outcome, error=f"unsendable: {error}")
        if ready:
            try:
                batch = await messaging.send_each_async(
                    [message for _, message in ready], app=self._app
                )
            except Exception as error:  # noqa: BLE001 - a batch-wide failure is never "sent"
                reason = _describe(error)
                for index, _ in ready:
                    results[index] = Result(pushes[index].delivery_id, Outcome.RETRY, error=reason)
            else:
                for (index, _), response in zip(ready, batch.responses, strict=True):
                    results[index] = _result(pushes[index], response)
        return [results[index] for index in range(len(pushes))]

    def _message(self, push: Push) -> messaging.Message:
        data = {**push.data, NOTIFICATION_ID_KEY: str(push.notification_id)}
        apns_headers = {
            "apns-priority": "10" if push.urgent else "5",
            "apns-expiration": "0" if push.ttl_seconds <= 0 else str(self._expires_at(push)),
        }
        if push.collapse_key:
            apns_headers["apns-collapse-id"] = _apns_collapse_id(push.collapse_key)
        with warnings.catch_warnings():
            # 7.7 deprecates `token` for `fid` (a Firebase installation ID). Devices register FCM
            # registration tokens, for which `token` stays the right field; the SDK itself
            # silences this warning the same way for MulticastMessage.tokens.
            warnings.simplefilter("ignore", DeprecationWarning)
            message = messaging.Message(
                token=push.token,
                data=data,
                notification=messaging.Notification(title=push.title, body=push.body),
                android=messaging.AndroidConfig(
                    collapse_key=push.collapse_key,
                    ttl=timedelta(seconds=max(push.ttl_seconds, 0)),
                    priority="high" if push.urgent else "normal",
                ),
                apns=messaging.APNSConfig(headers=apns_headers),
            )
        str(message)  # encodes with the SDK's validation, so a bad push fails alone
        return message

    def _expires_at(self, push: Push) -> int:
        return int(self._clock()) + push.ttl_seconds


def _apns_collapse_id(key: str) -> str:
    if len(key.encode()) <= APNS_COLLAPSE_ID_BYTES:
        return key
    return hashlib.sha256(key.encode()).hexdigest()  # 64 hex characters, stable per key


def _result(push: Push, response: messaging.SendResponse) -> Result:
    if response.success:
        return Result(push.delivery_id, Outcome.SENT)
    error = response.exception
    if error is None:  # 2xx without a message name: not proof of delivery
        return Result(push.delivery_id, Outcome.RETRY, error="no message id in the reply")
    if isinstance(error, _TOKEN_GONE):
        return Result(push.delivery_id, Outcome.INVALID_TOKEN, error=_describe(error))
    return Result(
        push.delivery_id,
        Outcome.RETRY,
        retry_after_seconds=_retry_after(error),
        error=_describe(error),
    )


def _describe(error: BaseException) -> str:
    code = getattr(error, "code", None)
    text = " ".join(str(error).split())[:300]
    return f"{type(error).__name__}({code}): {text}" if code else f"{type(error).__name__}: {text}"


def _retry_after(error: exceptions.FirebaseError) -> float | None:
    response: Any = error.http_response
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
