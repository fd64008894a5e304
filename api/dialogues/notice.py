"""The results notice of a dialogue (thông báo kết quả đối thoại) as .docx, in the Party's
document layout of api/documents/layout.py: every question with the answer given on the spot, or
who owes the written reply, by when, and whether it was given. Askers are never named."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from api.documents.layout import (
    Heading,
    Style,
    add_text,
    day_text,
    new_document,
    party_header,
    saved,
    signature,
    time_text,
    two_columns,
)
from domain.clock import local_day
from domain.dialogues.model import DialogueFormat
from domain.dialogues.service import DialogueResults, QuestionOutcome
from domain.documents.model import DocumentPolicy, locality

FORMAT_TEXT = {
    DialogueFormat.IN_PERSON: "trực tiếp",
    DialogueFormat.ONLINE: "trực tuyến",
    DialogueFormat.BOTH: "trực tiếp kết hợp trực tuyến",
}
# the register of notices is kept on paper by the ward's office: the number is written in by hand
NUMBER = "       -TB/ĐU"


def outcome_lines(n: int, outcome: QuestionOutcome) -> list[str]:
    q = outcome.question
    lines = [f"{n}. {q.content}"]
    if q.answer is not None:
        lines.append(
            f"Trả lời tại buổi đối thoại (đồng chí {q.answer.by_name}, {q.answer.by_title}):"
        )
        lines.append(q.answer.text)
    elif q.deferral is not None:
        due = day_text(q.deferral.reply_due_on)
        lines.append(
            f"Tiếp thu, trả lời bằng văn bản: đồng chí {outcome.owner_name or '—'} chịu trách"
            f" nhiệm, hạn trả lời {due}."
        )
        if outcome.replied_at is not None and outcome.reply_text is not None:
            lines.append(
                f"Đã trả lời {day_text(local_day(outcome.replied_at))}: {outcome.reply_text}"
            )
        else:
            lines.append("Tình trạng: đang giải quyết.")
    return lines


def results_docx(found: DialogueResults, policy: DocumentPolicy) -> bytes:
    d = found.dialogue
    published = d.published_at or d.starts_at
    document = new_document(policy)
    party_header(
        document,
        Heading(
            found.upper_body,
            locality(found.ward_name),
            found.ward_name,
            NUMBER,
            local_day(published),
            "THÔNG BÁO",
            f"Kết quả đối thoại với Nhân dân: {d.title}",
        ),
    )
    chairs = "; ".join(f"đồng chí {c.name}, {c.role}" for c in d.co_chairs)
    add_text(
        document,
        f"Vào {time_text(d.starts_at)}, {day_text(local_day(d.starts_at))}, tại {d.place},"
        f" {found.ward_name} tổ chức đối thoại {FORMAT_TEXT[d.format]} với Nhân dân. Đồng chủ"
        f" trì: {chairs}. Số người tham dự: {d.participants or 0}.",
    )
    add_text(
        document,
        f"Tại buổi đối thoại có {len(d.questions)} ý kiến, kiến nghị; kết quả trả lời như sau:",
    )
    for n, outcome in enumerate(found.outcomes, start=1):
        for k, line in enumerate(outcome_lines(n, outcome)):
            add_text(document, line, Style(bold=k == 0))
    add_text(document, "")
    left, right = two_columns(document, 0.5)
    flush = WD_ALIGN_PARAGRAPH.LEFT
    add_text(left, "Nơi nhận:", Style(size=12, bold=True, underline=True), flush)
    for line in (f"- {found.upper_body} (b/c),", "- Các chi bộ khu dân cư,", "- Lưu Văn phòng."):
        add_text(left, line, Style(size=12), flush)
    # signed for the committee by the first co-chair, its secretary
    first = d.co_chairs[0].name if d.co_chairs else ""
    signature(right, ["T/M ĐẢNG ỦY", "BÍ THƯ"], first)
    return saved(document)
