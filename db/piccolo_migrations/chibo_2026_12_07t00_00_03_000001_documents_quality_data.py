"""What the previous migration's tables need beyond Piccolo's columns: their multi-column unique
indexes, and the default meeting-quality criteria set (no unit: it applies wherever no unit up the
tree chose its own).

The default is the 100-point sheet provinces publish (preparation 15, attendance 20, conduct 45,
closing 20; Tốt from 90, Khá from 70, Trung bình from 50), with "Tốt" needing full marks for
attendance, duration, members' contributions and the minutes, and the year's "Tốt" needing seven
meetings rated Tốt and none below Khá. It is data written once here, not code: a ward or a city
that uses another sheet adds its own version through the API.
"""

from datetime import UTC, datetime
from uuid import UUID

import orjson
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from db.migration_sql import ddl

ID = "2026-12-07T00:00:03:000001"
VERSION = "1.38.0"
DESCRIPTION = "document register indexes and the default quality criteria set"

UNIQUE_INDEXES = {
    # one version number per unit's criteria set (two versions made at once: one loses)
    "quality_criteria_set_unit_version": "quality_criteria_set (unit, version)",
    # one counter per cell, document type and committee term: the row concurrent issuers lock
    "document_counter_key": "document_counter (cell, kind, term)",
    # a number is issued once, and a meeting's document of a type has one number
    "document_number_unique": "document_number (cell, kind, term, number)",
    "document_number_meeting_kind": "document_number (meeting, kind)",
}

DEFAULT_SET_ID = UUID("5e7d0a4c-2b1f-4c8e-9a61-000000000016")
DEFAULT_SET_NAME = "Xếp loại chất lượng sinh hoạt chi bộ (mặc định, thang 100 điểm)"


def _criterion(
    key: str, group: str, title: str, max_points: int, *, must_be_full: bool = False
) -> dict[str, object]:
    return {
        "code": key,
        "group": group,
        "title": title,
        "max_points": max_points,
        "must_be_full": must_be_full,
    }


DEFAULT_DEFINITION = {
    "criteria": [
        _criterion("prep_content", "preparation",
                   "Chi ủy chuẩn bị nội dung, dự thảo nghị quyết trước khi họp", 10),
        _criterion("prep_notice", "preparation",
                   "Thông báo thời gian, địa điểm, nội dung cho đảng viên đúng hạn", 5),
        _criterion("att_rate", "attendance",
                   "Đảng viên dự họp đầy đủ (từ 90% trở lên)", 10, must_be_full=True),
        _criterion("att_duration", "attendance",
                   "Sinh hoạt đúng kỳ, đủ thời gian (ít nhất 90 phút)", 10, must_be_full=True),
        _criterion("con_procedure", "conduct",
                   "Thực hiện đúng trình tự, thủ tục sinh hoạt", 10),
        _criterion("con_contributions", "conduct",
                   "Đảng viên phát biểu, đóng góp ý kiến xây dựng", 15, must_be_full=True),
        _criterion("con_tasks", "conduct",
                   "Đánh giá kết quả, đề ra nhiệm vụ tháng tới sát thực tế", 10),
        _criterion("con_criticism", "conduct",
                   "Tính lãnh đạo, tính giáo dục, tính chiến đấu; tự phê bình và phê bình", 10),
        _criterion("clo_resolution", "closing",
                   "Kết luận, biểu quyết thông qua nghị quyết", 10),
        _criterion("clo_minutes", "closing",
                   "Biên bản ghi đầy đủ, đúng quy định", 10, must_be_full=True),
    ],
    "thresholds": {"good": 90, "fair": 70, "average": 50},
    "annual": [
        {"band": "good", "meetings": 7, "none_below": "fair"},
        {"band": "fair", "meetings": 7, "none_below": "average"},
        {"band": "average", "meetings": 7, "none_below": None},
    ],
}  # fmt: skip


async def _insert_default() -> None:
    engine = engine_finder()
    if engine is None:
        msg = "no Piccolo engine configured"
        raise RuntimeError(msg)
    await engine.run_querystring(
        QueryString(
            "INSERT INTO quality_criteria_set (id, unit, version, name, definition, created_at,"
            " created_by) VALUES ({}, NULL, 1, {}, {}, {}, NULL)",
            DEFAULT_SET_ID,
            DEFAULT_SET_NAME,
            orjson.dumps(DEFAULT_DEFINITION).decode(),
            datetime(2026, 12, 7, tzinfo=UTC),
        )
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="chibo", description=DESCRIPTION)
    for name, target in UNIQUE_INDEXES.items():
        manager.add_raw(ddl(f"CREATE UNIQUE INDEX {name} ON {target}"))
        manager.add_raw_backwards(ddl(f"DROP INDEX {name}"))
    manager.add_raw(_insert_default)
    manager.add_raw_backwards(
        ddl(f"DELETE FROM quality_criteria_set WHERE id = '{DEFAULT_SET_ID}'")
    )
    return manager
