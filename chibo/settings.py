"""Settings read from the environment (CHIBO_*), validated once at start."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from db.engine import Timeouts
from domain.attachments.model import DEFAULT_MAX_BYTES, AttachmentPolicy
from domain.auth.passwords import PasswordPolicy
from domain.auth.throttle import LoginPolicy
from domain.compliance.model import CompliancePolicy
from domain.dialogues.model import DialoguePolicy
from domain.documents.model import DocumentPolicy
from domain.inspections.model import InspectionPolicy
from domain.meetings.checkin import CheckinPolicy
from domain.meetings.model import MeetingPolicy
from domain.reminders.model import ReminderPolicy
from domain.surveys.model import SurveyPolicy
from domain.tasks.escalation import EscalationPolicy
from domain.tasks.petitions import PetitionPolicy

DEFAULT_DATABASE_URL = "sqlite:///var/chibo.sqlite3"
DEFAULT_UPLOAD_DIR = "var/uploads"
MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024
SECRET_FILE = Path("var/secret_key")
MIN_SECRET_LENGTH = 32
MAX_ACCESS_TOKEN_MINUTES = 15
MIN_METRICS_TOKEN_LENGTH = 32
LOCAL_ADDRESSES = (ip_network("127.0.0.0/8"), ip_network("::1/128"))


class SettingsError(ValueError):
    """One line naming the bad variable and what is wrong with it."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    database_timeouts: Timeouts = field(default_factory=Timeouts)
    secret_key: str = ""
    access_token_minutes: int = 15
    refresh_session_days: int = 60
    # a duplicate refresh this soon after the rotation gets the same new refresh token
    refresh_grace_seconds: int = 10
    login_policy: LoginPolicy = field(default_factory=LoginPolicy)
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    max_body_bytes: int = 1024 * 1024
    upload_dir: str = DEFAULT_UPLOAD_DIR
    attachment_max_bytes: int = DEFAULT_MAX_BYTES
    meeting_policy: MeetingPolicy = field(default_factory=MeetingPolicy)
    checkin_policy: CheckinPolicy = field(default_factory=CheckinPolicy)
    inspection_policy: InspectionPolicy = field(default_factory=InspectionPolicy)
    escalation_policy: EscalationPolicy = field(default_factory=EscalationPolicy)
    petition_policy: PetitionPolicy = field(default_factory=PetitionPolicy)
    reminder_policy: ReminderPolicy = field(default_factory=ReminderPolicy)
    compliance_policy: CompliancePolicy = field(default_factory=CompliancePolicy)
    document_policy: DocumentPolicy = field(default_factory=DocumentPolicy)
    dialogue_policy: DialoguePolicy = field(default_factory=DialoguePolicy)
    survey_policy: SurveyPolicy = field(default_factory=SurveyPolicy)
    push_sender: str = "console"  # console | fcm
    fcm_credentials: str = ""  # service-account JSON path, checked at start when push_sender=fcm
    # schedules (each job's trigger is in schedules/jobs.py). `chibo serve` runs them in-process
    # only in the embedded mode (SQLite, unless --no-worker); on PostgreSQL `chibo worker`
    # processes run them.
    embedded_worker: bool = False
    dispatch_interval_seconds: int = 5
    # a push dispatcher's claim on a batch: renewed while the batch is sent; a dispatcher that
    # dies leaves its claims to the others this long at most
    push_lease_seconds: int = 30
    escalation_interval_minutes: int = 60
    planning_hour: int = 2  # local time, daily
    device_cleanup_hour: int = 3  # local time, daily
    # housekeeping (daily at housekeeping_hour:15 local time) and the ages it deletes by
    housekeeping_hour: int = 3
    idempotency_key_days: int = 7  # a POST's stored reply is replayed this long, then forgotten
    session_retention_days: int = 30  # expired or revoked refresh sessions are kept this long
    delivery_retention_days: int = 30  # sent, failed or cancelled pushes are kept this long
    reminder_retention_days: int = 90  # handled reminders: what was sent, skipped, dropped
    # offline sync: the change rows of objects that left a phone's view are kept this long (a
    # phone offline longer starts over); the floor moves once per housekeeping run
    sync_retention_days: int = 90
    leader_retry_seconds: int = 5
    reminder_interval_seconds: int = 60
    compliance_interval_minutes: int = 60  # the checks themselves fall due at set local times
    # GET /metrics answers a bearer of this token, or a caller straight from these addresses
    metrics_token: str = ""
    metrics_allow: tuple[IPv4Network | IPv6Network, ...] = LOCAL_ADDRESSES
    log_format: str = "json"  # json | console
    # on SIGTERM: how long `chibo serve` lets in-flight requests finish, and `chibo worker` the
    # job runs in progress (the current push batch), before they are cut off
    shutdown_grace_seconds: int = 20

    def __post_init__(self) -> None:
        if self.reminder_retention_days * 24 <= self.reminder_policy.catch_up_hours:
            # a deleted key still inside the catch-up window would be swept and sent again
            msg = "CHIBO_REMINDER_RETENTION_DAYS: must be longer than CHIBO_REMINDER_CATCH_UP_HOURS"
            raise SettingsError(msg)

    @property
    def attachment_policy(self) -> AttachmentPolicy:
        return AttachmentPolicy(max_bytes=self.attachment_max_bytes)

    @property
    def idempotency_key_lifetime(self) -> timedelta:
        return timedelta(days=self.idempotency_key_days)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        url = env.get("CHIBO_DATABASE_URL", DEFAULT_DATABASE_URL)
        scheme = urlsplit(url).scheme
        if scheme not in {"sqlite", "postgresql", "postgres"} or (
            scheme == "sqlite" and not url.startswith("sqlite:///")
        ):
            msg = "CHIBO_DATABASE_URL: expected sqlite:///path or postgresql://user@host/db"
            raise SettingsError(msg)
        secret = env.get("CHIBO_SECRET_KEY") or _local_secret(scheme)
        if len(secret) < MIN_SECRET_LENGTH:
            msg = f"CHIBO_SECRET_KEY: must be at least {MIN_SECRET_LENGTH} characters"
            raise SettingsError(msg)
        push_sender, fcm_credentials = _push(env)
        return cls(
            database_url=url,
            database_timeouts=_policy(env, "CHIBO_DATABASE_", Timeouts()),
            secret_key=secret,
            access_token_minutes=_int(
                env, "CHIBO_ACCESS_TOKEN_MINUTES", 15, 1, MAX_ACCESS_TOKEN_MINUTES
            ),
            refresh_session_days=_int(env, "CHIBO_REFRESH_SESSION_DAYS", 60, 1, 365),
            refresh_grace_seconds=_int(env, "CHIBO_REFRESH_GRACE_SECONDS", 10, 0, 300),
            login_policy=_policy(env, "CHIBO_LOGIN_", LoginPolicy()),
            password_policy=_policy(env, "CHIBO_PASSWORD_", PasswordPolicy()),
            upload_dir=env.get("CHIBO_UPLOAD_DIR") or DEFAULT_UPLOAD_DIR,
            attachment_max_bytes=_int(
                env, "CHIBO_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES, 1024, MAX_ATTACHMENT_BYTES
            ),
            meeting_policy=_policy(env, "CHIBO_MEETING_", MeetingPolicy()),
            checkin_policy=_policy(env, "CHIBO_CHECKIN_", CheckinPolicy()),
            inspection_policy=_policy(env, "CHIBO_INSPECTION_", InspectionPolicy()),
            escalation_policy=_policy(env, "CHIBO_ESCALATION_", EscalationPolicy()),
            petition_policy=_policy(env, "CHIBO_PETITION_", PetitionPolicy()),
            reminder_policy=_policy(env, "CHIBO_REMINDER_", ReminderPolicy()),
            compliance_policy=_policy(env, "CHIBO_COMPLIANCE_", CompliancePolicy()),
            document_policy=_policy(env, "CHIBO_DOCUMENT_", DocumentPolicy()),
            dialogue_policy=_policy(env, "CHIBO_DIALOGUE_", DialoguePolicy()),
            survey_policy=_policy(env, "CHIBO_SURVEY_", SurveyPolicy()),
            push_sender=push_sender,
            fcm_credentials=fcm_credentials,
            embedded_worker=scheme == "sqlite" and env.get("CHIBO_EMBEDDED_WORKER", "1") != "0",
            dispatch_interval_seconds=_int(env, "CHIBO_DISPATCH_INTERVAL_SECONDS", 5, 1, 3600),
            push_lease_seconds=_int(env, "CHIBO_PUSH_LEASE_SECONDS", 30, 3, 600),
            escalation_interval_minutes=_int(env, "CHIBO_ESCALATION_INTERVAL_MINUTES", 60, 1, 1440),
            planning_hour=_int(env, "CHIBO_PLANNING_HOUR", 2, 0, 23),
            device_cleanup_hour=_int(env, "CHIBO_DEVICE_CLEANUP_HOUR", 3, 0, 23),
            housekeeping_hour=_int(env, "CHIBO_HOUSEKEEPING_HOUR", 3, 0, 23),
            idempotency_key_days=_int(env, "CHIBO_IDEMPOTENCY_KEY_DAYS", 7, 1, 365),
            session_retention_days=_int(env, "CHIBO_SESSION_RETENTION_DAYS", 30, 1, 3650),
            delivery_retention_days=_int(env, "CHIBO_DELIVERY_RETENTION_DAYS", 30, 1, 3650),
            reminder_retention_days=_int(env, "CHIBO_REMINDER_RETENTION_DAYS", 90, 7, 3650),
            sync_retention_days=_int(env, "CHIBO_SYNC_RETENTION_DAYS", 90, 1, 3650),
            leader_retry_seconds=_int(env, "CHIBO_LEADER_RETRY_SECONDS", 5, 1, 60),
            reminder_interval_seconds=_int(env, "CHIBO_REMINDER_INTERVAL_SECONDS", 60, 5, 3600),
            compliance_interval_minutes=_int(env, "CHIBO_COMPLIANCE_INTERVAL_MINUTES", 60, 1, 1440),
            metrics_token=_metrics_token(env),
            metrics_allow=_networks(env, "CHIBO_METRICS_ALLOW", LOCAL_ADDRESSES),
            log_format=_log_format(env),
            shutdown_grace_seconds=_int(env, "CHIBO_SHUTDOWN_GRACE_SECONDS", 20, 1, 600),
        )


P = TypeVar(
    "P",
    MeetingPolicy,
    CheckinPolicy,
    InspectionPolicy,
    EscalationPolicy,
    PetitionPolicy,
    ReminderPolicy,
    CompliancePolicy,
    Timeouts,
    LoginPolicy,
    PasswordPolicy,
    DocumentPolicy,
    DialoguePolicy,
    SurveyPolicy,
)
MAX_POLICY_NUMBER = 100_000


def _policy(env: Mapping[str, str], prefix: str, default: P) -> P:
    """Every number of a rule is configuration: CHIBO_MEETING_MIN_MINUTES=120 and so on."""
    changes: dict[str, Any] = {}
    for item in fields(default):
        name = f"{prefix}{item.name.upper()}"
        if name not in env:
            continue
        current = getattr(default, item.name)
        if isinstance(current, float):
            try:
                value = float(env[name])
            except ValueError:
                value = -1.0
            if not 0 < value < 1:
                msg = f"{name}: expected a fraction between 0 and 1, got {env[name]!r}"
                raise SettingsError(msg)
            changes[item.name] = value
        else:
            changes[item.name] = _int(env, name, current, 0, MAX_POLICY_NUMBER)
    try:
        return replace(default, **changes)
    except ValueError as error:  # a rule's own check, e.g. an hour of the day
        raise SettingsError(f"{prefix}*: {error}") from error


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        msg = f"{name}: expected a whole number from {low} to {high}, got {raw!r}"
        raise SettingsError(msg)
    return value


def _metrics_token(env: Mapping[str, str]) -> str:
    token = env.get("CHIBO_METRICS_TOKEN", "")
    if token and len(token) < MIN_METRICS_TOKEN_LENGTH:
        msg = f"CHIBO_METRICS_TOKEN: must be at least {MIN_METRICS_TOKEN_LENGTH} characters"
        raise SettingsError(msg)
    return token


def _networks(
    env: Mapping[str, str], name: str, default: tuple[IPv4Network | IPv6Network, ...]
) -> tuple[IPv4Network | IPv6Network, ...]:
    """Addresses and networks, comma-separated (``10.0.0.5, 10.1.0.0/16``); empty: none."""
    raw = env.get(name)
    if raw is None:
        return default
    try:
        return tuple(ip_network(part.strip()) for part in raw.split(",") if part.strip())
    except ValueError as error:
        raise SettingsError(f"{name}: expected addresses or networks, {error}") from error


def _log_format(env: Mapping[str, str]) -> str:
    """JSON lines for a log collector; readable lines when a person watches a terminal."""
    default = "console" if sys.stderr.isatty() else "json"
    value = env.get("CHIBO_LOG_FORMAT") or default
    if value not in {"json", "console"}:
        msg = f"CHIBO_LOG_FORMAT: expected json or console, got {value!r}"
        raise SettingsError(msg)
    return value


def _push(env: Mapping[str, str]) -> tuple[str, str]:
    """FCM when asked for, or by default when CHIBO_FCM_CREDENTIALS is set; the key file is
    checked now, so a bad one stops the start with one line instead of failing every push."""
    path = env.get("CHIBO_FCM_CREDENTIALS", "")
    sender = env.get("CHIBO_PUSH_SENDER") or ("fcm" if path else "console")
    if sender not in {"console", "fcm"}:
        msg = f"CHIBO_PUSH_SENDER: expected console or fcm, got {sender!r}"
        raise SettingsError(msg)
    if sender == "console":
        return sender, ""
    variable = "CHIBO_FCM_CREDENTIALS"
    if not path:
        variable, path = (
            "GOOGLE_APPLICATION_CREDENTIALS",
            env.get("GOOGLE_APPLICATION_CREDENTIALS", ""),
        )
    if not path:
        msg = (
            "CHIBO_FCM_CREDENTIALS: required with CHIBO_PUSH_SENDER=fcm (service-account JSON path)"
        )
        raise SettingsError(msg)
    from notifications.senders.fcm import FcmCredentialsError, credentials_from_file  # noqa: PLC0415

    try:
        credentials_from_file(path, variable)
    except FcmCredentialsError as error:
        raise SettingsError(str(error)) from error
    return sender, path


def _local_secret(scheme: str) -> str:
    """Embedded mode keeps a generated key in var/; a scaled deployment must set one."""
    if scheme != "sqlite":
        msg = "CHIBO_SECRET_KEY: required with PostgreSQL (all API processes must share it)"
        raise SettingsError(msg)
    if not SECRET_FILE.exists():
        SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        SECRET_FILE.write_text(secrets.token_urlsafe(48))
        SECRET_FILE.chmod(0o600)
    return SECRET_FILE.read_text().strip()
