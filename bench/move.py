"""`chibo move` on a ward-sized database: the time to copy and verify it into PostgreSQL.

``python -m bench.move``: the data set of bench/seed.py (1,446 people, 512 meetings with their
attendance sheets, ~22,000 rows) in a migrated SQLite file, moved into a fresh database
``chibo_bench_move`` beside ``CHIBO_BENCH_POSTGRES_URL`` (loopback only, dropped afterwards).
Prints the move's own summary, the wall time of three runs (a fresh target each) and the CPU
time the command itself spent.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.machine import POSTGRES_URL, postgres_database
from bench.seed import load
from db.engine import Database
from db.migrate import migrate
from db.move import move

RUNS = 3


async def migrated(url: str) -> None:
    database = Database(url)
    await database.open()
    try:
        await migrate(database)
    finally:
        await database.close()


def main() -> int:
    base = os.environ.get("CHIBO_BENCH_POSTGRES_URL", POSTGRES_URL)
    with tempfile.TemporaryDirectory(prefix="chibo-move-") as directory:
        source = Path(directory) / "ward.sqlite3"
        asyncio.run(migrated(f"sqlite:///{source}"))
        asyncio.run(load(f"sqlite:///{source}"))
        seconds, cpu = [], []
        for run in range(RUNS):
            with postgres_database(base, "chibo_bench_move") as url:
                if url is None:
                    print("bench.move: no PostgreSQL reachable on loopback; skipped")
                    return 1
                asyncio.run(migrated(url))
                started, started_cpu = time.perf_counter(), time.process_time()
                asyncio.run(move(source, url, say=print if run == 0 else lambda _: None))
                seconds.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
    runs = " ".join(f"{s:.2f}" for s in seconds)
    print(f"move: {runs} s, median {statistics.median(seconds):.2f} s")
    # the CPU of this process (reading, converting, checksums), not the server's: a busy
    # machine stretches the wall time far more than this
    print(f"move CPU: median {statistics.median(cpu):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
