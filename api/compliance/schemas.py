"""Compliance flags as the API answers them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from api.http.schemas import Out
from domain.compliance.model import ComplianceFlag, FlagKind


class ComplianceFlagOut(Out):
    id: UUID
    kind: FlagKind
    unit_id: UUID  # the cell
    unit_name: str
    subject_id: UUID  # the cell, the leader (leader_behind_quota) or the member (unexcused_absence)
    period: str
    detail: dict[str, Any]
    raised_at: datetime

    @classmethod
    def of(cls, flag: ComplianceFlag) -> ComplianceFlagOut:
        return cls(
            id=flag.id,
            kind=flag.kind,
            unit_id=flag.unit_id,
            unit_name=flag.unit_name,
            subject_id=flag.subject,
            period=flag.period,
            detail=dict(flag.detail),
            raised_at=flag.raised_at,
        )
