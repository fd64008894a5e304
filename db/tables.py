"""Piccolo tables. Rows are mapped to domain objects in db/repositories; nothing else uses them."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    BigSerial,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from domain import limits


class UnitTable(Table, tablename="unit"):
    id = UUID(primary_key=True)
    parent = ForeignKey("self", null=True, index=True, on_delete=OnDelete.restrict)  # type: ignore[var-annotated]
    # "/<root id>/<child id>/.../": subtree queries are prefix matches
    path = Varchar(length=1000, unique=True)
    name = Varchar(length=limits.NAME)
    level = Varchar(length=50)
    is_cell = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class PersonTable(Table, tablename="person"):
    id = UUID(primary_key=True)
    home_unit = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    full_name = Varchar(length=limits.NAME)
    phone = Varchar(length=20, unique=True)
    email = Varchar(length=limits.EMAIL, null=True, default=None)
    locale = Varchar(length=5, default="vi")
    active = Boolean(default=True)
    password_hash = Varchar(length=200, null=True, default=None)
    # set by an administrator: to be changed before anything else (domain/auth/passwords.py)
    password_temporary = Boolean(default=False)
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


class LoginAttemptTable(Table, tablename="login_attempt"):
    """Login attempts counted under one throttle key (an account, or an account from one
    address): how many in a row did not succeed, and when the next one may start."""

    id = UUID(primary_key=True)
    key = Varchar(length=200, unique=True)
    failures = Integer(default=0)
    last_attempt_at = Timestamptz()
    next_attempt_at = Timestamptz()


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
    """A POST's Idempotency-Key per person with the reply it got, written in the request's own
    transaction (rows without a status are claims of an earlier version that died)."""

    id = UUID(primary_key=True)
    person = UUID(index=True)
    key = Varchar(length=200)
    request_hash = Varchar(length=64)
    status = Integer(null=True, default=None)
    content_type = Varchar(length=100, null=True, default=None)
    body = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    completed_at = Timestamptz(null=True, default=None)


class MeetingRuleTable(Table, tablename="meeting_rule"):
    """A cell's regular-meeting rule, in local time."""

    id = UUID(primary_key=True)
    cell = ForeignKey(UnitTable, unique=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=20)
    day = Integer(null=True, default=None)
    weekday = Integer(null=True, default=None)
    nth = Integer(null=True, default=None)
    at_time = Varchar(length=5)
    duration_minutes = Integer()
    place = Varchar(length=limits.PLACE, null=True, default=None)
    place_lat = DoublePrecision(null=True, default=None)
    place_lon = DoublePrecision(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class MeetingTable(Table, tablename="meeting"):
    id = UUID(primary_key=True)
    cell = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=20)
    status = Varchar(length=20)
    combined_thematic = Boolean(default=False)
    title = Varchar(length=limits.TITLE, null=True, default=None)
    place = Varchar(length=limits.PLACE, null=True, default=None)
    place_lat = DoublePrecision(null=True, default=None)
    place_lon = DoublePrecision(null=True, default=None)
    occurrence = Varchar(length=7, null=True, default=None)
    planned_start = Timestamptz(index=True)
    planned_end = Timestamptz()
    notice_published_at = Timestamptz(null=True, default=None)
    agenda = JSON(default="[]")
    actual_start = Timestamptz(null=True, default=None)
    actual_end = Timestamptz(null=True, default=None)
    chair = UUID(null=True, default=None)
    minute_taker = UUID(null=True, default=None)
    minutes_text = Text(null=True, default=None)
    resolutions = JSON(default="[]")
    papers = JSON(default="[]")
    logged_at = Timestamptz(null=True, default=None)
    finalized_at = Timestamptz(null=True, default=None)
    cancel_reason = Varchar(length=limits.TEXT, null=True, default=None)
    move_reason = Varchar(length=limits.TEXT, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class AttendanceTable(Table, tablename="attendance"):
    id = UUID(primary_key=True)
    # no index of its own: (meeting, person) and (meeting, status, person) begin with it
    meeting = ForeignKey(MeetingTable, on_delete=OnDelete.restrict)
    person = ForeignKey(PersonTable, index=True, on_delete=OnDelete.restrict)
    position = Integer()
    full_name = Varchar(length=limits.NAME)
    membership_kind = Varchar(length=20)
    status = Varchar(length=20, null=True, default=None)
    reason = Varchar(length=limits.TEXT, null=True, default=None)
    checked_in_at = Timestamptz(null=True, default=None)


class LeaderVisitTable(Table, tablename="leader_visit"):
    id = UUID(primary_key=True)
    meeting = ForeignKey(MeetingTable, index=True, on_delete=OnDelete.restrict)
    leader = ForeignKey(PersonTable, index=True, on_delete=OnDelete.restrict)
    leader_confirmed_at = Timestamptz(null=True, default=None)
    secretary_confirmed_at = Timestamptz(null=True, default=None)
    remarks = Text(null=True, default=None)


class MinutesAmendmentTable(Table, tablename="minutes_amendment"):
    id = UUID(primary_key=True)
    meeting = ForeignKey(MeetingTable, index=True, on_delete=OnDelete.restrict)
    by = UUID()
    reason = Text()
    changes = JSON()
    at = Timestamptz()


class QualityCriteriaSetTable(Table, tablename="quality_criteria_set"):
    """A version of a unit's meeting-quality criteria (no unit: the default); never changed."""

    id = UUID(primary_key=True)
    unit = ForeignKey(UnitTable, null=True, index=True, on_delete=OnDelete.restrict)
    version = Integer()
    name = Varchar(length=limits.TITLE)
    definition = JSON()  # criteria, band thresholds, the annual rule
    created_at = Timestamptz()
    created_by = UUID(null=True, default=None)


class MeetingQualityTable(Table, tablename="meeting_quality"):
    id = UUID(primary_key=True)
    meeting = ForeignKey(MeetingTable, unique=True, on_delete=OnDelete.restrict)
    criteria_set = ForeignKey(QualityCriteriaSetTable, index=True, on_delete=OnDelete.restrict)
    points = JSON()
    total = Integer()
    band = Varchar(length=20)
    scored_by = UUID()
    scored_at = Timestamptz()
    confirmed_by = UUID(null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class MeetingDiscussionTable(Table, tablename="meeting_discussion"):
    """Named speakers and the conclusion of each agenda item, for the minutes."""

    id = UUID(primary_key=True)
    meeting = ForeignKey(MeetingTable, unique=True, on_delete=OnDelete.restrict)
    items = JSON()
    updated_at = Timestamptz()
    version = Integer(default=1)


class DocumentCounterTable(Table, tablename="document_counter"):
    """The last number issued per issuing unit (``cell``: a cell, or a ward's committee for its
    reports), document type and committee term."""

    id = UUID(primary_key=True)
    cell = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=20)
    term = Varchar(length=7)
    last_number = Integer()


class DocumentNumberTable(Table, tablename="document_number"):
    """The register: each number issued, to which document, by whom. A meeting's minutes or
    resolution name the meeting; a filed report names its version (``report_issue``, unique)."""

    id = UUID(primary_key=True)
    cell = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)  # the issuing unit
    kind = Varchar(length=20)
    term = Varchar(length=7)
    number = Integer()
    meeting = ForeignKey(MeetingTable, null=True, index=True, on_delete=OnDelete.restrict)
    report_issue: ForeignKey[ReportIssueTable] = ForeignKey(
        "ReportIssueTable", null=True, on_delete=OnDelete.restrict
    )
    issued_by = UUID()
    issued_at = Timestamptz()


class AttachmentTable(Table, tablename="attachment"):
    """Metadata of an uploaded file; the bytes are in the attachment store under storage_key."""

    id = UUID(primary_key=True)
    unit = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=10)
    size = Integer()
    sha256 = Varchar(length=64, index=True)
    storage_key = Varchar(length=200)
    filename = Varchar(length=255)
    uploaded_by = ForeignKey(PersonTable, index=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class CalendarTokenTable(Table, tablename="calendar_token"):
    """A personal calendar feed token, kept only as its SHA-256."""

    id = UUID(primary_key=True)
    person = ForeignKey(PersonTable, index=True, on_delete=OnDelete.restrict)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class ChecklistTemplateTable(Table, tablename="checklist_template"):
    """One row per version; ``family`` is the id of the first version. ``owner``: the unit whose
    subtree may use the template (null for templates made before owners: usable everywhere)."""

    id = UUID(primary_key=True)
    family = UUID(index=True)
    # The unit that made the family: its subtree may use it, its planners publish new versions.
    owner = ForeignKey(UnitTable, null=False, index=True, on_delete=OnDelete.restrict)
    name = Varchar(length=limits.NAME)
    version = Integer()
    items = JSON()
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class InspectionTable(Table, tablename="inspection"):
    id = UUID(primary_key=True)
    target = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=20)
    status = Varchar(length=20)
    window_start = Timestamptz(index=True)
    window_end = Timestamptz()
    topic = Varchar(length=limits.TEXT)
    lead = UUID()
    members = JSON(default="[]")
    template = ForeignKey(ChecklistTemplateTable, on_delete=OnDelete.restrict)
    created_by = UUID(index=True)
    plan_id = UUID(null=True, default=None)
    lead_checked_in_at = Timestamptz(null=True, default=None)
    check_in_lat = DoublePrecision(null=True, default=None)
    check_in_lon = DoublePrecision(null=True, default=None)
    answers = JSON(default="{}")
    findings = JSON(default="[]")
    conclusion = Text(null=True, default=None)
    concluded_at = Timestamptz(null=True, default=None)
    recommendations = JSON(default="[]")
    override_reason = Varchar(length=limits.TEXT, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class InspectionMemberTable(Table, tablename="inspection_member"):
    """The team, one row per inspector, for bookings and visibility in queries."""

    id = UUID(primary_key=True)
    inspection = ForeignKey(InspectionTable, index=True, on_delete=OnDelete.restrict)
    person = UUID(index=True)
    window_start = Timestamptz()
    window_end = Timestamptz()


class SealedReadTable(Table, tablename="sealed_read"):
    id = UUID(primary_key=True)
    inspection = ForeignKey(InspectionTable, index=True, on_delete=OnDelete.restrict)
    person = UUID()
    endpoint = Varchar(length=100)
    at = Timestamptz()


class TaskTable(Table, tablename="task"):
    id = UUID(primary_key=True)
    unit = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    assignee = ForeignKey(PersonTable, index=True, on_delete=OnDelete.restrict)
    title = Varchar(length=limits.TITLE)
    description = Text(null=True, default=None)
    source = Varchar(length=30)
    source_id = UUID(null=True, default=None, index=True)
    priority = Varchar(length=10)
    due_on = Date(index=True)
    status = Varchar(length=20, index=True)
    evidence = JSON(null=True, default=None)
    closing = JSON(null=True, default=None)
    reply_ready = Boolean(default=True)
    escalation_level = Integer(default=0)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class TaskStepTable(Table, tablename="task_step"):
    """The task's history, append-only: every transition and escalation."""

    id = UUID(primary_key=True)
    task = ForeignKey(TaskTable, index=True, on_delete=OnDelete.restrict)
    position = Integer()
    kind = Varchar(length=20)
    by = UUID(null=True, default=None)
    at = Timestamptz()
    note = Text(null=True, default=None)
    unit = UUID(null=True, default=None, index=True)
    person = UUID(null=True, default=None)
    due_on = Date(null=True, default=None)


class TaskCommentTable(Table, tablename="task_comment"):
    id = UUID(primary_key=True)
    task = ForeignKey(TaskTable, index=True, on_delete=OnDelete.restrict)
    by = UUID()
    text = Text()
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class PetitionTable(Table, tablename="petition"):
    """A citizen's petition; name and contact are personal data (never in push texts)."""

    id = UUID(primary_key=True)
    unit = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    task = ForeignKey(TaskTable, index=True, on_delete=OnDelete.restrict)
    petitioner_name = Varchar(length=limits.NAME)
    petitioner_contact = Varchar(length=limits.CONTACT, null=True, default=None)
    channel = Varchar(length=20)
    category = Varchar(length=limits.CATEGORY)
    content = Text()
    received_at = Timestamptz()
    reply_due_on = Date(index=True)
    reply = JSON(null=True, default=None)
    replied_late = Boolean(null=True, default=None)  # set with the reply; a list filter
    satisfaction = Varchar(length=20, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class CalendarDayTable(Table, tablename="calendar_day"):
    """Admin-entered exceptions: an extra day off, or a make-up working day."""

    id = UUID(primary_key=True)
    day = Date(unique=True)
    working = Boolean()
    note = Varchar(length=limits.DAY_NOTE, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class PushDeviceTable(Table, tablename="push_device"):
    """A phone's FCM registration token; a token belongs to one person at a time."""

    id = UUID(primary_key=True)
    token = Varchar(length=500, unique=True)
    person = ForeignKey(PersonTable, index=True, on_delete=OnDelete.cascade)
    # the session that registered it: its pushes stop when that session is logged out
    session = UUID(null=True, default=None, index=True)
    platform = Varchar(length=20)
    app_version = Varchar(length=50)
    locale = Varchar(length=20)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    last_seen_at = Timestamptz(default=TimestamptzNow(), index=True)


class NotificationTable(Table, tablename="notification"):
    """A row of a person's inbox."""

    id = UUID(primary_key=True)
    person = ForeignKey(PersonTable, index=True, on_delete=OnDelete.cascade)
    category = Varchar(length=20)
    title = Varchar(length=limits.TITLE)
    body = Text()
    data = JSON()
    subject = Varchar(length=200)
    urgent = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    read_at = Timestamptz(null=True, default=None)


class DeliveryTable(Table, tablename="delivery"):
    """The transactional outbox: one push of a notification to one device."""

    id = UUID(primary_key=True)
    notification = ForeignKey(NotificationTable, index=True, on_delete=OnDelete.cascade)
    device = ForeignKey(PushDeviceTable, null=True, index=True, on_delete=OnDelete.set_null)
    token = Varchar(length=500, index=True)
    status = Varchar(length=20)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    expires_at = Timestamptz()
    last_error = Varchar(length=500, null=True, default=None)
    claimed_by = Varchar(length=100, null=True, default=None)
    claimed_until = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class NotificationPreferenceTable(Table, tablename="notification_preference"):
    id = UUID(primary_key=True)
    person = ForeignKey(PersonTable, unique=True, on_delete=OnDelete.cascade)
    disabled = JSON()  # categories switched off
    quiet_start = Varchar(length=5, null=True, default=None)  # "21:00"; null: no quiet hours
    quiet_end = Varchar(length=5, null=True, default=None)
    daily_digest = Boolean(default=False)
    updated_at = Timestamptz(default=TimestamptzNow())


class JobRunTable(Table, tablename="job_run"):
    """The last run of each scheduled job (one row per job; every run is also logged)."""

    id = UUID(primary_key=True)
    job = Varchar(length=60, unique=True)
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    duration_ms = Integer(null=True, default=None)
    outcome = Varchar(length=10, null=True, default=None)  # ok | error
    error = Text(null=True, default=None)  # of the last run
    last_error = Text(null=True, default=None)  # the latest error, kept after later good runs
    last_error_at = Timestamptz(null=True, default=None)
    last_success_at = Timestamptz(null=True, default=None)  # the metrics' "last good run"
    next_run_at = Timestamptz(null=True, default=None)


class ReminderTable(Table, tablename="reminder"):
    """One reminder, unique per (kind, subject, occurrence): see domain/reminders/model.py."""

    id = BigSerial(primary_key=True)
    kind = Varchar(length=40)
    subject = UUID()
    occurrence = Varchar(length=20)
    status = Varchar(length=10)
    created_at = Timestamptz()
    handled_at = Timestamptz(null=True, default=None)


class ComplianceFlagTable(Table, tablename="compliance_flag"):
    """A compliance flag, unique per (kind, unit, subject, period): see domain/compliance/model.py.
    ``unit_path``: where the cell stood when it was raised (scopes read the unit's current path)."""

    id = UUID(primary_key=True)
    kind = Varchar(length=30)
    unit = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    unit_path = Varchar(length=1000, index=True)
    subject = UUID(index=True)
    period = Varchar(length=10)
    detail = JSON(default="{}")
    raised_at = Timestamptz(index=True)


class SyncChangeTable(Table, tablename="sync_change"):
    """Offline sync's change log, written only by database triggers (decision 0016): per object
    and unit it lies in, the place of its last change. ``pos`` is unique and moves forward with
    every change; ``tx`` is the writing transaction on PostgreSQL (0 on SQLite)."""

    pos = BigInt(primary_key=True)
    tx = BigInt()
    entity = Varchar(length=30)
    entity_id = UUID()
    unit_id = UUID()


class SyncDeliveredTable(Table, tablename="sync_delivered"):
    """What each phone's view has been handed and not taken back: a removal names only these."""

    key = Varchar(length=120, primary_key=True)  # "<view>:<entity>:<object id>"
    view_id = UUID()


class SyncStateTable(Table, tablename="sync_state"):
    """One row: the unit tree's epoch (bumped when a unit moves: every phone resets) and, on
    SQLite, the change log's position counter (PostgreSQL uses the sequence ``sync_pos``)."""

    id = Integer(primary_key=True)
    epoch = BigInt()
    clock = BigInt()
    # compaction (SyncLog.compact): a cursor below the floor is answered ``reset``; the mark is
    # the position recorded at the last compaction, and when: the next floor
    floor_tx = BigInt(default=0)
    floor_pos = BigInt(default=0)
    mark_tx = BigInt(default=0)
    mark_pos = BigInt(default=0)
    mark_at = Timestamptz(null=True, default=None)


class DialogueTable(Table, tablename="dialogue"):
    """A ward's dialogue with residents; its questions (askers' names are personal data) and
    co-chairs as JSON: they are read and written only with the dialogue."""

    id = UUID(primary_key=True)
    ward = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    title = Varchar(length=limits.TITLE)
    kind = Varchar(length=20)
    format = Varchar(length=20)
    place = Varchar(length=limits.PLACE)
    starts_at = Timestamptz(index=True)
    announced_at = Timestamptz()
    cell_ids = JSON()
    co_chairs = JSON()
    created_by = ForeignKey(PersonTable, index=True, on_delete=OnDelete.restrict)
    participants = Integer(null=True, default=None)
    questions = JSON()
    published_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    version = Integer(default=1)


class ReceptionDayTable(Table, tablename="reception_day"):
    """A day the ward's Party head received citizens; one per ward and day."""

    id = UUID(primary_key=True)
    ward = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    day = Date(index=True)
    head_name = Varchar(length=limits.NAME)
    citizens = Integer()
    note = Varchar(length=limits.TEXT, null=True, default=None)
    recorded_by = ForeignKey(PersonTable, index=True, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz(default=TimestamptzNow())


class ReportIssueTable(Table, tablename="report_issue"):
    """A report as issued (filed): its JSON body kept byte for byte, never changed; a correction
    is a new version. Unique per (unit, kind, period, version)."""

    id = UUID(primary_key=True)
    unit = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=20)
    period = Varchar(length=10)
    version = Integer()
    content_hash = Varchar(length=64)
    body = Text()
    issued_by = UUID()
    issued_at = Timestamptz()
    # the versions of the records read: [{"entity", "position", "objects"}] (InputVersion)
    inputs = JSON(default="[]")


class SurveyTable(Table, tablename="survey"):
    """A satisfaction survey of one contact (a petition's reply, a dialogue's participant, a
    petition's task closed). Its link is kept only as the SHA-256 of the token."""

    id = UUID(primary_key=True)
    kind = Varchar(length=20)
    subject = UUID(index=True)  # the petition, the dialogue or the task
    unit = ForeignKey(UnitTable, index=True, on_delete=OnDelete.restrict)
    task = UUID(null=True, default=None)  # the task a "not resolved" answer reopens
    # a dialogue's surveys are numbered 1..participants: unique with the subject, so two made at
    # once cannot both take the last place
    slot = Integer(null=True, default=None)
    contact_at = Timestamptz()
    opens_at = Timestamptz(index=True)
    link_hash = Varchar(length=64, null=True, default=None, unique=True)
    link_expires_at = Timestamptz(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class SurveyAnswerTable(Table, tablename="survey_answer"):
    """One answer per survey (the unique ``survey`` decides between answers sent at once). Who
    answered is not kept; the unit and the responsible head are copied as they stood then."""

    id = UUID(primary_key=True)
    survey = ForeignKey(SurveyTable, unique=True, on_delete=OnDelete.cascade)
    score = Integer()
    resolved = Varchar(length=10)
    reason = Text(null=True, default=None)
    entered_by = UUID(null=True, default=None)  # staff, for an assisted answer
    answered_at = Timestamptz(index=True)
    unit = UUID()
    unit_path = Varchar(length=1000, index=True)
    head_person = UUID(null=True, default=None)
    head_name = Varchar(length=limits.NAME)


ALL_TABLES: tuple[type[Table], ...] = (
    UnitTable,
    PersonTable,
    MembershipTable,
    RoleGrantTable,
    LeaderAssignmentTable,
    DeviceSessionTable,
    LoginAttemptTable,
    AuditEventTable,
    IdempotencyKeyTable,
    MeetingRuleTable,
    MeetingTable,
    AttendanceTable,
    LeaderVisitTable,
    MinutesAmendmentTable,
    ChecklistTemplateTable,
    InspectionTable,
    InspectionMemberTable,
    SealedReadTable,
    TaskTable,
    TaskStepTable,
    TaskCommentTable,
    PetitionTable,
    CalendarDayTable,
    AttachmentTable,
    CalendarTokenTable,
    PushDeviceTable,
    NotificationTable,
    DeliveryTable,
    NotificationPreferenceTable,
    JobRunTable,
    ReminderTable,
    ComplianceFlagTable,
    QualityCriteriaSetTable,
    MeetingQualityTable,
    MeetingDiscussionTable,
    DocumentCounterTable,
    DocumentNumberTable,
    SyncChangeTable,
    SyncDeliveredTable,
    SyncStateTable,
    DialogueTable,
    ReceptionDayTable,
    ReportIssueTable,
    SurveyTable,
    SurveyAnswerTable,
)
