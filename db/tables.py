"""Piccolo tables. Rows are mapped to domain objects in db/repositories; nothing else uses them."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class UnitTable(Table, tablename="unit"):
    id = UUID(primary_key=True)
    parent = ForeignKey("self", null=True, index=True, on_delete=OnDelete.restrict)  # type: ignore[var-annotated]
    # "/<root id>/<child id>/.../": subtree queries are prefix matches
    path = Varchar(length=1000, unique=True)
    name = Varchar(length=200)
    level = Varchar(length=50)
    is_cell = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class PersonTable(Table, tablename="person"):
    id = UUID(primary_key=True)
    home_unit = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    full_name = Varchar(length=200)
    phone = Varchar(length=20, unique=True)
    email = Varchar(length=254, null=True, default=None)
    locale = Varchar(length=5, default="vi")
    active = Boolean(default=True)
    password_hash = Varchar(length=200, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class MembershipTable(Table, tablename="membership"):
    id = UUID(primary_key=True)
    person = ForeignKey(PersonTable, index=True, on_delete=OnDelete.restrict)
    cell = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=20)
    exempt = Boolean(default=False)
    exempt_resolution_date = Date(null=True, default=None)
    joined_on = Date()
    left_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class RoleGrantTable(Table, tablename="role_grant"):
    id = UUID(primary_key=True)
    person = ForeignKey(PersonTable, index=True, on_delete=OnDelete.restrict)
    unit = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    role = Varchar(length=30)
    revoked_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class LeaderAssignmentTable(Table, tablename="leader_assignment"):
    id = UUID(primary_key=True)
    leader = ForeignKey(PersonTable, index=True, on_delete=OnDelete.restrict)
    cell = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    quota = Integer()
    period = Varchar(length=10)
    started_on = Date()
    ended_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class DeviceSessionTable(Table, tablename="device_session"):
    id = UUID(primary_key=True)
    person = ForeignKey(PersonTable, index=True, on_delete=OnDelete.restrict)
    device_name = Varchar(length=100)
    generation = Integer(default=0)
    salt = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    last_used_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=30, null=True, default=None)


class LoginThrottleTable(Table, tablename="login_throttle"):
    id = UUID(primary_key=True)
    key = Varchar(length=200, unique=True)
    window_started_at = Timestamptz()
    failures = Integer(default=0)


class AuditEventTable(Table, tablename="audit_event"):
    id = UUID(primary_key=True)
    at = Timestamptz(index=True)
    actor = UUID(null=True, default=None)
    action = Varchar(length=60)
    object_type = Varchar(length=40)
    object_id = UUID(index=True)
    unit_path = Varchar(length=1000, index=True)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    request_id = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)




class IdempotencyKeyTable(Table, tablename="idempotency_key"):
    """A POST's Idempotency-Key per person: claimed while in flight, then the stored reply."""

    id = UUID(primary_key=True)
    person = UUID(index=True)
    key = Varchar(length=200)
    request_hash = Varchar(length=64)
    status = Integer(null=True, default=None)
    content_type = Varchar(length=100, null=True, default=None)
    body = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    completed_at = Timestamptz(null=True, default=None)


ALL_TABLES: tuple[type[Table], ...] = (
    UnitTable,
    PersonTable,
    MembershipTable,
    RoleGrantTable,
    LeaderAssignmentTable,
    DeviceSessionTable,
    LoginThrottleTable,
    AuditEventTable,
    IdempotencyKeyTable,
)
