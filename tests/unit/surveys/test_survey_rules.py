"""The survey rules at their edges, without I/O: when a survey opens, the reason for low scores,
one answer, the link's life, and how the figures count (assisted answers apart)."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from domain.errors import ConflictError, RuleViolationError
from domain.surveys.model import (
    Attribution,
    Contact,
    ContactKind,
    LinkState,
    OpenedSurvey,
    Rating,
    Resolved,
    Score,
    Survey,
    SurveyAnswer,
    SurveyPolicy,
    opens_at,
    reach,
    reopen_reason,
    tally,
)
from tests.fakes import START

POLICY = SurveyPolicy(delay_hours=48, link_days=14, low_sample=30)
UNIT = uuid4()


def _contact(kind: ContactKind) -> Contact:
    return Contact(kind, uuid4(), UNIT, "/a/", START)


def _survey(kind: ContactKind = ContactKind.TASK_CLOSED) -> Survey:
    contact = _contact(kind)
    return Survey(uuid4(), contact, opens_at(contact, POLICY), START)


def _answer(
    score: int, resolved: Resolved = Resolved.YES, *, assisted: bool = False
) -> SurveyAnswer:
    return SurveyAnswer(
        uuid4(),
        uuid4(),
        Rating(Score(score), resolved, "lý do"),
        Attribution(UNIT, "/a/", None, "Trưởng"),
        START,
        uuid4() if assisted else None,
    )


def test_a_reply_opens_after_the_delay_the_other_contacts_at_once() -> None:
    assert opens_at(_contact(ContactKind.PETITION_REPLY), POLICY) == START + timedelta(hours=48)
    assert opens_at(_contact(ContactKind.TASK_CLOSED), POLICY) == START
    assert opens_at(_contact(ContactKind.DIALOGUE), POLICY) == START


@pytest.mark.parametrize(("score", "needs_reason"), [(1, True), (2, True), (3, False), (5, False)])
def test_a_reason_is_required_for_the_two_lowest_scores(score: int, needs_reason: bool) -> None:
    for reason in (None, "   "):
        rating = Rating(Score(score), Resolved.UNKNOWN, reason)
        if needs_reason:
            with pytest.raises(RuleViolationError, match="survey_reason_required"):
                rating.check()
        else:
            rating.check()
    Rating(Score(score), Resolved.UNKNOWN, "Chậm").check()


def test_satisfied_means_four_or_five() -> None:
    assert [Rating(s, Resolved.YES, "x").satisfied for s in Score] == [
        False,
        False,
        False,
        True,
        True,
    ]


def test_a_link_is_issued_only_once_open_and_lives_link_days() -> None:
    survey = _survey(ContactKind.PETITION_REPLY)
    just_before = survey.opens_at - timedelta(seconds=1)
    with pytest.raises(ConflictError, match="survey_not_open"):
        survey.issue_link("h", just_before, POLICY)
    survey.issue_link("h", survey.opens_at, POLICY)
    expires = survey.opens_at + timedelta(days=14)
    assert survey.link_expires_at == expires
    assert survey.link_state(expires - timedelta(seconds=1)) is LinkState.OPEN
    assert survey.link_state(expires) is LinkState.EXPIRED


def test_one_answer_per_survey_and_no_new_link_after_it() -> None:
    survey = _survey()
    survey.issue_link("h", START, POLICY)
    survey.answer(Rating(Score.SATISFIED, Resolved.YES), START)
    assert survey.link_state(START) is LinkState.ANSWERED
    with pytest.raises(ConflictError, match="survey_already_answered"):
        survey.answer(Rating(Score.SATISFIED, Resolved.YES), START)
    with pytest.raises(ConflictError, match="survey_already_answered"):
        survey.issue_link("h2", START, POLICY)


def test_a_refused_rating_leaves_the_survey_unanswered() -> None:
    survey = _survey()
    with pytest.raises(RuleViolationError):
        survey.answer(Rating(Score.VERY_DISSATISFIED, Resolved.NO), START)
    assert survey.answered_at is None


def test_assisted_answers_stay_out_of_the_headline() -> None:
    figures = tally([_answer(5), _answer(4, Resolved.NO), _answer(2), _answer(1, assisted=True)])
    assert (figures.answers, figures.satisfied, figures.not_resolved, figures.assisted) == (
        3,
        2,
        1,
        1,
    )
    assert (figures.satisfied_rate, figures.not_resolved_rate) == (66.7, 33.3)
    assert tally([]).satisfied_rate is None


def test_the_low_sample_marker_is_under_the_configured_number() -> None:
    assert tally([_answer(5)] * 29).low_sample(POLICY)
    assert not tally([_answer(5)] * 30).low_sample(POLICY)
    assert tally([_answer(5)] * 30 + [_answer(5, assisted=True)]).low_sample(
        SurveyPolicy(low_sample=31)
    )


def test_the_response_rate_counts_answers_through_the_link() -> None:
    opened = [OpenedSurvey(UNIT, answered_by_link=a) for a in (True, False, False, True)]
    assert reach(opened).response_rate == 50.0
    assert reach([]).response_rate is None


def test_the_reopening_reason_is_the_answer() -> None:
    assert reopen_reason(Rating(Score.DISSATISFIED, Resolved.NO, " Vẫn ngập ")).endswith(
        "(Không hài lòng): Vẫn ngập"
    )
    assert "Rất hài lòng" in reopen_reason(Rating(Score.VERY_SATISFIED, Resolved.NO))


def test_the_policy_refuses_a_link_that_never_lives() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        SurveyPolicy(link_days=0)
