"""Concurrent decisions on PostgreSQL never corrupt a contract: two clicks on one step, the last two
approvers of a parallel group at once, an approval racing a return or a withdrawal."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_fsm import TransitionNotAllowed

from contracts import services
from contracts.models import Contract, ContractStatus
from contracts.testing import new_contract, theatre
from workflow.models import HistoryEntry, RouteStep, Task, TaskStatus
from workflow.routes.services import REVISE_TASK_KIND, route_of
from workflow.routes.tasks import step_task_complete


def _run_together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=5)
            call()
            outcomes[index] = "done"
        except (TransitionNotAllowed, ValidationError):
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
    return Task.objects.get(object_id=contract.pk, assignee=user, status=TaskStatus.OPEN)


def _decide(task, user, decision="approve", comment=""):
    return lambda: step_task_complete(
        task_id=task.pk, user=user, data={"decision": decision, "comment": comment}
    )


@pytest.fixture
def in_approval(org):
    t = theatre(org)
    contract = new_contract(t, contract_type=t["income"], fund=t["comfund"])
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    return t, contract


@pytest.mark.django_db(transaction=True)
def test_two_clicks_on_one_step_record_one_decision(in_approval):
    """GIVEN the lawyer's open step WHEN her decision arrives twice at the same moment (two tabs)
    THEN one counts, the other is refused, and history has exactly one decision."""
    t, contract = in_approval
    task = _task(contract, t["lawyer"])
    outcomes = _run_together(_decide(task, t["lawyer"]), _decide(task, t["lawyer"]))
    assert sorted(outcomes) == ["done", "refused"]
    assert RouteStep.objects.get(task=task).decision == "approve"
    assert HistoryEntry.objects.filter(object_id=contract.pk, action="decision").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_last_two_approvers_of_a_parallel_group_open_the_next_stage_once(in_approval):
    """GIVEN group 1 (head and lawyer) open in parallel
    WHEN both approve at the same moment
    THEN both decisions count and group 2 gets exactly one task for the fund owner."""
    t, contract = in_approval
    head_task, lawyer_task = _task(contract, t["sales_head"]), _task(contract, t["lawyer"])
    outcomes = _run_together(_decide(head_task, t["sales_head"]), _decide(lawyer_task, t["lawyer"]))
    assert outcomes == ["done", "done"]
    route = route_of(contract)
    first, second = route.stages.order_by("order")[:2]
    assert first.status == "done" and second.status == "active"
    assert first.steps.filter(decision="approve").count() == 2
    assert Task.objects.filter(object_id=contract.pk, assignee=t["comdir"]).count() == 1
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.APPROVAL


@pytest.mark.django_db(transaction=True)
def test_an_approval_racing_a_return_leaves_a_consistent_contract(in_approval):
    """GIVEN group 1 open WHEN the head approves while the lawyer returns at the same moment
    THEN the contract is returned for revision with one revision task, nothing is left pending,
    and whichever came second either counted before the return or was refused cleanly."""
    t, contract = in_approval
    head_task, lawyer_task = _task(contract, t["sales_head"]), _task(contract, t["lawyer"])
    outcomes = _run_together(
        _decide(head_task, t["sales_head"]),
        _decide(lawyer_task, t["lawyer"], "return", "Нет акта"),
    )
    assert outcomes[1] == "done"
    assert outcomes[0] in {"done", "refused"}
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.RETURNED
    steps = RouteStep.objects.filter(route__object_id=contract.pk, round=1)
    assert not steps.filter(status="pending").exists()
    head = steps.get(participant=t["sales_head"])
    assert (head.status, head.decision) == (
        ("decided", "approve") if outcomes[0] == "done" else ("cancelled", "")
    )
    open_tasks = Task.objects.filter(object_id=contract.pk, status=TaskStatus.OPEN)
    assert list(open_tasks.values_list("kind", flat=True)) == [REVISE_TASK_KIND]


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_racing_an_approval_leaves_a_consistent_contract(in_approval):
    """GIVEN the lawyer's open step WHEN she approves while the initiator withdraws the contract
    at the same moment THEN the withdrawal wins or comes second, but either way the contract is
    a draft with no open task, and the lawyer's step is decided or cancelled — never pending."""
    t, contract = in_approval
    task = _task(contract, t["lawyer"])
    outcomes = _run_together(
        _decide(task, t["lawyer"]),
        lambda: services.contract_withdraw(
            contract_id=contract.pk, user=t["seller"], reason="Передумали"
        ),
    )
    assert outcomes[1] == "done"
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.DRAFT
    assert not Task.objects.filter(object_id=contract.pk, status=TaskStatus.OPEN).exists()
    step = RouteStep.objects.get(task=task)
    expected = ("decided", "approve") if outcomes[0] == "done" else ("cancelled", "")
    assert (step.status, step.decision) == expected
    assert route_of(contract).status == "withdrawn"
