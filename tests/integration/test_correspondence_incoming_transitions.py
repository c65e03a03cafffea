"""The incoming letter's state machine: every allowed transition through ``transition_apply``
(one history row, the target state) and every refused one (a clean refusal, nothing written)."""

import pytest
from django_fsm import TransitionNotAllowed

from correspondence.models import IncomingLetter, IncomingStatus
from correspondence.testing import build_world, register
from workflow.models import HistoryAction
from workflow.selectors import history_of
from workflow.transitions import transition_apply

S = IncomingStatus
ALLOWED = {
    (S.REGISTERED, "await_assignment"): S.ASSIGNING,
    (S.IN_REVIEW, "await_assignment"): S.ASSIGNING,
    (S.REGISTERED, "send_for_review"): S.IN_REVIEW,
    (S.REGISTERED, "start_work"): S.IN_WORK,
    (S.IN_REVIEW, "start_work"): S.IN_WORK,
    (S.ASSIGNING, "start_work"): S.IN_WORK,
    (S.IN_WORK, "execute"): S.DONE,
    (S.IN_WORK, "prepare_reply"): S.REPLY_PREPARING,
    (S.REPLY_PREPARING, "close_by_reply"): S.DONE,
}
TRANSITIONS = sorted({name for _state, name in ALLOWED})
REFUSED = [(state, name) for state in S for name in TRANSITIONS if (state, name) not in ALLOWED]
KWARGS = {"execute": {"report": "Исполнено"}, "close_by_reply": {"report": "Ответ отправлен"}}


@pytest.fixture
def letter_in(org):
    world = build_world(org)
    letter = register(world["office"], entity=world["entity"], counterparty=world["government"])

    def make(state):
        IncomingLetter.objects.filter(pk=letter.pk).update(status=state)
        return IncomingLetter.objects.get(pk=letter.pk), world["office"]

    return make


@pytest.mark.parametrize(("state", "name"), sorted(ALLOWED))
def test_allowed_transition_moves_the_letter_and_writes_one_row(letter_in, state, name):
    """GIVEN a letter in ``state`` WHEN transition ``name`` is applied THEN the letter is in the
    table's target state, saved, with exactly one TRANSITION row from → to."""
    letter, actor = letter_in(state)
    before = history_of(letter).count()
    transition_apply(letter, name, actor=actor, description="тест", **KWARGS.get(name, {}))
    target = ALLOWED[(state, name)]
    assert IncomingLetter.objects.get(pk=letter.pk).status == target
    rows = list(history_of(letter))[before:]
    assert [(r.action, r.from_state, r.to_state, r.actor) for r in rows] == [
        (HistoryAction.TRANSITION, state, target, actor)
    ]
    if target == S.DONE:
        assert IncomingLetter.objects.get(pk=letter.pk).completed_at is not None


@pytest.mark.parametrize(("state", "name"), REFUSED)
def test_refused_transition_changes_nothing(letter_in, state, name):
    """GIVEN a letter in ``state`` WHEN a transition not allowed from there is applied THEN it is
    refused with a Russian message naming the state, and nothing is saved or logged."""
    letter, actor = letter_in(state)
    before = history_of(letter).count()
    with pytest.raises(TransitionNotAllowed, match="в состоянии"):
        transition_apply(letter, name, actor=actor, **KWARGS.get(name, {}))
    assert IncomingLetter.objects.get(pk=letter.pk).status == state
    assert history_of(letter).count() == before
