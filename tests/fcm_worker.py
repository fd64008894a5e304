"""`chibo worker` whose pushes go to a fake FCM server (tests/fake_fcm.py), for e2e tests.

``python -m tests.fcm_worker BASE_URL CA_FILE``: the command's own worker (chibo/cli.py), with the
app's FcmSender pointed at the fake instead of the sender the settings choose (the fake needs no
service-account file, and its certificate is trusted through SSL_CERT_FILE).
"""

from __future__ import annotations

import os
import sys

from chibo.bootstrap import Container
from chibo.cli import main as chibo
from notifications.senders.base import Sender
from notifications.senders.fcm import FcmSender


def main(base_url: str, ca_file: str) -> int:
    os.environ["SSL_CERT_FILE"] = ca_file  # httpx reads it when the SDK builds its client

    def fake_sender(self: Container) -> Sender:
        if self.sender is None:
            self.sender = FcmSender.for_fake(base_url)
        return self.sender

    Container.push_sender = fake_sender  # type: ignore[method-assign]
    return chibo(["worker"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
