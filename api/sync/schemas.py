"""Bodies of the sync operations (protocol: README "Offline sync", decision 0016)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.params import QueryParameter

from api.http.schemas import In, Out

SyncLimit = Annotated[
    int,
    QueryParameter(
        ge=1, le=2000, description="Objects per page (a target: revealed inspections may add a few)"
    ),
]
SyncCursorParam = Annotated[
    str | None,
    QueryParameter(
        max_length=400,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="`cursor` of the previous pull; absent on the first sync. A cursor that this"
        " server did not hand to this caller answers 400 `sync_cursor_invalid`.",
    ),
]
MutationId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._:-]{8,200}$")]


class SyncItemOut(Out, kw_only=True):
    id: UUID
    data: Any  # exactly what the REST read answers (GetMeeting, GetTask, …)
    version: int | None = None  # None for a list (leaderVisits, taskComments)


class SyncEntityOut(Out):
    upserted: list[SyncItemOut]
    removed: list[UUID]  # gone from the caller's view: deleted, moved or hidden alike


class SyncPullOut(Out):
    cursor: str
    has_more: bool
    reset: bool  # drop every synced object (keep unpushed mutations) before applying this page
    changes: dict[str, SyncEntityOut]


class PushOperation(StrEnum):
    CREATE_MEETING = "CreateMeeting"
    MOVE_MEETING = "MoveMeeting"
    CANCEL_MEETING = "CancelMeeting"
    PUBLISH_MEETING_NOTICE = "PublishMeetingNotice"
    LOG_MEETING = "LogMeeting"
    MARK_ATTENDANCE = "MarkAttendance"
    FINALIZE_MINUTES = "FinalizeMinutes"
    CHECK_IN = "CheckIn"
    CONFIRM_LEADER_VISIT = "ConfirmLeaderVisit"
    CREATE_TASK = "CreateTask"
    START_TASK = "StartTask"
    SUBMIT_TASK = "SubmitTask"
    RETURN_TASK = "ReturnTask"
    CLOSE_TASK = "CloseTask"
    REOPEN_TASK = "ReopenTask"
    COMMENT_ON_TASK = "CommentOnTask"
    CHECK_IN_INSPECTION = "CheckInInspection"
    ANSWER_CHECKLIST_ITEM = "AnswerChecklistItem"
    ADD_FINDING = "AddFinding"
    RECORD_PETITION = "RecordPetition"


class SyncMutationIn(In):
    mutation_id: MutationId  # its Idempotency-Key: a replay answers the first result
    operation: PushOperation  # the REST operation it runs
    params: dict[str, str] = {}  # its path parameters, e.g. {"meetingId": "…"}
    base_version: int | None = None  # sent as If-Match
    body: dict[str, Any] | None = None  # its request body


class SyncPushIn(In):
    mutations: Annotated[list[SyncMutationIn], msgspec.Meta(min_length=1, max_length=100)]


class PushStatus(StrEnum):
    APPLIED = "applied"
    CONFLICT = "conflict"
    REJECTED = "rejected"
    DEFERRED = "deferred"


class SyncResultOut(Out):
    mutation_id: str
    status: PushStatus
    version: int | None = None  # applied: the new version
    data: Any = None  # applied: what the REST operation answered
    current: SyncItemOut | None = None  # conflict: the server's version, if still visible
    problem: dict[str, Any] | None = None  # conflict, rejected, deferred: the RFC 9457 problem


class SyncPushOut(Out):
    results: list[SyncResultOut]
