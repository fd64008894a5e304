"""Housekeeping: delete rows that have outlived their use, one set-based statement per kind.

Every statement is safe to run twice and in any order; each runs in a transaction of its own (on
SQLite that is the writer connection), so a failure leaves the other kinds' work done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from piccolo.query import Delete

from db.engine import Database
from db.repositories.sync import SyncLog
from db.tables import (
    DeliveryTable,
    DeviceSessionTable,
    IdempotencyKeyTable,
    LoginAttemptTable,
    PushDeviceTable,
    ReminderTable,
)
from domain.notifications.model import DeliveryStatus
from domain.reminders.model import ReminderStatus

SETTLED = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED)


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """Rows older than these moments go (each computed from its setting by the caller)."""

    idempotency_keys: datetime  # claimed before: past their lifetime
    login_attempts: datetime  # last attempt before: the throttle has forgotten the key
    sessions: datetime  # expired or revoked before
    deliveries: datetime  # settled deliveries created before
    reminders: datetime  # handled reminders inserted before (far older than any catch-up)
    # offline sync's change log: compacted up to the mark recorded before this (SyncLog.compact),
    # the new mark stamped ``now``; None: not compacted
    sync_changes: datetime | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class Swept:
    idempotency_keys: int = 0
    throttles: int = 0
    sessions: int = 0
    deliveries: int = 0
    reminders: int = 0
    sync_changes: int = 0

    @property
    def total(self) -> int:
        return (
            self.idempotency_keys
            + self.throttles
            + self.sessions
            + self.deliveries
            + self.reminders
            + self.sync_changes
        )


class PiccoloHousekeeping:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.sync_log = SyncLog(db)

    async def sweep(self, cutoffs: Cutoffs) -> Swept:
        return Swept(
            idempotency_keys=await self.delete_idempotency_keys(cutoffs.idempotency_keys),
            throttles=await self.delete_forgotten_attempts(cutoffs.login_attempts),
            sessions=await self.delete_ended_sessions(cutoffs.sessions),
            deliveries=await self.delete_settled_deliveries(cutoffs.deliveries),
            reminders=await self.delete_handled_reminders(cutoffs.reminders),
            sync_changes=(
                0
                if cutoffs.sync_changes is None or cutoffs.now is None
                else await self.sync_log.compact(cutoffs.sync_changes, cutoffs.now)
            ),
        )

    async def delete_idempotency_keys(self, claimed_before: datetime) -> int:
        """Keys past their lifetime; a claim still in flight is minutes old, far younger."""
        return await self._run(
            IdempotencyKeyTable.delete().where(
                IdempotencyKeyTable.created_at < _utc(claimed_before)
            )
        )

    async def delete_forgotten_attempts(self, last_attempt_before: datetime) -> int:
        """Login-attempt counters quiet for so long that the throttle starts them from zero."""
        return await self._run(
            LoginAttemptTable.delete().where(
                LoginAttemptTable.last_attempt_at <= _utc(last_attempt_before)
            )
        )

    async def delete_ended_sessions(self, ended_before: datetime) -> int:
        """Refresh sessions expired or revoked before ``ended_before``. Nothing references a
        session by foreign key; a push device still naming one keeps it, because a device whose
        session row is gone would look live again and get the pushes that logout stopped. Such a
        session goes once the device is registered again by another session or dropped."""
        before = _utc(ended_before)
        in_use = PushDeviceTable.select(PushDeviceTable.session).where(
            PushDeviceTable.session.is_not_null()
        )
        return await self._run(
            DeviceSessionTable.delete().where(
                (
                    (DeviceSessionTable.expires_at < before)
                    | (DeviceSessionTable.revoked_at < before)
                )
                & DeviceSessionTable.id.not_in(in_use)
            )
        )

    async def delete_settled_deliveries(self, created_before: datetime) -> int:
        """Sent, failed or cancelled pushes; pending ones are the dispatcher's business."""
        return await self._run(
            DeliveryTable.delete().where(
                DeliveryTable.status.is_in([s.value for s in SETTLED])
                & (DeliveryTable.created_at < _utc(created_before))
            )
        )

    async def delete_handled_reminders(self, created_before: datetime) -> int:
        """Sent, skipped or dropped reminders. A sweep only looks back its catch-up window, so a
        key older than that is never inserted again: deleting it cannot cause a second send."""
        return await self._run(
            ReminderTable.delete().where(
                (ReminderTable.status != ReminderStatus.PENDING.value)
                & (ReminderTable.created_at < _utc(created_before))
            )
        )

    async def _run(self, query: Delete) -> int:
        table = query.table
        async with self.db.atomic():
            rows: list[dict[str, Any]] = await query.returning(table._meta.primary_key)  # noqa: SLF001
        return len(rows)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
