"""Push and inbox texts per template, in Vietnamese (default) and English, with local dates.

Rules for every template (the callers keep them): no personal data of petitioners (name, phone,
address) — a petition is named by its subject or its task only; nothing about a surprise
(sealed) inspection before it is revealed — "inspection_revealed" is sent only once it starts,
"inspection_scheduled" only for inspections the recipient may already see.

Params: a ``datetime`` is shown as local time and date ("19:30 thứ Năm, 03/12/2026"), a ``date``
as "thứ Năm, 03/12/2026"; anything else as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from domain.clock import LOCAL_TZ
from domain.notifications.model import Texts
from domain.org.model import Locale

WEEKDAYS: dict[Locale, tuple[str, ...]] = {
    Locale.VI: ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"),
    Locale.EN: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

# template -> {locale: (title, body)}; placeholders are str.format fields.
TEMPLATES: dict[str, dict[Locale, tuple[str, str]]] = {
    "meeting_published": {
        Locale.VI: ("Thông báo sinh hoạt chi bộ", "{cell} sinh hoạt lúc {start} tại {place}."),
        Locale.EN: ("Cell meeting notice", "{cell} meets at {start} at {place}."),
    },
    "meeting_reminder": {
        Locale.VI: ("Nhắc lịch sinh hoạt", "Đồng chí có lịch sinh hoạt {cell} lúc {start}."),
        Locale.EN: ("Meeting reminder", "You have a meeting of {cell} at {start}."),
    },
    "minutes_nag": {
        Locale.VI: (
            "Biên bản chưa hoàn tất",
            "Biên bản cuộc sinh hoạt {cell} ngày {day} chưa được hoàn tất.",
        ),
        Locale.EN: ("Minutes not finalised", "The minutes of {cell} on {day} are not final yet."),
    },
    "inspection_reminder": {
        Locale.VI: ("Nhắc lịch kiểm tra", "Đoàn kiểm tra làm việc với {unit} lúc {start}."),
        Locale.EN: ("Inspection reminder", "The inspection of {unit} starts at {start}."),
    },
    "inspection_scheduled": {
        Locale.VI: ("Lịch kiểm tra", "Đoàn kiểm tra làm việc với {unit} từ {start}."),
        Locale.EN: ("Inspection scheduled", "An inspection of {unit} starts {start}."),
    },
    "inspection_revealed": {
        Locale.VI: ("Kiểm tra đột xuất", "Đoàn kiểm tra đang làm việc với {unit} từ {start}."),
        Locale.EN: ("Surprise inspection", "An inspection of {unit} has begun at {start}."),
    },
    "task_assigned": {
        Locale.VI: ("Việc mới được giao", "Đồng chí được giao: {title}. Hạn {due}."),
        Locale.EN: ("New task", "You have been assigned: {title}. Due {due}."),
    },
    "task_returned": {
        Locale.VI: ("Việc bị trả lại", "Việc {title} cần bổ sung: {reason}"),
        Locale.EN: ("Task returned", "The task {title} needs more work: {reason}"),
    },
    "task_closed": {
        Locale.VI: ("Việc đã được đóng", "Việc {title} đã được xác nhận hoàn thành."),
        Locale.EN: ("Task closed", "The task {title} was verified and closed."),
    },
    "task_reopened": {
        Locale.VI: ("Việc được mở lại", "Việc {title} đã được mở lại. Hạn mới {due}."),
        Locale.EN: ("Task reopened", "The task {title} was reopened. New due date {due}."),
    },
    "task_reassigned": {
        Locale.VI: (
            "Việc đã chuyển người khác",
            "Việc {title} đã được giao cho người khác: {reason}",
        ),
        Locale.EN: ("Task handed over", "The task {title} was assigned to someone else: {reason}"),
    },
    "task_extended": {
        Locale.VI: ("Việc được gia hạn", "Việc {title} được gia hạn đến {due}: {reason}"),
        Locale.EN: ("Task extended", "The task {title} now falls due {due}: {reason}"),
    },
    "task_due_soon": {
        Locale.VI: ("Việc sắp đến hạn", "Việc {title} đến hạn {due}."),
        Locale.EN: ("Task due soon", "The task {title} is due {due}."),
    },
    "task_due_today": {
        Locale.VI: ("Việc đến hạn hôm nay", "Hôm nay ({due}) là hạn của việc {title}."),
        Locale.EN: ("Task due today", "The task {title} is due today ({due})."),
    },
    "task_overdue": {
        Locale.VI: ("Việc quá hạn", "Việc {title} đã quá hạn từ {due}."),
        Locale.EN: ("Task overdue", "The task {title} has been overdue since {due}."),
    },
    "petition_reply_soon": {
        Locale.VI: (
            "Sắp hết hạn trả lời phản ánh",
            "Phản ánh về {category} cần được trả lời bằng văn bản trước hết {due}.",
        ),
        Locale.EN: (
            "Petition reply due soon",
            "The petition about {category} needs a written reply by {due}.",
        ),
    },
    "petition_reply_overdue": {
        Locale.VI: (
            "Quá hạn trả lời phản ánh",
            "Phản ánh về {category} đã quá hạn trả lời từ {due}.",
        ),
        Locale.EN: (
            "Petition reply overdue",
            "The reply to the petition about {category} was due {due}.",
        ),
    },
    "task_escalated": {
        Locale.VI: (
            "Đôn đốc việc quá hạn",
            "Việc {title} của {unit} quá hạn từ {due}, đề nghị đồng chí đôn đốc.",
        ),
        Locale.EN: (
            "Overdue task to follow up",
            "The task {title} of {unit} is overdue since {due}; please follow it up.",
        ),
    },
    "no_regular_meeting": {
        Locale.VI: (
            "Chưa sinh hoạt thường kỳ",
            "{cell} chưa tổ chức sinh hoạt thường kỳ tháng {month} (tính đến {day}).",
        ),
        Locale.EN: (
            "No regular meeting",
            "{cell} has not held its regular meeting for {month} (as of {day}).",
        ),
    },
    "no_thematic_meeting": {
        Locale.VI: (
            "Chưa sinh hoạt chuyên đề",
            "{cell} không tổ chức sinh hoạt chuyên đề trong quý {quarter}.",
        ),
        Locale.EN: (
            "No thematic meeting",
            "{cell} held no thematic meeting in quarter {quarter}.",
        ),
    },
    "leader_behind_quota": {
        Locale.VI: (
            "Chưa đạt định mức dự sinh hoạt",
            (
                "Đồng chí mới dự {attended}/{expected} buổi sinh hoạt của {cell} theo định mức"
                " tính đến {day}."
            ),
        ),
        Locale.EN: (
            "Behind your attendance quota",
            "You have attended {attended} of the {expected} meetings of {cell} expected by {day}.",
        ),
    },
    "unexcused_absence": {
        Locale.VI: (
            "Đảng viên vắng sinh hoạt không lý do",
            (
                "Đồng chí {name} ({cell}) vắng sinh hoạt không lý do {months} tháng trong năm"
                " {year}, cần xem xét theo quy định."
            ),
        ),
        Locale.EN: (
            "Unexcused absences",
            (
                "{name} ({cell}) missed meetings without excuse in {months} months of {year};"
                " to be reviewed."
            ),
        ),
    },
    "daily_digest": {
        Locale.VI: (
            "Tóm tắt {day}",
            (
                "{unread} thông báo chưa đọc. Hôm nay: {meetings} cuộc sinh hoạt,"
                " {inspections} cuộc kiểm tra; {tasks} việc quá hạn cần đôn đốc."
            ),
        ),
        Locale.EN: (
            "Summary for {day}",
            (
                "{unread} unread notifications. Today: {meetings} meetings,"
                " {inspections} inspections; {tasks} overdue tasks to follow up."
            ),
        ),
    },
}


def format_date(day: date, locale: Locale) -> str:
    """ "thứ Năm, 03/12/2026" / "Thursday, 03/12/2026": day first, as in Vietnam."""
    return f"{WEEKDAYS[locale][day.weekday()]}, {day:%d/%m/%Y}"


def format_when(moment: datetime, locale: Locale) -> str:
    """ "19:30 thứ Năm, 03/12/2026" in Hà Nội time, whatever zone ``moment`` is in."""
    local = moment.astimezone(LOCAL_TZ)
    return f"{local:%H:%M} {format_date(local.date(), locale)}"


def _shown(value: object, locale: Locale) -> str:
    if isinstance(value, datetime):
        return format_when(value, locale)
    if isinstance(value, date):
        return format_date(value, locale)
    return str(value)


class TemplateTexts:
    """The Renderer the Notifier uses."""

    def render(self, template: str, params: Mapping[str, object], locale: Locale) -> Texts:
        title, body = TEMPLATES[template][locale]
        shown = {key: _shown(value, locale) for key, value in params.items()}
        return Texts(title.format(**shown), body.format(**shown))
