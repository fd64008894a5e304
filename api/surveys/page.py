"""The page a resident opens from a survey link: a small HTML form, in Vietnamese, that works
without JavaScript on an old phone's browser (a plain form POST, inline CSS, large targets,
labelled fields, each radio group a fieldset with its legend). The token in the path is the only
credential; the page is not part of the API document."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter

from api.surveys.schemas import SURVEY_PREFIX
from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.surveys.model import (
    SCORE_LABELS,
    ContactKind,
    LinkState,
    Rating,
    Resolved,
    Score,
)
from domain.surveys.service import SurveyPage, SurveyService

Surveys = NamedDependency[SurveyService]
Token = Annotated[str, PathParameter(max_length=100)]
MAX_REASON = 2000
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the link is the credential: never pass it on
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}

CSS = """
body{margin:0;font:18px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:#1a1a1a;background:#f6f4ef}
main{max-width:36em;margin:0 auto;padding:16px}
h1{font-size:1.4em;color:#a50e0e;margin:.4em 0}
fieldset{border:1px solid #bbb;border-radius:8px;margin:0 0 16px;padding:8px 12px;background:#fff}
legend{font-weight:bold;padding:0 4px}
.opt{display:block;padding:10px 4px;min-height:44px;box-sizing:border-box;
border-bottom:1px solid #eee;cursor:pointer}
.opt:last-child{border-bottom:0}
input[type=radio]{width:24px;height:24px;vertical-align:middle;margin:0 10px 0 0}
label.field{display:block;font-weight:bold;margin:0 0 6px}
textarea{width:100%;box-sizing:border-box;font:inherit;padding:8px;border:1px solid #888;
border-radius:6px;min-height:6em}
button{display:block;width:100%;margin:16px 0;padding:14px;font:inherit;font-weight:bold;
color:#fff;background:#a50e0e;border:0;border-radius:8px;min-height:52px}
.alert{border:2px solid #a50e0e;background:#fff0f0;padding:8px 12px;border-radius:6px}
.note{color:#555;font-size:.9em}
"""

ABOUT = {
    ContactKind.PETITION_REPLY: "Văn bản trả lời phản ánh, kiến nghị của ông/bà",
    ContactKind.TASK_CLOSED: "Kết quả giải quyết phản ánh, kiến nghị của ông/bà",
    ContactKind.DIALOGUE: "Buổi đối thoại với Nhân dân mà ông/bà đã tham dự",
}
RESOLVED_LABELS = {
    Resolved.YES: "Đã được giải quyết",
    Resolved.NO: "Chưa được giải quyết",
    Resolved.UNKNOWN: "Không rõ",
}
ENDED: dict[LinkState, tuple[int, str, str]] = {
    LinkState.UNKNOWN: (
        404,
        "Không tìm thấy phiếu khảo sát",
        (
            "Đường dẫn này không đúng hoặc đã được thay bằng một đường dẫn mới. Xin ông/bà kiểm "
            "tra lại đường dẫn, hoặc liên hệ cán bộ đã gửi cho ông/bà."
        ),
    ),
    LinkState.EXPIRED: (
        410,
        "Phiếu khảo sát đã hết hạn",
        (
            "Thời hạn trả lời phiếu này đã hết. Nếu ông/bà vẫn muốn góp ý, xin liên hệ cán bộ đã "
            "gửi phiếu để nhận đường dẫn mới."
        ),
    ),
    LinkState.ANSWERED: (
        409,
        "Phiếu khảo sát đã được trả lời",
        "Phiếu này đã được trả lời; mỗi phiếu chỉ trả lời được một lần. Cảm ơn ông/bà.",
    ),
}
ERRORS = {
    "score": "Xin ông/bà chọn mức độ hài lòng.",
    "resolved": "Xin ông/bà cho biết vấn đề đã được giải quyết chưa.",
    "survey_reason_required": "Xin ông/bà cho biết lý do chưa hài lòng.",
    "reason_too_long": f"Lý do dài quá {MAX_REASON} ký tự.",
}


def _document(title: str, body: str, status: int) -> Response[str]:
    html = (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return Response(html, status_code=status, media_type="text/html", headers=HEADERS)


def _ended(state: LinkState) -> Response[str]:
    status, title, text = ENDED[state]
    return _document(title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>", status)


def _radios(name: str, options: Iterable[tuple[str, str]], chosen: str | None) -> str:
    return "".join(
        f'<label class="opt"><input type="radio" name="{name}" value="{escape(value)}"'
        f"{' checked' if value == chosen else ''} required> {escape(text)}</label>"
        for value, text in options
    )


def _form(
    token: str,
    page: SurveyPage,
    *,
    form: dict[str, str] | None = None,
    errors: Iterable[str] = (),
    status: int = 200,
) -> Response[str]:
    survey = page.survey
    values = form or {}
    about = ABOUT[survey.contact.kind] if survey else ""
    unit = f" ({escape(page.unit_name)})" if page.unit_name else ""
    alert = "".join(f"<p>{escape(ERRORS.get(e, ERRORS['score']))}</p>" for e in errors)
    scores = ((str(int(s)), SCORE_LABELS[s]) for s in sorted(Score, reverse=True))
    resolved = ((r.value, RESOLVED_LABELS[r]) for r in Resolved)
    body = (
        "<h1>Khảo sát mức độ hài lòng</h1>"
        f"<p>Về: {escape(about)}{unit}.</p>"
        + (f'<div class="alert" role="alert">{alert}</div>' if alert else "")
        + f'<form method="post" action="{SURVEY_PREFIX}{escape(token)}">'
        "<fieldset><legend>1. Ông/bà hài lòng đến mức nào?</legend>"
        f"{_radios('score', scores, values.get('score'))}</fieldset>"
        "<fieldset><legend>2. Vấn đề của ông/bà đã được giải quyết chưa?</legend>"
        f"{_radios('resolved', resolved, values.get('resolved'))}</fieldset>"
        '<label class="field" for="reason">3. Lý do, góp ý (bắt buộc nếu không hài lòng)</label>'
        f'<textarea id="reason" name="reason" rows="4" maxlength="{MAX_REASON}">'
        f"{escape(values.get('reason', ''))}</textarea>"
        '<button type="submit">Gửi đánh giá</button></form>'
        '<p class="note">Phiếu không ghi tên ông/bà; cán bộ giải quyết không biết ai đã đánh '
        "giá. Mỗi phiếu chỉ trả lời được một lần.</p>"
    )
    return _document("Khảo sát mức độ hài lòng", body, status)


def _rating(form: dict[str, str]) -> tuple[Rating | None, list[str]]:
    errors = []
    score = form.get("score", "")
    resolved = form.get("resolved", "")
    if score not in {str(int(s)) for s in Score}:
        errors.append("score")
    if resolved not in {r.value for r in Resolved}:
        errors.append("resolved")
    reason = form.get("reason", "").replace("\x00", "").strip() or None
    if reason and len(reason) > MAX_REASON:
        errors.append("reason_too_long")
    if errors:
        return None, errors
    return Rating(Score(int(score)), Resolved(resolved), reason), []


@get(f"{SURVEY_PREFIX}{{token:str}}", include_in_schema=False)
async def survey_page(token: Token, surveys: Surveys) -> Response[str]:
    page = await surveys.page(token)
    if page.state is not LinkState.OPEN:
        return _ended(page.state)
    return _form(token, page)


@post(f"{SURVEY_PREFIX}{{token:str}}", include_in_schema=False, status_code=200)
async def answer_survey_page(
    request: Request[Any, Any, Any], token: Token, surveys: Surveys
) -> Response[str]:
    page = await surveys.page(token)
    if page.state is not LinkState.OPEN:
        return _ended(page.state)
    raw = await request.form()
    form = {key: str(raw.get(key, "")) for key in ("score", "resolved", "reason")}
    rating, errors = _rating(form)
    if rating is None:
        return _form(token, page, form=form, errors=errors, status=422)
    # the page answers in pages, not problem documents: each refusal has its own page
    try:
        await surveys.answer_by_link(token, rating)
    except RuleViolationError as error:
        return _form(token, page, form=form, errors=[error.code], status=422)
    except ConflictError as error:
        expired = error.code == "survey_link_expired"
        return _ended(LinkState.EXPIRED if expired else LinkState.ANSWERED)
    except NotFoundError:
        return _ended(LinkState.UNKNOWN)
    body = (
        "<h1>Cảm ơn ông/bà!</h1>"
        "<p>Đánh giá của ông/bà đã được ghi nhận. Ý kiến này giúp cấp ủy cải thiện việc tiếp "
        "nhận và giải quyết ý kiến của Nhân dân.</p>"
    )
    return _document("Cảm ơn ông/bà", body, 200)
