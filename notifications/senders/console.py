"""The default sender (``make run``): one log line per push, always SENT. The inbox is where the
message is read."""

from __future__ import annotations

import logging

from notifications.senders.base import Outcome, Push, Result

log = logging.getLogger("chibo.push")


class ConsoleSender:
    async def send(self, pushes: list[Push]) -> list[Result]:
        for push in pushes:
            log.info(
                "push %s to …%s: %s — %s",
                push.notification_id,
                push.token[-8:],
                push.title,
                push.body,
            )
        return [Result(push.delivery_id, Outcome.SENT) for push in pushes]

    async def close(self) -> None:
        return None
