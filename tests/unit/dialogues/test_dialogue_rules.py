"""The dialogue's rules at their edges: the notice's length in Hà Nội days, the results'
deadline, questions only once it started and before publishing, one outcome per question, and
publishing refused while a question is neither answered nor deferred."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from domain.dialogues.model import (
    Answer,
    Deferral,
    Dialogue,
    DialogueFormat,
    DialogueKind,
    DialoguePolicy,
    Question,
    QuestionState,
)
from domain.errors import ConflictError, NotFoundError, RuleViolationError

STARTS = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)  # 08:00 on the 10th in Hà Nội
POLICY = DialoguePolicy()
ANSWER = Answer("Vũ Đức Minh", "Bí thư", "Sẽ lắp đèn", STARTS)


def make_dialogue(announced_at: datetime = STARTS - timedelta(days=8)) -> Dialogue:
    return Dialogue(
        id=uuid4(),
        ward_id=uuid4(),
        ward_path="/a/b/",
        title="Đối thoại",
        kind=DialogueKind.PERIODIC,
        format=DialogueFormat.IN_PERSON,
        place="Hội trường",
        starts_at=STARTS,
        announced_at=announced_at,
        cell_ids=(uuid4(),),
        co_chairs=(),
        created_by=uuid4(),
    )


def asked(dialogue: Dialogue, content: str = "Ngõ 12 thiếu đèn") -> Question:
    question = Question(uuid4(), content, STARTS)
    dialogue.raise_question(question)
    return question


@pytest.mark.parametrize(
    ("announced", "short"),
    [
        # the 3rd at 23:59 in Hà Nội is seven days before the 10th: enough
        (datetime(2026, 12, 3, 16, 59, tzinfo=UTC), False),
        # one minute later it is already the 4th in Hà Nội: six days
        (datetime(2026, 12, 3, 17, 0, tzinfo=UTC), True),
    ],
)
def test_short_notice_counts_local_days(announced: datetime, *, short: bool) -> None:
    assert make_dialogue(announced).short_notice(POLICY) is short


def test_results_due_ten_days_after_the_local_day() -> None:
    assert make_dialogue().results_due_on(POLICY) == date(2026, 12, 20)
    assert make_dialogue().results_due_on(DialoguePolicy(results_within_days=0)) == date(
        2026, 12, 10
    )


def test_questions_only_once_started() -> None:
    dialogue = make_dialogue()
    with pytest.raises(RuleViolationError, match="dialogue_not_started"):
        dialogue.raise_question(Question(uuid4(), "Sớm", STARTS - timedelta(seconds=1)))
    with pytest.raises(RuleViolationError, match="question_content_required"):
        dialogue.raise_question(Question(uuid4(), "  ", STARTS))


def test_each_question_has_one_outcome() -> None:
    dialogue = make_dialogue()
    question = asked(dialogue)
    dialogue.answer(question.id, ANSWER)
    assert question.state is QuestionState.ANSWERED
    with pytest.raises(ConflictError, match="question_already_handled"):
        dialogue.answer(question.id, ANSWER)
    with pytest.raises(ConflictError, match="question_already_handled"):
        dialogue.check_deferrable(question.id)
    with pytest.raises(NotFoundError, match="question_not_found"):
        dialogue.answer(uuid4(), ANSWER)
    other = asked(dialogue)
    with pytest.raises(RuleViolationError, match="answer_by_required"):
        dialogue.answer(other.id, Answer(" ", "Bí thư", "Có", STARTS))
    with pytest.raises(RuleViolationError, match="answer_text_required"):
        dialogue.answer(other.id, Answer("Minh", "Bí thư", " ", STARTS))
    assert other.state is QuestionState.OPEN


def test_publishing_waits_for_every_question() -> None:
    dialogue = make_dialogue()
    answered, deferred = asked(dialogue), asked(dialogue, "Rác ở chợ")
    dialogue.answer(answered.id, ANSWER)
    dialogue.record_participants(40, STARTS)
    with pytest.raises(RuleViolationError, match="dialogue_questions_pending") as refused:
        dialogue.publish(STARTS)
    assert refused.value.detail == {"questions": [str(deferred.id)]}
    dialogue.check_deferrable(deferred.id).deferral = Deferral(uuid4(), uuid4(), date(2026, 12, 24))
    dialogue.publish(STARTS)
    assert dialogue.published_at == STARTS
    with pytest.raises(ConflictError, match="dialogue_published"):
        asked(dialogue, "Muộn")
    with pytest.raises(ConflictError, match="dialogue_published"):
        dialogue.publish(STARTS)


def test_publishing_needs_the_participants_and_a_start() -> None:
    dialogue = make_dialogue()
    with pytest.raises(RuleViolationError, match="dialogue_not_started"):
        dialogue.publish(STARTS - timedelta(minutes=1))
    with pytest.raises(RuleViolationError, match="dialogue_participants_required"):
        dialogue.publish(STARTS)  # no question at all is fine, no head count is not


def test_policy_numbers_are_not_negative() -> None:
    with pytest.raises(ValueError, match="NOTICE_DAYS"):
        DialoguePolicy(notice_days=-1)
