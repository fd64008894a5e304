"""NotificationStore and Outbox on Piccolo: devices, the inbox, preferences, and the deliveries
a dispatcher claims under a lease (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time
from typing import Any, TypeVar
from uuid import UUID, uuid4

from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

from db.engine import Database
from db.json_columns import dumps, loads
from db.pagination import decode_cursor, encode_cursor
from db.tables import (
    DeliveryTable,
    DeviceSessionTable,
    NotificationPreferenceTable,
    NotificationTable,
    PersonTable,
    PushDeviceTable,
)
from domain.notifications.model import (
    Category,
    DeliveryStatus,
    Device,
    Notification,
    Platform,
    Preferences,
    QuietHours,
)
from domain.notifications.ports import Claimed, Recipient, Scheduled, Settlement
from domain.org.model import Locale
from domain.pagination import Page, PageRequest

T = TypeVar("T")
CHUNK = 500  # rows per INSERT: well below SQLite's limit of bound parameters


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _preferences(person_id: UUID, row: dict[str, Any] | None) -> Preferences:
    if row is None:
        return Preferences(person_id)
    quiet = (
        QuietHours(time.fromisoformat(row["quiet_start"]), time.fromisoformat(row["quiet_end"]))
        if row["quiet_start"] and row["quiet_end"]
        else None
    )
    return Preferences(
        person_id=person_id,
        disabled=frozenset(Category(c) for c in loads(row["disabled"]) or ()),
        quiet_hours=quiet,
        daily_digest=row["daily_digest"],
    )


def _notification(row: dict[str, Any]) -> Notification:
    return Notification(
        id=row["id"],
        person_id=row["person"],
        category=Category(row["category"]),
        title=row["title"],
        body=row["body"],
        data={str(k): str(v) for k, v in (loads(row["data"]) or {}).items()},
        subject=row["subject"],
        urgent=row["urgent"],
        created_at=row["created_at"],
        read_at=row["read_at"],
    )


def _device(row: dict[str, Any]) -> Device:
    return Device(
        id=row["id"],
        person_id=row["person"],
        token=row["token"],
        platform=Platform(row["platform"]),
        app_version=row["app_version"],
        locale=row["locale"],
        session_id=row["session"],
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
    )


class PiccoloNotificationStore:
    async def recipients(self, person_ids: Sequence[UUID]) -> list[Recipient]:
        if not person_ids:
            return []
        people = await PersonTable.select(PersonTable.id, PersonTable.locale).where(
            PersonTable.id.is_in(list(person_ids)) & (PersonTable.active == True)  # noqa: E712
        )
        rows = await NotificationPreferenceTable.select().where(
            NotificationPreferenceTable.person.is_in([p["id"] for p in people] or [uuid4()])
        )
        preferences = {r["person"]: r for r in rows}
        order = {person_id: n for n, person_id in enumerate(person_ids)}
        return [
            Recipient(
                person_id=p["id"],
                locale=Locale.EN if p["locale"] == Locale.EN.value else Locale.VI,
                preferences=_preferences(p["id"], preferences.get(p["id"])),
            )
            for p in sorted(people, key=lambda p: order.get(p["id"], 0))
        ]

    async def enqueue(self, scheduled: Sequence[Scheduled]) -> int:
        if not scheduled:
            return 0
        rows = [
            NotificationTable(
                id=s.notification.id,
                person=s.notification.person_id,
                category=s.notification.category.value,
                title=s.notification.title,
                body=s.notification.body,
                data=dumps(s.notification.data),
                subject=s.notification.subject,
                urgent=s.notification.urgent,
                created_at=_utc(s.notification.created_at),
            )
            for s in scheduled
        ]
        for chunk in _chunks(rows):
            await NotificationTable.insert(*chunk)
        pushed = [s for s in scheduled if s.not_before is not None]
        devices = await self._live_devices({s.notification.person_id for s in pushed})
        deliveries = [
            DeliveryTable(
                id=uuid4(),
                notification=s.notification.id,
                device=device["id"],
                token=device["token"],
                status=DeliveryStatus.PENDING.value,
                attempts=0,
                next_attempt_at=_utc(s.not_before),
                expires_at=_utc(s.expires_at),
                created_at=_utc(s.notification.created_at),
            )
            for s in pushed
            if s.not_before is not None
            for device in devices.get(s.notification.person_id, ())
        ]
        for batch in _chunks(deliveries):
            await DeliveryTable.insert(*batch)
        return len(deliveries)

    async def _live_devices(self, person_ids: set[UUID]) -> dict[UUID, list[dict[str, Any]]]:
        """Devices of these people, except those registered by a session since logged out."""
        found: dict[UUID, list[dict[str, Any]]] = {}
        if not person_ids:
            return found
        rows: list[dict[str, Any]] = []
        for chunk in _chunks(sorted(person_ids)):
            rows += await PushDeviceTable.select(
                PushDeviceTable.id,
                PushDeviceTable.person,
                PushDeviceTable.token,
                PushDeviceTable.session,
            ).where(PushDeviceTable.person.is_in(list(chunk)))
        sessions = sorted({r["session"] for r in rows if r["session"] is not None})
        ended: set[UUID] = set()
        for chunk in _chunks(sessions):
            ended |= {
                r["id"]
                for r in await DeviceSessionTable.select(DeviceSessionTable.id).where(
                    DeviceSessionTable.id.is_in(list(chunk))
                    & DeviceSessionTable.revoked_at.is_not_null()
                )
            }
        for row in rows:
            if row["session"] not in ended:
                found.setdefault(row["person"], []).append(row)
        return found

    async def inbox(
        self, person_id: UUID, page: PageRequest, *, unread_only: bool
    ) -> Page[Notification]:
        query = NotificationTable.select().where(NotificationTable.person == person_id)
        if unread_only:
            query = query.where(NotificationTable.read_at.is_null())
        if page.cursor is not None:
            at, row_id = decode_cursor(page.cursor)
            query = query.where(
                (NotificationTable.created_at < at)
                | ((NotificationTable.created_at == at) & (NotificationTable.id < row_id))
            )
        rows = await query.order_by(
            NotificationTable.created_at, NotificationTable.id, ascending=False
        ).limit(page.limit + 1)
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more else None
        return Page(items=tuple(_notification(r) for r in rows), next_cursor=cursor)

    async def notification(self, person_id: UUID, notification_id: UUID) -> Notification | None:
        row = (
            await NotificationTable.select()
            .where(
                (NotificationTable.id == notification_id) & (NotificationTable.person == person_id)
            )
            .first()
        )
        return None if row is None else _notification(row)

    async def unread_count(self, person_id: UUID) -> int:
        count: int = await NotificationTable.count().where(
            (NotificationTable.person == person_id) & NotificationTable.read_at.is_null()
        )
        return count

    async def mark_read(self, person_id: UUID, notification_id: UUID, at: datetime) -> bool:
        row = (
            await NotificationTable.select(NotificationTable.read_at)
            .where(
                (NotificationTable.id == notification_id) & (NotificationTable.person == person_id)
            )
            .first()
        )
        if row is None:
            return False
        if row["read_at"] is None:
            await NotificationTable.update({NotificationTable.read_at: _utc(at)}).where(
                NotificationTable.id == notification_id
            )
        return True

    async def mark_all_read(self, person_id: UUID, at: datetime) -> int:
        updated = (
            await NotificationTable.update({NotificationTable.read_at: _utc(at)})
            .where((NotificationTable.person == person_id) & NotificationTable.read_at.is_null())
            .returning(NotificationTable.id)
        )
        return len(updated)

    async def preferences(self, person_id: UUID) -> Preferences:
        row = (
            await NotificationPreferenceTable.select()
            .where(NotificationPreferenceTable.person == person_id)
            .first()
        )
        return _preferences(person_id, row)

    async def save_preferences(self, preferences: Preferences, at: datetime) -> None:
        quiet = preferences.quiet_hours
        values: dict[Any, Any] = {
            NotificationPreferenceTable.disabled: dumps(sorted(preferences.disabled)),
            NotificationPreferenceTable.quiet_start: _hhmm(quiet.start) if quiet else None,
            NotificationPreferenceTable.quiet_end: _hhmm(quiet.end) if quiet else None,
            NotificationPreferenceTable.daily_digest: preferences.daily_digest,
            NotificationPreferenceTable.updated_at: _utc(at),
        }
        updated = (
            await NotificationPreferenceTable.update(values)
            .where(NotificationPreferenceTable.person == preferences.person_id)
            .returning(NotificationPreferenceTable.id)
        )
        if not updated:
            await NotificationPreferenceTable.insert(
                NotificationPreferenceTable(
                    id=uuid4(),
                    person=preferences.person_id,
                    **{column._meta.name: value for column, value in values.items()},  # noqa: SLF001
                )
            )

    async def device(self, token: str) -> Device | None:
        row = await PushDeviceTable.select().where(PushDeviceTable.token == token).first()
        return _device(row) if row else None

    async def save_device(self, device: Device) -> None:
        values: dict[Any, Any] = {
            PushDeviceTable.person: device.person_id,
            PushDeviceTable.session: device.session_id,
            PushDeviceTable.platform: device.platform.value,
            PushDeviceTable.app_version: device.app_version,
            PushDeviceTable.locale: device.locale,
            PushDeviceTable.last_seen_at: _utc(device.last_seen_at),
        }
        updated = (
            await PushDeviceTable.update(values)
            .where(PushDeviceTable.token == device.token)
            .returning(PushDeviceTable.id)
        )
        if not updated:
            await PushDeviceTable.insert(
                PushDeviceTable(
                    id=device.id,
                    token=device.token,
                    created_at=_utc(device.created_at),
                    **{column._meta.name: value for column, value in values.items()},  # noqa: SLF001
                )
            )

    async def delete_device(self, token: str) -> None:
        await self.cancel_pending(token)
        await PushDeviceTable.delete().where(PushDeviceTable.token == token)

    async def cancel_pending(self, token: str) -> int:
        cancelled = (
            await DeliveryTable.update(
                {
                    DeliveryTable.status: DeliveryStatus.CANCELLED.value,
                    DeliveryTable.last_error: "device unregistered or moved",
                }
            )
            .where(
                (DeliveryTable.token == token)
                & (DeliveryTable.status == DeliveryStatus.PENDING.value)
            )
            .returning(DeliveryTable.id)
        )
        return len(cancelled)

    async def cancel_pending_of_sessions(self, session_ids: Sequence[UUID], why: str) -> int:
        """Cancel the pending deliveries to the devices these sessions registered (a device
        registered again since by another session belongs to that one and keeps its pushes)."""
        if not session_ids:
            return 0
        devices = PushDeviceTable.select(PushDeviceTable.id).where(
            PushDeviceTable.session.is_in(list(session_ids))
        )
        cancelled = (
            await DeliveryTable.update(
                {
                    DeliveryTable.status: DeliveryStatus.CANCELLED.value,
                    DeliveryTable.last_error: why[:500],
                }
            )
            .where(
                DeliveryTable.device.is_in(devices)
                & (DeliveryTable.status == DeliveryStatus.PENDING.value)
            )
            .returning(DeliveryTable.id)
        )
        return len(cancelled)

    async def forget_devices_of(self, person_id: UUID, why: str) -> int:
        """Cancel the pending deliveries to every device of the person and delete the devices;
        the number of devices forgotten."""
        devices = PushDeviceTable.select(PushDeviceTable.id).where(
            PushDeviceTable.person == person_id
        )
        await DeliveryTable.update(
            {DeliveryTable.status: DeliveryStatus.CANCELLED.value, DeliveryTable.last_error: why}
        ).where(
            DeliveryTable.device.is_in(devices)
            & (DeliveryTable.status == DeliveryStatus.PENDING.value)
        )
        deleted = (
            await PushDeviceTable.delete()
            .where(PushDeviceTable.person == person_id)
            .returning(PushDeviceTable.id)
        )
        return len(deleted)

    async def delete_devices_unseen_since(self, before: datetime) -> int:
        stale = await PushDeviceTable.select(PushDeviceTable.token).where(
            PushDeviceTable.last_seen_at < _utc(before)
        )
        for row in stale:
            await self.delete_device(row["token"])
        return len(stale)


# Claim by one UPDATE: the inner SELECT takes due, unleased pending rows (PostgreSQL skips rows
# another dispatcher is claiming right now), the UPDATE leases them to this worker and returns
# what their pushes need; their notifications follow by primary key (_NOTIFICATIONS_SQL).
_CLAIM_SQL = (
    'UPDATE "delivery" SET "claimed_by" = {}, "claimed_until" = {} WHERE "id" IN ('
    'SELECT "id" FROM "delivery" WHERE "status" = \'pending\' AND "next_attempt_at" <= {}'
    ' AND ("claimed_until" IS NULL OR "claimed_until" <= {})'
    ' ORDER BY "next_attempt_at" LIMIT {}%s)'
    ' RETURNING "id", "notification", "token", "attempts", "expires_at"'
)
_NOTIFICATIONS_SQL = (
    'SELECT "id", "category", "title", "body", "data", "subject", "urgent" FROM "notification"'
    ' WHERE "id" IN (%s)'
)
# Settle a batch with one UPDATE per outcome (not per delivery), only rows still pending: what
# each row gets is in CASE "id" WHEN … THEN … ELSE <the column> END (the ELSE gives PostgreSQL
# the parameters' type).
_SETTLE_SQL = (
    'UPDATE "delivery" SET "attempts" = "attempts" + 1, "claimed_by" = NULL,'
    ' "claimed_until" = NULL, %s WHERE "id" IN (%s) AND "status" = \'pending\''
)

# Extend the lease of a batch being sent, on the rows the worker still holds.
_RENEW_SQL = (
    'UPDATE "delivery" SET "claimed_until" = {} WHERE "claimed_by" = {}'
    ' AND "status" = \'pending\' AND "id" IN (%s)'
)

_SENT = '"status" = \'sent\', "sent_at" = {}, "last_error" = NULL'
_FAILED = "\"status\" = 'failed'"


def _placeholders(count: int) -> str:
    return ", ".join(["{}"] * count)


def _per_row(column: str, ids: Sequence[UUID]) -> str:
    """``column`` = CASE "id" WHEN {} THEN {} … ELSE ``column`` END: a value per row of ``ids``,
    bound by ``_pairs(ids, values)``."""
    whens = " ".join(["WHEN {} THEN {}"] * len(ids))
    return f'"{column}" = CASE "id" {whens} ELSE "{column}" END'


def _pairs(ids: Sequence[UUID], values: Sequence[object]) -> list[object]:
    return [v for pair in zip(ids, values, strict=True) for v in pair]


def _claimed(delivery: dict[str, Any], notification: dict[str, Any]) -> Claimed:
    return Claimed(
        delivery_id=delivery["id"],
        notification_id=delivery["notification"],
        token=delivery["token"],
        attempts=delivery["attempts"],
        expires_at=delivery["expires_at"],
        category=notification["category"],
        title=notification["title"],
        body=notification["body"],
        data=notification["data"],
        subject=notification["subject"],
        urgent=bool(notification["urgent"]),
    )


class PiccoloOutbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(
        self, worker: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Claimed]:
        lock = " FOR UPDATE SKIP LOCKED" if isinstance(self.db.engine, PostgresEngine) else ""
        async with self.db.atomic():
            leased = await self._run(
                _CLAIM_SQL % lock, worker, _utc(lease_until), _utc(now), _utc(now), limit
            )
        notifications: dict[Any, dict[str, Any]] = {}
        for chunk in _chunks(list({d["notification"] for d in leased})):
            for row in await self._run(_NOTIFICATIONS_SQL % _placeholders(len(chunk)), *chunk):
                data = loads(row["data"]) or {}
                notifications[row["id"]] = {
                    **row,
                    "category": Category(row["category"]),
                    "data": {str(k): str(v) for k, v in data.items()},
                }
        return [_claimed(d, notifications[d["notification"]]) for d in leased]

    async def renew(self, worker: str, ids: Sequence[UUID], lease_until: datetime) -> None:
        async with self.db.atomic():
            for chunk in _chunks(ids):
                sql = _RENEW_SQL % _placeholders(len(chunk))
                await self._run(sql, _utc(lease_until), worker, *chunk)

    async def settle(self, settlement: Settlement, now: datetime) -> None:
        async with self.db.atomic():
            for sent in _chunks(settlement.sent):
                await self._release(sent, _SENT, _utc(now))
            for retry in _chunks(settlement.retry):
                ids = [r.delivery_id for r in retry]
                await self._release(
                    ids,
                    f"{_per_row('next_attempt_at', ids)}, {_per_row('last_error', ids)}",
                    *_pairs(ids, [_utc(r.next_attempt_at) for r in retry]),
                    *_pairs(ids, [(r.error or "")[:500] or None for r in retry]),
                )
            for failed in _chunks(settlement.failed):
                ids = [f.delivery_id for f in failed]
                await self._release(
                    ids,
                    f"{_FAILED}, {_per_row('last_error', ids)}",
                    *_pairs(ids, [f.error[:500] for f in failed]),
                )
            store = PiccoloNotificationStore()
            for token in dict.fromkeys(settlement.invalid_tokens):
                await store.delete_device(token)

    async def _release(self, ids: Sequence[UUID], assignments: str, *values: object) -> None:
        """One UPDATE of those of ``ids`` still pending: one attempt more, the lease given back,
        and ``assignments``, whose placeholders ``values`` fill."""
        await self._run(_SETTLE_SQL % (assignments, _placeholders(len(ids))), *values, *ids)

    async def _run(self, sql: str, *values: object) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self.db.engine.run_querystring(QueryString(sql, *values))
        return rows
