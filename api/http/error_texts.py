"""Titles of every error code, in Vietnamese and English. The app switches on the code.

The titles live in the gettext catalogs api/http/locale/<language>/LC_MESSAGES/errors.po, one
``error.<code>`` entry per code.
"""

from __future__ import annotations

import re
from pathlib import Path

from domain.org.model import Locale
from notifications.catalogs import read_catalogs

_TITLES = read_catalogs(Path(__file__).parent / "locale", "errors")
# code -> (Vietnamese, English)
TITLES: dict[str, tuple[str, str]] = {
    key.removeprefix("error."): (vi, _TITLES[Locale.EN][key])
    for key, vi in _TITLES[Locale.VI].items()
}

FALLBACK_BY_STATUS: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    500: "internal_error",
}


def title(code: str, locale: Locale) -> str:
    vi, en = TITLES.get(code, TITLES["bad_request"])
    return en if locale is Locale.EN else vi


_COMPARISONS = {
    ">=": "lớn hơn hoặc bằng",
    "<=": "nhỏ hơn hoặc bằng",
    ">": "lớn hơn",
    "<": "nhỏ hơn",
}
_RFC3339 = {"datetime": "thời điểm", "date": "ngày", "time": "giờ"}
# What msgspec and Litestar say about invalid input (English), in Vietnamese; first match wins.
VALIDATION_TEXTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), vi)
    for pattern, vi in (
        (r"Validation failed for body", "Nội dung gửi lên không hợp lệ"),
        (r"Validation failed for query", "Tham số truy vấn không hợp lệ"),
        (r"Validation failed for (?P<request>.+)", "Yêu cầu {request} có dữ liệu không hợp lệ"),
        (
            r"Missing required (?P<kind>\w+) parameter '(?P<name>[^']+)' for path .*",
            "Thiếu tham số bắt buộc '{name}' ({kind})",
        ),
        (r"Object missing required field `(?P<field>[^`]+)`", "Thiếu trường bắt buộc `{field}`"),
        (r"Object contains unknown field `(?P<field>[^`]+)`", "Trường `{field}` không được phép"),
        (
            r"Expected `(?P<type>[^`]+)`, got `(?P<got>[^`]+)`",
            "Cần giá trị kiểu `{type}`, nhận được `{got}`",
        ),
        (r"Expected `(?P<type>\w+)` of length >= (?P<n>\d+)", "Cần `{type}` dài ít nhất {n}"),
        (r"Expected `(?P<type>\w+)` of length <= (?P<n>\d+)", "Cần `{type}` dài nhiều nhất {n}"),
        (
            r"Expected `array` of at least length (?P<n>\d+), got \d+",
            "Cần danh sách có ít nhất {n} phần tử",
        ),
        (
            r"Expected `array` of at most length (?P<n>\d+)(, got \d+)?",
            "Cần danh sách có nhiều nhất {n} phần tử",
        ),
        (
            r"Expected `(?P<type>\w+)` (?P<op>>=|<=|>|<) (?P<n>\S+)",
            "Cần `{type}` {op_vi} {n}",
        ),
        (r"Expected `int` that's a multiple of (?P<n>\d+)", "Cần số nguyên là bội của {n}"),
        (r"Expected `str` matching regex (?P<regex>.+)", "Cần chuỗi khớp mẫu {regex}"),
        (r"Expected `\w+` with a timezone component", "Cần thời điểm có múi giờ"),
        (r"Expected `\w+` with no timezone component", "Cần thời điểm không có múi giờ"),
        (r"Expected `(?P<type>[^`]+)`", "Cần giá trị kiểu `{type}`"),
        (r"Invalid RFC3339 encoded (?P<what>datetime|date|time)", "Cần {what_vi} theo RFC 3339"),
        (r"Invalid UUID", "Cần một UUID hợp lệ"),
        (r"Invalid enum value (?P<value>.+)", "Giá trị {value} không nằm trong danh sách cho phép"),
        (r"Integer value out of range", "Số nằm ngoài phạm vi cho phép"),
        (r"Invalid value (?P<value>.+)", "Giá trị {value} không hợp lệ"),
    )
)


def validation_text(text: str, locale: Locale) -> str:
    """A validation detail or field message in the caller's language."""
    if locale is Locale.EN:
        return text
    for pattern, vi in VALIDATION_TEXTS:
        if match := pattern.fullmatch(text):
            words = match.groupdict()
            return vi.format(
                **words,
                op_vi=_COMPARISONS.get(words.get("op") or "", ""),
                what_vi=_RFC3339.get(words.get("what") or "", ""),
            )
    return f"Giá trị không hợp lệ ({text})"
