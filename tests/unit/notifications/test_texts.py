from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from api.http.error_texts import TITLES
from domain.org.model import Locale
from notifications.texts import TEMPLATES, TemplateTexts, format_date, format_when

# 19:30 in Hà Nội on Thursday 3 December 2026
MEETING = datetime(2026, 12, 3, 12, 30, tzinfo=UTC)


def test_local_date_and_time_in_vietnamese() -> None:
    assert format_when(MEETING, Locale.VI) == "19:30 thứ Năm, 03/12/2026"


def test_local_date_and_time_in_english() -> None:
    assert format_when(MEETING, Locale.EN) == "19:30 Thursday, 03/12/2026"


@pytest.mark.parametrize(
    ("day", "vi", "en"),
    [
        (date(2026, 11, 30), "thứ Hai, 30/11/2026", "Monday, 30/11/2026"),
        (date(2026, 12, 4), "thứ Sáu, 04/12/2026", "Friday, 04/12/2026"),
        (date(2026, 12, 5), "thứ Bảy, 05/12/2026", "Saturday, 05/12/2026"),
        (date(2026, 12, 6), "Chủ nhật, 06/12/2026", "Sunday, 06/12/2026"),
    ],
)
def test_weekdays(day: date, vi: str, en: str) -> None:
    assert format_date(day, Locale.VI) == vi
    assert format_date(day, Locale.EN) == en


def test_a_utc_time_after_local_midnight_shows_the_local_day() -> None:
    assert format_when(datetime(2026, 12, 3, 17, 15, tzinfo=UTC), Locale.VI) == (
        "00:15 thứ Sáu, 04/12/2026"
    )


def test_meeting_notice_in_both_languages() -> None:
    params = {"cell": "Chi bộ khu dân cư số 1", "start": MEETING, "place": "Nhà văn hóa tổ 5"}
    vi = TemplateTexts().render("meeting_published", params, Locale.VI)
    en = TemplateTexts().render("meeting_published", params, Locale.EN)
    assert vi.title == "Thông báo sinh hoạt chi bộ"
    assert vi.body == (
        "Chi bộ khu dân cư số 1 sinh hoạt lúc 19:30 thứ Năm, 03/12/2026 tại Nhà văn hóa tổ 5."
    )
    assert (
        en.body == "Chi bộ khu dân cư số 1 meets at 19:30 Thursday, 03/12/2026 at Nhà văn hóa tổ 5."
    )


def test_task_assigned_shows_the_due_date() -> None:
    params = {"title": "Khơi thông cống rãnh ngõ 12", "due": date(2026, 12, 15)}
    vi = TemplateTexts().render("task_assigned", params, Locale.VI)
    assert vi.body == "Đồng chí được giao: Khơi thông cống rãnh ngõ 12. Hạn thứ Ba, 15/12/2026."


SAMPLE = {
    "cell": "Chi bộ số 1",
    "unit": "Chi bộ số 1",
    "start": MEETING,
    "place": "Nhà văn hóa",
    "title": "Việc",
    "due": date(2026, 12, 15),
    "reason": "Thiếu ảnh",
    "day": date(2026, 12, 3),
    "meetings": 2,
    "inspections": 1,
    "tasks": 5,
    "unread": 3,
    "category": "Vệ sinh môi trường",
    "month": "11/2026",
    "quarter": "4/2026",
    "attended": 1,
    "expected": 3,
    "name": "Lê Thị Hoa",
    "months": 3,
    "year": "2026",
}


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize("locale", list(Locale))
def test_every_template_renders_in_both_languages(template: str, locale: Locale) -> None:
    texts = TemplateTexts().render(template, SAMPLE, locale)
    assert texts.title
    assert texts.body
    assert "{" not in texts.title + texts.body


def test_the_required_templates_exist() -> None:
    assert {
        "meeting_published",
        "meeting_reminder",
        "inspection_scheduled",
        "inspection_revealed",
        "task_assigned",
        "task_returned",
        "task_closed",
        "task_reopened",
        "task_escalated",
        "daily_digest",
    } <= set(TEMPLATES)


VI_TEXTS = [
    *(part for texts in TEMPLATES.values() for part in texts[Locale.VI]),
    *(vi for vi, _ in TITLES.values()),
]


@pytest.mark.parametrize("text", VI_TEXTS)
def test_vietnamese_texts_address_users_as_dong_chi_never_ban(text: str) -> None:
    assert not re.search(r"\bbạn\b", text, flags=re.IGNORECASE)


def test_each_push_kind_has_its_own_title() -> None:
    """One event, one push: two kinds never look the same on the lock screen."""
    for locale in Locale:
        titles = [texts[locale][0] for texts in TEMPLATES.values()]
        assert len(titles) == len(set(titles)), locale
