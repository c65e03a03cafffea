"""The contract's transition table through ``transition_apply``: from every state, each transition
either runs (reaching its target, one history row) or is refused with nothing changed; the
initiator's own transitions are refused to anyone else."""

import pytest
from django.core.exceptions import PermissionDenied
from django_fsm import TransitionNotAllowed

from contracts.models import Contract, ContractStatus
from contracts.testing import new_contract, theatre
from workflow.models import HistoryEntry
from workflow.transitions import transition_apply

S = ContractStatus
# transition -> {source: target}; every other state refuses it
TABLE = {
    "start_approval": {S.PREPARATION: S.APPROVAL},
    "open_invoice_signing": {S.PREPARATION: S.INVOICE_SIGNING, S.APPROVAL: S.INVOICE_SIGNING},
    "open_signing": {
        S.PREPARATION: S.SIGNING,
        S.APPROVAL: S.SIGNING,
        S.INVOICE_SIGNING: S.SIGNING,
    },
    "activate": {S.SIGNING: S.ACTIVE},
    "return_for_revision": {S.PREPARATION: S.RETURNED, S.APPROVAL: S.RETURNED},
    "reject": {S.INVOICE_SIGNING: S.REJECTED, S.SIGNING: S.REJECTED},
    "withdraw": {
        S.PREPARATION: S.DRAFT,
        S.APPROVAL: S.DRAFT,
        S.INVOICE_SIGNING: S.DRAFT,
        S.SIGNING: S.DRAFT,
    },
    "give_up": {S.RETURNED: S.REJECTED},
}
# submit's target is the state of the route's first stage
SUBMIT_PHASES = {
    "preparation": S.PREPARATION,
    "approval": S.APPROVAL,
    "fund_members": S.APPROVAL,
    "invoice_signing": S.INVOICE_SIGNING,
    "contract_signing": S.SIGNING,
}
USER_TRANSITIONS = ("submit", "withdraw", "give_up")


@pytest.fixture
def world(org):
    t = theatre(org)
    return t, new_contract(t, fund=None)


def _in_state(contract, state) -> Contract:
    Contract.objects.filter(pk=contract.pk).update(status=state)
    return Contract.objects.get(pk=contract.pk)


def _rows(contract) -> int:
    return HistoryEntry.objects.filter(object_id=contract.pk, action="transition").count()


def _check(contract, actor, name, allowed: dict, **kwargs) -> None:
    for state in S:
        subject = _in_state(contract, state)
        before = _rows(subject)
        if state in allowed:
            transition_apply(subject, name, actor=actor, **kwargs)
            assert Contract.objects.get(pk=contract.pk).status == allowed[state], (name, state)
            assert _rows(subject) == before + 1
        else:
            with pytest.raises(TransitionNotAllowed):
                transition_apply(subject, name, actor=actor, **kwargs)
            assert Contract.objects.get(pk=contract.pk).status == state, (name, state)
            assert _rows(subject) == before


@pytest.mark.parametrize("name", sorted(TABLE))
def test_every_state_allows_or_refuses_the_transition(world, name):
    """GIVEN a contract put in each state in turn WHEN the transition is applied by its initiator
    THEN exactly the table's sources allow it and reach the table's target."""
    t, contract = world
    _check(contract, t["seller"], name, TABLE[name])


@pytest.mark.parametrize(("phase", "target"), sorted(SUBMIT_PHASES.items()))
def test_submit_goes_to_the_state_of_the_first_stage(world, phase, target):
    """GIVEN a draft or a returned contract WHEN it is submitted along a route starting with
    ``phase`` THEN it lands in that phase's state; any other state refuses."""
    t, contract = world
    _check(contract, t["seller"], "submit", {S.DRAFT: target, S.RETURNED: target}, phase=phase)


@pytest.mark.parametrize("name", USER_TRANSITIONS)
def test_the_initiators_transitions_are_refused_to_others(world, name):
    """GIVEN a contract in a state where the initiator may run ``name``
    WHEN someone else (even the general director) runs it THEN PermissionDenied, unchanged."""
    t, contract = world
    source = {"submit": S.DRAFT, "withdraw": S.APPROVAL, "give_up": S.RETURNED}[name]
    kwargs = {"phase": "approval"} if name == "submit" else {}
    for other in (t["gendir"], t["sales_head"]):
        subject = _in_state(contract, source)
        with pytest.raises(PermissionDenied):
            transition_apply(subject, name, actor=other, **kwargs)
        assert Contract.objects.get(pk=contract.pk).status == source


@pytest.mark.parametrize("name", sorted(set(TABLE) - set(USER_TRANSITIONS)))
def test_route_driven_transitions_need_no_person(world, name):
    """GIVEN a transition the route runs (a stage opened, the route ended) THEN the system may run
    it: it declares no permission."""
    t, contract = world
    source = next(iter(TABLE[name]))
    subject = _in_state(contract, source)
    transition_apply(subject, name, actor=None)
    assert Contract.objects.get(pk=contract.pk).status == TABLE[name][source]
