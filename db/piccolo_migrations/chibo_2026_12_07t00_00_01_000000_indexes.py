"""The indexes Piccolo's tables cannot declare: multi-column and partial ones (SQLite cannot add
table constraints after the fact; ``CREATE UNIQUE INDEX ... WHERE`` works on both engines).

Each name is its own: Piccolo already names a column's index ``<table>_<column>``, and
``IF NOT EXISTS`` on such a name silently creates nothing.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.migration_sql import ddl

ID = "2026-12-07T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "multi-column and partial indexes"

UNIQUE_INDEXES = {
    # one live row per pair
    "membership_live": "membership (person, cell) WHERE left_on IS NULL",
    "role_grant_live": "role_grant (person, unit, role) WHERE revoked_at IS NULL",
    "leader_assignment_live": "leader_assignment (leader, cell) WHERE ended_on IS NULL",
    "idempotency_key_person_key": "idempotency_key (person, key)",
    # at most one live regular meeting per cell and local month, however many plan it at once
    "meeting_regular_month": (
        "meeting (cell, occurrence) WHERE occurrence IS NOT NULL AND status <> 'cancelled'"
    ),
    "attendance_meeting_person_unique": "attendance (meeting, person)",
    "leader_visit_meeting_leader_unique": "leader_visit (meeting, leader)",
    "checklist_template_family_version": "checklist_template (family, version)",
    "inspection_member_unique": "inspection_member (inspection, person)",
    "task_step_position": "task_step (task, position)",
    # a reminder is sent once per subject and occurrence, a flag raised once per period
    "reminder_key": "reminder (kind, subject, occurrence)",
    "compliance_flag_key": "compliance_flag (kind, unit, subject, period)",
}

INDEXES = {
    # the dispatcher's claim: due pending deliveries, oldest first
    "delivery_pending_due": "delivery (next_attempt_at) WHERE status = 'pending'",
    # a person's inbox, newest first, and the unread count
    "notification_inbox": "notification (person, created_at, id)",
    "notification_unread": "notification (person) WHERE read_at IS NULL",
    # the reminder claim: pending rows, oldest first
    "reminder_pending": "reminder (id) WHERE status = 'pending'",
    # task sweeps: live tasks by due date (due in n days, overdue)
    "task_live_due": "task (due_on) WHERE status IN ('open', 'in_progress')",
    # petition sweeps: unanswered petitions by reply date
    "petition_unanswered_due": "petition (reply_due_on) WHERE reply IS NULL",
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    for kind, indexes in (("UNIQUE INDEX", UNIQUE_INDEXES), ("INDEX", INDEXES)):
        for name, target in indexes.items():
            manager.add_raw(ddl(f"CREATE {kind} {name} ON {target}"))
            manager.add_raw_backwards(ddl(f"DROP INDEX {name}"))
    return manager
