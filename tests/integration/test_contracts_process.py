"""The contract process: submit, preparation, parallel groups, return and a new round, the R18
invoice gate, signing; every step through tasks, with history."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django_fsm import TransitionNotAllowed

from contracts import services
from contracts.models import Approval, ApprovalStatus, Contract, ContractStatus
from contracts.routing import route_build
from contracts.testing import new_contract, theatre
from workflow import selectors
from workflow.models import Task, TaskStatus


@pytest.fixture
def t(org):
    return theatre(org)


def open_task(contract, user, kind=None):
    tasks = Task.objects.filter(object_id=contract.pk, assignee=user, status=TaskStatus.OPEN)
    if kind:
        tasks = tasks.filter(kind=kind)
    return tasks.get()


def approve(contract, user, comment=""):
    task = open_task(contract, user, services.KIND_APPROVE)
    return services.approval_decide(
        task_id=task.pk, user=user, data={"decision": "approve", "comment": comment}
    )


def prepared(t, contract):
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    task = open_task(contract, t["docspec"], services.KIND_PREPARE)
    services.preparation_complete(task_id=task.pk, user=t["docspec"], data={"decision": "done"})
    contract = Contract.objects.get(pk=contract.pk)
    return contract


def pending(contract):
    return sorted(
        a.approver.username
        for a in Approval.objects.filter(
            contract=contract, round=contract.round, status=ApprovalStatus.PENDING
        )
    )


def test_submit_sends_to_document_specialist_first_when_the_type_has_preparation(t):
    """GIVEN an expense contract (its type has a preparation stage)
    WHEN the initiator submits it THEN it is in preparation, the document specialist has a task
    with a deadline, the route is frozen as round 1 and no approver has a task yet."""
    contract = new_contract(t)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.PREPARATION
    assert contract.round == 1
    task = open_task(contract, t["docspec"], services.KIND_PREPARE)
    assert task.due_at is not None
    assert Approval.objects.filter(contract=contract, round=1).count() == 4
    assert pending(contract) == []


def test_type_without_preparation_goes_straight_to_approval(t):
    """GIVEN an income contract (no preparation stage) WHEN submitted
    THEN the first group (head and lawyer) get their tasks in parallel at once."""
    contract = new_contract(t, contract_type=t["income"], fund=None)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.APPROVAL
    assert pending(contract) == ["lawyer", "sales_head"]


def test_groups_run_in_order_and_approvers_inside_a_group_in_parallel(t):
    """GIVEN a prepared expense contract on the commercial director's fund
    WHEN group 1 approves one by one THEN group 2 opens only after both; then group 3;
    after the last approval invoice signing opens for the fund owner."""
    contract = prepared(t, new_contract(t, fund=t["comfund"]))
    assert pending(contract) == ["lawyer", "sales_head"]
    approve(contract, t["lawyer"])
    assert pending(contract) == ["sales_head"]
    approve(contract, t["sales_head"])
    assert pending(contract) == ["comdir", "economist"]
    approve(contract, t["comdir"])
    approve(contract, t["economist"])
    assert pending(contract) == ["com_a", "com_b"]
    approve(contract, t["com_a"])
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.APPROVAL
    approve(contract, t["com_b"])
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.INVOICE_SIGNING
    invoice = open_task(contract, t["comdir"], services.KIND_SIGN_INVOICE)
    services.invoice_sign_complete(task_id=invoice.pk, user=t["comdir"], data={})
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.SIGNING
    sign = open_task(contract, t["gendir"], services.KIND_SIGN_CONTRACT)
    services.contract_sign_complete(task_id=sign.pk, user=t["gendir"], data={})
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.ACTIVE
    states = [e.to_state for e in selectors.history_of(contract) if e.to_state]
    assert states == ["draft", "preparation", "approval", "invoice_signing", "signing", "active"]


def test_approval_task_has_the_rule_deadline_and_on_time_flag(t):
    """GIVEN the lawyer's rule gives three working days WHEN she approves at once
    THEN her approval records the deadline from the rule and counts as on time."""
    contract = prepared(t, new_contract(t))
    approval = approve(contract, t["lawyer"], "Замечаний нет")
    assert approval.deadline_days == 3
    assert approval.due_at == Task.objects.get(pk=approval.task_id).due_at
    assert approval.on_time is True
    assert approval.comment == "Замечаний нет"


def test_return_closes_the_round_and_resubmission_starts_a_new_one(t):
    """GIVEN an expense contract in approval with group 1 open
    WHEN the lawyer returns it with a comment THEN the head's open task is withdrawn, the
    initiator gets a revision task; WHEN the initiator resubmits THEN round 2 starts with the
    same route and round 1 stays on the sheet."""
    contract = prepared(t, new_contract(t))
    head_task = open_task(contract, t["sales_head"], services.KIND_APPROVE)
    lawyer_task = open_task(contract, t["lawyer"], services.KIND_APPROVE)
    services.approval_decide(
        task_id=lawyer_task.pk,
        user=t["lawyer"],
        data={"decision": "return", "comment": "Нет спецификации"},
    )
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.RETURNED
    assert Task.objects.get(pk=head_task.pk).status == TaskStatus.CANCELLED
    round1 = {a.approver.username: a.status for a in contract.approvals.filter(round=1)}
    assert round1["lawyer"] == ApprovalStatus.RETURNED
    assert round1["sales_head"] == ApprovalStatus.CANCELLED
    revise = open_task(contract, t["seller"], services.KIND_REVISE)
    services.contract_update(
        contract_id=contract.pk, user=t["seller"], data={"subject": "Прожекторы со спецификацией"}
    )
    services.revise_complete(task_id=revise.pk, user=t["seller"], data={})
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.round == 2
    assert contract.status == ContractStatus.PREPARATION
    assert Task.objects.get(pk=revise.pk).status == TaskStatus.DONE
    assert contract.approvals.filter(round=1).count() == 4
    assert contract.approvals.filter(round=2, status=ApprovalStatus.WAITING).count() == 4


def test_return_needs_a_comment(t):
    """GIVEN an approver's open task WHEN she returns without a comment THEN nothing changes."""
    contract = prepared(t, new_contract(t))
    task = open_task(contract, t["lawyer"], services.KIND_APPROVE)
    with pytest.raises(ValueError):
        services.approval_decide(task_id=task.pk, user=t["lawyer"], data={"decision": "return"})
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_invoice_signing_waits_for_a_member_attached_to_the_fund_later(t):
    """GIVEN a contract on the budget fund whose route froze with the accountant only
    WHEN someone else is attached to the fund before the last approval
    THEN invoice signing does not open: the new member gets an approval task first (R18)."""
    contract = prepared(t, new_contract(t))
    approve(contract, t["lawyer"])
    approve(contract, t["sales_head"])
    approve(contract, t["economist"])
    t["budget"].members.add(t["seller2"])
    approve(contract, t["accountant"])
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.APPROVAL
    assert not contract.fund_gate_open()
    assert pending(contract) == ["seller2"]
    approve(contract, t["seller2"])
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.INVOICE_SIGNING
    assert contract.fund_gate_open()


def test_invoice_transition_itself_refuses_while_a_fund_member_has_not_approved(t):
    """GIVEN a contract in approval where a fund member has not approved
    THEN the state machine refuses the invoice-signing transition."""
    from django_fsm import can_proceed

    contract = prepared(t, new_contract(t))
    assert not can_proceed(contract.open_invoice_signing)


def test_only_the_initiator_submits_and_only_drafts(t):
    """GIVEN a draft WHEN someone else submits THEN refused; WHEN submitted twice THEN refused."""
    contract = new_contract(t)
    with pytest.raises(PermissionDenied):
        services.contract_submit(contract_id=contract.pk, user=t["seller2"])
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    with pytest.raises((TransitionNotAllowed, PermissionDenied)):
        services.contract_submit(contract_id=contract.pk, user=t["seller"])


def test_route_changed_after_preview_is_not_submitted(t):
    """GIVEN the initiator previewed the route WHEN a rule changes before confirming
    THEN the submit is refused and the contract stays a draft."""
    contract = new_contract(t)
    fingerprint = services.route_fingerprint(route_build(contract))
    t["budget"].members.add(t["seller2"])
    with pytest.raises(TransitionNotAllowed):
        services.contract_submit(contract_id=contract.pk, user=t["seller"], fingerprint=fingerprint)
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.DRAFT


def test_contract_signer_can_reject(t):
    """GIVEN an income contract at signing WHEN the signer rejects with a reason
    THEN it is rejected and the initiator is told."""
    contract = new_contract(t, contract_type=t["income"], fund=None, amount=Decimal("10"))
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    approve(contract, t["lawyer"])
    approve(contract, t["sales_head"])
    task = open_task(contract, t["gendir"], services.KIND_SIGN_CONTRACT)
    services.contract_sign_complete(
        task_id=task.pk, user=t["gendir"], data={"decision": "rejected", "comment": "Дорого"}
    )
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.REJECTED
    assert t["seller"].notifications.filter(text__contains="Отклонён").exists()


def test_overdue_approval_reminds_and_escalates_to_the_head(t):
    """GIVEN the head's approval task due in two working days
    WHEN the clock passes its deadline and the timer sweep runs
    THEN the approver got a reminder and an overdue notice, his own head was told, and the
    approval shows as overdue on the sheet."""
    import datetime as dt

    import time_machine

    from workflow.jobs import timers_sweep

    contract = prepared(t, new_contract(t))
    approval = Approval.objects.get(contract=contract, approver=t["sales_head"], round=1)
    with time_machine.travel(approval.due_at + dt.timedelta(minutes=5)):
        timers_sweep()
        approval = Approval.objects.get(pk=approval.pk)
        assert approval.is_overdue
    texts = list(t["sales_head"].notifications.values_list("text", flat=True))
    assert any(text.startswith("Напоминание") for text in texts)
    assert any(text.startswith("Просрочено задание") for text in texts)
    assert t["gendir"].notifications.filter(text__contains="просрочил задание").exists()


def test_initiator_withdraws_a_returned_contract(t):
    """GIVEN a contract returned for revision WHEN someone else tries to withdraw it THEN refused;
    WHEN the initiator withdraws it THEN it is rejected and her revision task is withdrawn."""
    contract = prepared(t, new_contract(t))
    task = open_task(contract, t["lawyer"], services.KIND_APPROVE)
    services.approval_decide(
        task_id=task.pk, user=t["lawyer"], data={"decision": "return", "comment": "Дорого"}
    )
    with pytest.raises(PermissionDenied):
        services.contract_withdraw(contract_id=contract.pk, user=t["sales_head"], reason="")
    services.contract_withdraw(contract_id=contract.pk, user=t["seller"], reason="Нашли дешевле")
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.REJECTED
    assert not Task.objects.filter(object_id=contract.pk, status=TaskStatus.OPEN).exists()
    with pytest.raises(TransitionNotAllowed):
        services.contract_withdraw(contract_id=contract.pk, user=t["seller"], reason="")
