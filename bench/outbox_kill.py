"""Kill real dispatcher processes with SIGKILL at random moments and count what reached FCM.

    .venv/bin/python -m bench.outbox_kill --trials 200 --engine sqlite|postgres

Each trial is issue 6's scenario: fresh deliveries are seeded (--deliveries, 20), a real
dispatcher (tests/outbox_process.py: the app's Dispatcher, PiccoloOutbox and FcmSender with
firebase-admin, sending to the fake FCM server of tests/fake_fcm.py) is killed once n pushes
reached the server or right after its k-th claim, send or settle, and a restarted dispatcher
drains the outbox before the next trial. The trials are those of tests/db/test_outbox_crash.py
(tests/outbox_trials.py), only many more. What is promised after one crash: lost 0 and sent >2
0; exits 1 otherwise, or if no delivery was sent twice (then no kill landed between a push and
its record, and the run proved little). A delivery caught by two successive crashes may go a
third time, which these trials do not provoke: a send's outcome is unknown after a crash, so no
design can promise both "never lost" and "at most twice" across repeated crashes. PostgreSQL: a
fresh database beside --postgres-url, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
from pathlib import Path

from notifications.senders.fcm import point_at
from tests.fake_fcm import running_fake_fcm
from tests.outbox_trials import kill_trials
from tests.scratch_databases import fresh_database


async def bench(arguments: argparse.Namespace) -> int:
    rng = random.Random(arguments.seed)
    with tempfile.TemporaryDirectory(prefix="outbox-kill-") as directory:
        async with (
            fresh_database(arguments.engine, Path(directory), arguments.postgres_url) as database,
            running_fake_fcm() as fake,
        ):
            fake.delay = arguments.delay
            report = await kill_trials(
                database,
                fake,
                trials=arguments.trials,
                deliveries=arguments.deliveries,
                rng=rng,
                batch=arguments.batch,
                lease=arguments.lease,
                # a restarted dispatcher waits out the killed one's lease before it can drain
                seconds_per_step=60 + arguments.lease,
            )
    point_at(None)
    print(f"batch {arguments.batch}, lease {arguments.lease} s, reply delay {arguments.delay} s,"
          f" seed {arguments.seed}")  # fmt: skip
    print("\n".join(report.lines()))
    return 0 if report.sound and report.telling else 1


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.outbox_kill", description=__doc__)
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "CHIBO_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--deliveries", type=int, default=20, help="seeded in each trial")
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--lease", type=float, default=1.0, help="seconds")
    parser.add_argument("--delay", type=float, default=0.005, help="the fake server's reply delay")
    parser.add_argument("--seed", type=int, default=None)
    arguments = parser.parse_args()
    if arguments.seed is None:
        arguments.seed = random.randrange(1_000_000)
    sys.exit(asyncio.run(bench(arguments)))


if __name__ == "__main__":
    main()
