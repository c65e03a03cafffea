"""Concurrent decisions on PostgreSQL never corrupt a contract."""

import threading

import pytest
from django.db import connection
from django_fsm import TransitionNotAllowed

from contracts import services
from contracts.models import Approval, ApprovalStatus, Contract, ContractStatus
from contracts.testing import new_contract, theatre
from workflow.models import Task, TaskStatus


def _run_together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=5)
            call()
            outcomes[index] = "done"
        except TransitionNotAllowed:
            outcomes[index] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _task(contract, user):
    return Task.objects.get(
        object_id=contract.pk, assignee=user, status=TaskStatus.OPEN, kind=services.KIND_APPROVE
    )


@pytest.fixture
def in_approval(org):
    t = theatre(org)
    contract = new_contract(t, contract_type=t["income"], fund=t["comfund"])
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    return t, contract


@pytest.mark.django_db(transaction=True)
def test_two_approvers_of_one_parallel_group_at_once_open_the_next_group_once(in_approval):
    """GIVEN group 1 (head and lawyer) open in parallel
    WHEN both approve at the same moment
    THEN both decisions count and group 2 gets exactly one task for the fund owner."""
    t, contract = in_approval
    head_task, lawyer_task = _task(contract, t["sales_head"]), _task(contract, t["lawyer"])
    outcomes = _run_together(
        lambda: services.approval_decide(
            task_id=head_task.pk, user=t["sales_head"], data={"decision": "approve"}
        ),
        lambda: services.approval_decide(
            task_id=lawyer_task.pk, user=t["lawyer"], data={"decision": "approve"}
        ),
    )
    assert outcomes == ["done", "done"]
    round1 = Approval.objects.filter(contract=contract, round=1)
    assert round1.filter(group=1, status=ApprovalStatus.APPROVED).count() == 2
    assert round1.filter(group=2, status=ApprovalStatus.PENDING).count() == 1
    assert (
        Task.objects.filter(
            object_id=contract.pk, assignee=t["comdir"], kind=services.KIND_APPROVE
        ).count()
        == 1
    )
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.APPROVAL


@pytest.mark.django_db(transaction=True)
def test_an_approval_racing_a_return_leaves_a_consistent_contract(in_approval):
    """GIVEN group 1 open WHEN the head approves while the lawyer returns at the same moment
    THEN the contract is returned for revision with one revision task, nothing is left pending,
    and whichever came second either counted before the return or was refused cleanly."""
    t, contract = in_approval
    head_task, lawyer_task = _task(contract, t["sales_head"]), _task(contract, t["lawyer"])
    outcomes = _run_together(
        lambda: services.approval_decide(
            task_id=head_task.pk, user=t["sales_head"], data={"decision": "approve"}
        ),
        lambda: services.approval_decide(
            task_id=lawyer_task.pk,
            user=t["lawyer"],
            data={"decision": "return", "comment": "Нет акта"},
        ),
    )
    assert outcomes[1] == "done"
    assert outcomes[0] in {"done", "refused"}
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.RETURNED
    approvals = Approval.objects.filter(contract=contract, round=1)
    assert not approvals.filter(status=ApprovalStatus.PENDING).exists()
    head = approvals.get(approver=t["sales_head"])
    expected = ApprovalStatus.APPROVED if outcomes[0] == "done" else ApprovalStatus.CANCELLED
    assert head.status == expected
    assert (
        Task.objects.filter(
            object_id=contract.pk, kind=services.KIND_REVISE, status=TaskStatus.OPEN
        ).count()
        == 1
    )
    assert not Task.objects.filter(
        object_id=contract.pk, kind=services.KIND_APPROVE, status=TaskStatus.OPEN
    ).exists()
