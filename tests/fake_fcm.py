"""A fake FCM HTTP v1 server on 127.0.0.1 for the real firebase-admin SDK.

HTTP/2 over TLS, like Google: the SDK's httpx client asks for HTTP/2, which httpx only speaks after
a TLS (ALPN) handshake; to an http:// URL it falls back to HTTP/1.1 with one connection per
request in flight, and httpcore's pool then spends seconds per 500-message batch. The server uses
`h2` (already installed with firebase-admin) and a throw-away self-signed certificate for
127.0.0.1; the SDK trusts it when its sender is created inside `fake.trusted()` (SSL_CERT_FILE,
read by httpx when the SDK builds its transport). Replies are scripted per registration token;
every request that arrives is recorded, including those answered by a reset or a dropped
connection.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import json
import os
import re
import ssl
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SEND_PATH = re.compile(r"^/v1/projects/(?P<project>[^/]+)/messages:send$")
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"


@contextmanager
def trusting(ca_file: str) -> Iterator[None]:
    """Create the SDK's sender inside this block: httpx reads SSL_CERT_FILE when it builds one,
    and the fake server's certificate is signed by ``ca_file``."""
    before = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = ca_file
    try:
        yield
    finally:
        if before is None:
            del os.environ["SSL_CERT_FILE"]
        else:
            os.environ["SSL_CERT_FILE"] = before


@dataclass(frozen=True, slots=True)
class Reply:
    status: int = 200
    body: dict[str, Any] | None = None  # None with 200: the usual {"name": ...}
    headers: tuple[tuple[str, str], ...] = ()
    reset: bool = False  # RST_STREAM this request only
    drop: bool = False  # close the connection: every request in flight on it fails


def _error(status: int, rpc_status: str, fcm_code: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "code": status,
            "message": message,
            "status": rpc_status,
            "details": [{"@type": FCM_ERROR, "errorCode": fcm_code}],
        }
    }


OK = Reply()
UNREGISTERED = Reply(404, _error(404, "NOT_FOUND", "UNREGISTERED", "Requested entity not found."))
INVALID_ARGUMENT = Reply(
    400,
    _error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Not a valid FCM registration token"),
)
UNAVAILABLE = Reply(503, _error(503, "UNAVAILABLE", "UNAVAILABLE", "The service is unavailable."))
UNAUTHENTICATED = Reply(
    401, _error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", "Invalid credentials.")
)
RESET = Reply(reset=True)
DROP = Reply(drop=True)


def quota_exceeded(retry_after: str | None = "120") -> Reply:
    headers = (("retry-after", retry_after),) if retry_after is not None else ()
    body = _error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded.")
    return Reply(429, body, headers)


@dataclass(frozen=True, slots=True)
class Received:
    project: str
    token: str | None
    message: dict[str, Any]  # the "message" object as the SDK encoded it
    authorization: str
    validate_only: bool
    reply: Reply
    at: float = field(default_factory=time.monotonic)  # when it arrived

    @property
    def data(self) -> dict[str, str]:
        return dict(self.message.get("data") or {})


@dataclass(frozen=True, slots=True)
class Span:
    """One request from its arrival until the server was done with it (answered or given up),
    on the server loop's clock; `push` is (token, the push's notification_id)."""

    project: str
    push: tuple[str, str]
    arrived: float
    done: float


@dataclass(slots=True)
class FakeFcm:
    """Script with `fake.reply_with(token, reply, ...)`: one reply per attempt for that token,
    the last one repeating; other tokens get 200. `hold_then_drop(n)` makes the server wait until
    n requests are in, then drop their connections without answering any of them. `delay`
    holds every reply that long after the request was recorded (so a client killed meanwhile
    leaves pushes that arrived but were never answered); with `timed` set, `spans` times every
    request."""

    ca_file: str
    base_url: str = ""
    script: dict[str, list[Reply]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    # requests per (token, data["notification_id"]), answered or not: what a phone would show
    # twice arrives twice here, so a benchmark can count lost and duplicated pushes
    arrivals: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)
    keep_received: bool = True  # False: count arrivals only (a benchmark's 10,000s of requests)
    connections: int = 0
    delay: float = 0.0
    timed: bool = False
    spans: list[Span] = field(default_factory=list)
    _attempts: dict[str, int] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _held: int = 0
    _hold_until: int = 0
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    def reply_with(self, token: str, *replies: Reply) -> None:
        self.script[token] = list(replies)

    def hold_then_drop(self, requests: int) -> None:
        self._hold_until = requests
        self._held = 0
        self._release = asyncio.Event()

    def sent_to(self, token: str) -> list[Received]:
        return [item for item in self.received if item.token == token]

    def trusted(self) -> AbstractContextManager[None]:
        return trusting(self.ca_file)

    def _reply_for(self, token: str | None) -> Reply:
        key = token or ""
        replies = self.script.get(key)
        if not replies:
            return OK
        attempt = self._attempts.get(key, 0)
        self._attempts[key] = attempt + 1
        return replies[min(attempt, len(replies) - 1)]

    async def _handle(self, headers: dict[str, str], body: bytes) -> tuple[Reply, str]:
        match = SEND_PATH.match(headers.get(":path", ""))
        if match is None or headers.get(":method") != "POST":
            return Reply(404, {"error": {"code": 404, "status": "NOT_FOUND"}}), ""
        payload = json.loads(body)
        message = payload.get("message", {})
        token = message.get("token")
        reply = self._reply_for(token)
        if self._hold_until:
            reply = DROP
            self._held += 1
            if self._held >= self._hold_until:
                self._release.set()
            await self._release.wait()
        self.arrivals[(token, (message.get("data") or {}).get("notification_id"))] += 1
        if not self.keep_received:
            return reply, match["project"]
        self.received.append(
            Received(
                project=match["project"],
                token=token,
                message=message,
                authorization=headers.get("authorization", ""),
                validate_only=bool(payload.get("validate_only")),
                reply=reply,
            )
        )
        return reply, match["project"]

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        connection = h2.connection.H2Connection(config=config)
        connection.initiate_connection()
        writer.write(connection.data_to_send())
        requests: dict[int, tuple[dict[str, str], bytearray]] = {}
        try:
            while data := await reader.read(65536):
                for event in connection.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        requests[event.stream_id] = (dict(event.headers or []), bytearray())  # type: ignore[arg-type]
                    elif isinstance(event, h2.events.DataReceived) and event.stream_id:
                        requests[event.stream_id][1].extend(event.data or b"")
                        connection.acknowledge_received_data(
                            event.flow_controlled_length or 0, event.stream_id
                        )
                    elif isinstance(event, h2.events.StreamEnded) and event.stream_id:
                        headers, body = requests.pop(event.stream_id)
                        task = asyncio.create_task(
                            self._timed(connection, writer, event.stream_id, headers, bytes(body))
                        )
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
                writer.write(connection.data_to_send())
        except (ConnectionError, ssl.SSLError, h2.exceptions.ProtocolError):
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()

    async def _timed(
        self,
        connection: h2.connection.H2Connection,
        writer: asyncio.StreamWriter,
        stream_id: int,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        if not self.timed:
            await self._respond(connection, writer, stream_id, headers, body)
            return
        loop = asyncio.get_running_loop()
        arrived = loop.time()
        try:
            await self._respond(connection, writer, stream_id, headers, body)
        finally:
            match = SEND_PATH.match(headers.get(":path", ""))
            with suppress(ValueError, KeyError, TypeError, AttributeError):  # not a push
                message = json.loads(body).get("message", {})
                push = (str(message.get("token")), str(message["data"]["notification_id"]))
                project = match["project"] if match else ""
                self.spans.append(Span(project, push, arrived, loop.time()))

    async def _respond(
        self,
        connection: h2.connection.H2Connection,
        writer: asyncio.StreamWriter,
        stream_id: int,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        reply, project = await self._handle(headers, body)
        if self.delay:
            await asyncio.sleep(self.delay)
        if writer.transport.is_closing():
            return
        if reply.drop:
            writer.transport.abort()
            return
        if reply.reset:
            connection.reset_stream(stream_id, h2.errors.ErrorCodes.INTERNAL_ERROR)
            writer.write(connection.data_to_send())
            return
        content = json.dumps(
            reply.body
            if reply.body is not None
            else {"name": f"projects/{project}/messages/{next(self._ids)}"}
        ).encode()
        response_headers = [
            (":status", str(reply.status)),
            ("content-type", "application/json; charset=UTF-8"),
            ("content-length", str(len(content))),
            *reply.headers,
        ]
        try:
            connection.send_headers(stream_id, response_headers)
            connection.send_data(stream_id, content, end_stream=True)
        except h2.exceptions.ProtocolError:  # the client gave up on this stream
            return
        writer.write(connection.data_to_send())

    def abort_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()


def _self_signed(directory: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 that is its own authority, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-fcm.test")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


@asynccontextmanager
async def running_fake_fcm() -> AsyncIterator[FakeFcm]:
    """The fake on a free port of 127.0.0.1, served on the caller's event loop."""
    with tempfile.TemporaryDirectory(prefix="fake-fcm-") as directory:
        cert_file, key_file = _self_signed(Path(directory))
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert_file, key_file)
        tls.set_alpn_protocols(["h2"])
        fake = FakeFcm(ca_file=cert_file)
        server = await asyncio.start_server(fake._connection, "127.0.0.1", 0, ssl=tls, backlog=1024)
        port = server.sockets[0].getsockname()[1]
        fake.base_url = f"https://127.0.0.1:{port}"
        try:
            yield fake
        finally:
            server.close()
            fake.abort_all()
            for task in list(fake._tasks):
                task.cancel()
            with suppress(Exception):
                await server.wait_closed()
