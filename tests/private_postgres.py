"""A PostgreSQL cluster of the test's own, in a temporary directory on a free port, that the test
may stop, start, freeze and thaw without touching the shared server. Made with the server
binaries CI has (/usr/lib/postgresql/*/bin); run as the ``postgres`` user when the tests run as
root, since initdb refuses root."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.scratch_databases import POSTGRES_URL

SERVER_USER = "postgres"


def _binaries() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Cluster:
    def __init__(self, binaries: Path, root: Path) -> None:
        self.binaries, self.data, self.port = binaries, root / "data", _free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as_server = os.geteuid() == 0
        self._frozen: list[int] = []
        if self._as_server:
            shutil.chown(root, SERVER_USER)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.binaries / program), *args]
        if self._as_server:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)  # noqa: S603

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-l", "/dev/null", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def _processes(self) -> list[int]:
        """The postmaster first (so that it forks nothing new), then every backend of it."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        return [postmaster, *map(int, children)]

    def freeze(self) -> None:
        self._frozen = self._processes()
        for pid in self._frozen:
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self._frozen:
            os.kill(pid, signal.SIGCONT)
        self._frozen = []


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    """A started cluster in a temporary directory (under /tmp, which the server's user can
    reach), stopped (thawed first, if frozen) and deleted at the end. Without the server
    binaries: skipped, unless CHIBO_TEST_POSTGRES_URL says PostgreSQL must be here."""
    binaries = _binaries()
    if binaries is None:
        reason = "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin"
        if POSTGRES_URL:
            pytest.fail(f"{reason}, yet CHIBO_TEST_POSTGRES_URL is set")
        pytest.skip(reason)
    with tempfile.TemporaryDirectory(prefix="chibo-pg-") as root:
        cluster = Cluster(binaries, Path(root))
        cluster.start()
        try:
            yield cluster
        finally:
            cluster.thaw()
            if (cluster.data / "postmaster.pid").exists():
                cluster.stop()
