"""The sync cursor as the phone holds it: opaque base64url, signed with the server's key
(HMAC-SHA256), bound to the person it was handed to. Anything else reads as invalid."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime
from uuid import UUID

from api.http.errors import MalformedBodyError
from domain.sync.model import Position, SyncCursor

SIGNATURE_BYTES = 16
INVALID = "sync_cursor_invalid"  # 400: forged, altered, or handed to another person


class CursorCodec:
    def __init__(self, secret_key: str) -> None:
        self._key = hmac.new(secret_key.encode(), b"chibo-sync-cursor", hashlib.sha256).digest()

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]

    def write(self, cursor: SyncCursor) -> str:
        payload = json.dumps(
            [
                str(cursor.person_id),
                str(cursor.view),
                cursor.scope,
                cursor.position.tx,
                cursor.position.pos,
                cursor.at.isoformat(),
            ],
            separators=(",", ":"),
        ).encode()
        token = self._sign(payload) + payload
        return base64.urlsafe_b64encode(token).rstrip(b"=").decode()

    def read(self, token: str, person_id: UUID) -> SyncCursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            signature, payload = raw[:SIGNATURE_BYTES], raw[SIGNATURE_BYTES:]
            if not hmac.compare_digest(signature, self._sign(payload)):
                raise MalformedBodyError(INVALID)
            person, view, scope, tx, pos, at = json.loads(payload)
            cursor = SyncCursor(
                UUID(person), UUID(view), scope, Position(tx, pos), datetime.fromisoformat(at)
            )
        except (binascii.Error, ValueError, TypeError) as error:
            raise MalformedBodyError(INVALID) from error
        if cursor.person_id != person_id:
            raise MalformedBodyError(INVALID)
        return cursor
