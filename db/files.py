"""The attachment store on the local disk: ``<root>/<sha256[:2]>/<sha256>``, content-addressed.

A file is written to a temporary name in its final directory and renamed into place, so a reader
never sees half a file and two uploads of the same bytes end with one whole file.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from pathlib import Path

KEY = re.compile(r"^[0-9a-f]{64}$")


class LocalAttachmentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, key: str) -> Path:
        if not KEY.match(key):
            msg = f"not a storage key: {key!r}"
            raise ValueError(msg)
        return self.root / key[:2] / key

    async def put(self, content: bytes) -> str:
        key = hashlib.sha256(content).hexdigest()
        await asyncio.to_thread(self._write, self.path_of(key), content)
        return key

    async def read(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path_of(key).read_bytes)

    @staticmethod
    def _write(path: Path, content: bytes) -> None:
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            Path(temporary).chmod(0o640)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
