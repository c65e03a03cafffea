"""The contract process on the route engine: submit, preparation, parallel groups, return and a
new round with «что исправлено», the R18 fund gate, signing, withdrawal, the participant cap;
every step through tasks, with history."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import TransitionNotAllowed

from contracts import routing, services
from contracts.models import Contract, ContractStatus
from contracts.testing import decide, new_contract, open_task, pending, theatre
from workflow import selectors
from workflow.models import HistoryEntry, RouteSettings, RouteStep, Task, TaskStatus
from workflow.routes.services import route_of
from workflow.routes.tasks import revision_task_complete


@pytest.fixture
def t(org):
    return theatre(org)


def reload(contract) -> Contract:
    return Contract.objects.get(pk=contract.pk)


def prepared(t, contract):
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    decide(contract, t["docspec"])
    return reload(contract)


def test_submit_sends_to_document_specialist_first_when_the_type_has_preparation(t):
    """GIVEN an expense contract (its type has a preparation stage)
    WHEN the initiator submits it THEN it is in preparation, the document specialist has a
    preparation task with a deadline, the whole route of round 1 is planned (preparation, two
    approval groups, the fund's accountant, invoice and contract signing) and no approver has a
    task yet."""
    contract = new_contract(t)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    contract = reload(contract)
    assert contract.status == ContractStatus.PREPARATION
    task = open_task(contract, t["docspec"])
    assert task.kind == routing.KIND_PREPARE and task.due_at is not None
    route = route_of(contract)
    assert route.round == 1
    assert list(route.stages.order_by("order").values_list("phase", flat=True)) == [
        "preparation",
        "approval",
        "approval",
        "approval",
        "invoice_signing",
        "contract_signing",
    ]
    assert pending(contract) == ["docspec"]


def test_type_without_preparation_goes_straight_to_approval(t):
    """GIVEN an income contract (no preparation stage) WHEN submitted
    THEN the first group (head and lawyer) get their tasks in parallel at once."""
    contract = new_contract(t, contract_type=t["income"], fund=None)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    assert reload(contract).status == ContractStatus.APPROVAL
    assert pending(contract) == ["lawyer", "sales_head"]


def test_groups_run_in_order_and_approvers_inside_a_group_in_parallel(t):
    """GIVEN a prepared expense contract on the commercial director's fund
    WHEN group 1 approves one by one THEN group 2 opens only after both; then group 3;
    after the last approval invoice signing opens for the fund owner, then contract signing."""
    contract = prepared(t, new_contract(t, fund=t["comfund"]))
    assert pending(contract) == ["lawyer", "sales_head"]
    decide(contract, t["lawyer"])
    assert pending(contract) == ["sales_head"]
    decide(contract, t["sales_head"])
    assert pending(contract) == ["comdir", "economist"]
    decide(contract, t["comdir"])
    decide(contract, t["economist"])
    assert pending(contract) == ["com_a", "com_b"]
    decide(contract, t["com_a"])
    assert reload(contract).status == ContractStatus.APPROVAL
    decide(contract, t["com_b"])
    assert reload(contract).status == ContractStatus.INVOICE_SIGNING
    assert open_task(contract, t["comdir"]).kind == routing.KIND_SIGN_INVOICE
    decide(contract, t["comdir"], "sign")
    assert reload(contract).status == ContractStatus.SIGNING
    assert open_task(contract, t["gendir"]).kind == routing.KIND_SIGN_CONTRACT
    decide(contract, t["gendir"], "sign")
    contract = reload(contract)
    assert contract.status == ContractStatus.ACTIVE
    states = [e.to_state for e in selectors.history_of(contract) if e.to_state]
    assert states == ["draft", "preparation", "approval", "invoice_signing", "signing", "active"]
    assert route_of(contract).status == "done"


def test_approval_step_has_the_rule_deadline_and_on_time_flag(t):
    """GIVEN the lawyer's rule gives three working days WHEN she approves at once
    THEN her step records the rule's deadline, the deadline of her task, and counts as on time."""
    contract = prepared(t, new_contract(t))
    task = open_task(contract, t["lawyer"])
    decide(contract, t["lawyer"], "approve", "Замечаний нет")
    step = RouteStep.objects.get(task=task)
    assert step.deadline_days == 3
    assert step.due_at == Task.objects.get(pk=task.pk).due_at
    assert (step.on_time, step.comment, step.decided_by) == (True, "Замечаний нет", t["lawyer"])


def test_return_and_resubmission_carry_the_revision_note_to_round_two(t):
    """GIVEN an expense contract in approval with group 1 open
    WHEN the lawyer returns it THEN the head's open task is withdrawn and the initiator gets a
    revision task; resubmitting without saying what was fixed is refused; WITH a note THEN round 2
    starts from preparation, the note is stored on the round and written into every round-2
    task, and round 1 stays on the sheet."""
    contract = prepared(t, new_contract(t))
    head_task = open_task(contract, t["sales_head"])
    decide(contract, t["lawyer"], "return", "Нет спецификации")
    contract = reload(contract)
    assert contract.status == ContractStatus.RETURNED
    assert Task.objects.get(pk=head_task.pk).status == TaskStatus.CANCELLED
    revise = open_task(contract, t["seller"])
    assert "Нет спецификации" in revise.description
    assert f"/contracts/{contract.pk}/edit/" in revise.description
    with pytest.raises(ValidationError):
        services.contract_submit(contract_id=contract.pk, user=t["seller"])
    services.contract_update(
        contract_id=contract.pk, user=t["seller"], data={"subject": "Прожекторы со спецификацией"}
    )
    revision_task_complete(
        task_id=revise.pk, user=t["seller"], data={"note": "Приложил спецификацию"}
    )
    contract = reload(contract)
    route = route_of(contract)
    assert (route.round, contract.status) == (2, ContractStatus.PREPARATION)
    assert route.rounds.get(number=2).note == "Приложил спецификацию"
    assert Task.objects.get(pk=revise.pk).status == TaskStatus.DONE
    assert "Что исправлено (круг 2): Приложил спецификацию" in (
        open_task(contract, t["docspec"]).description
    )
    decide(contract, t["docspec"])
    for user in (t["lawyer"], t["sales_head"]):
        assert "Приложил спецификацию" in open_task(contract, user).description
    round1 = {
        s.participant.username: (s.status, s.decision)
        for s in RouteStep.objects.filter(route=route, round=1, stage__phase="approval")
    }
    assert round1["lawyer"] == ("decided", "return")
    assert round1["sales_head"] == ("cancelled", "")
    submitted = HistoryEntry.objects.filter(object_id=contract.pk, to_state="preparation").last()
    assert submitted.comment == "Приложил спецификацию"


def test_return_needs_a_comment(t):
    """GIVEN an approver's open task WHEN she returns without a comment THEN nothing changes."""
    contract = prepared(t, new_contract(t))
    with pytest.raises(ValidationError):
        decide(contract, t["lawyer"], "return", "")
    assert open_task(contract, t["lawyer"]).status == TaskStatus.OPEN
    assert reload(contract).status == ContractStatus.APPROVAL


def test_the_fund_gate_names_the_members_it_waits_for(t):
    """GIVEN a contract on the fund of the commercial director whose member com_b no rule names
    WHEN the approval groups are done THEN invoice signing waits in a stage of the fund's members,
    the card's «Ждём» lists exactly com_b, and the state machine refuses invoice signing."""
    from django_fsm import can_proceed

    from contracts.models import ApprovalRule
    from workflow.routes.selectors import route_view

    ApprovalRule.objects.filter(name="Сотрудники фонда КД").delete()
    t["comfund"].members.remove(t["com_a"])
    contract = prepared(t, new_contract(t, fund=t["comfund"]))
    for user in (t["lawyer"], t["sales_head"], t["comdir"], t["economist"]):
        decide(contract, user)
    contract = reload(contract)
    assert contract.status == ContractStatus.APPROVAL
    view = route_view(contract)
    assert view.active_stage.stage.name == "Сотрудники фонда «Фонд коммерческого директора»"
    assert [s.participant.username for s in view.waiting] == ["com_b"]
    assert not contract.fund_gate_open()
    assert not can_proceed(contract.open_invoice_signing)


def test_invoice_signing_waits_for_a_member_attached_to_the_fund_later(t):
    """GIVEN a contract on the budget fund whose route froze with the accountant only
    WHEN someone else is attached to the fund before the last approval
    THEN invoice signing does not open: a stage for the new member is added before it, named
    after the fund, and recorded in history; once she approves, invoice signing opens (R18)."""
    contract = prepared(t, new_contract(t))
    for user in (t["lawyer"], t["sales_head"], t["economist"]):
        decide(contract, user)
    t["budget"].members.add(t["seller2"])
    decide(contract, t["accountant"])
    contract = reload(contract)
    assert contract.status == ContractStatus.APPROVAL
    assert not contract.fund_gate_open()
    assert pending(contract) == ["seller2"]
    route = route_of(contract)
    phases = list(route.stages.order_by("order").values_list("phase", flat=True))
    assert phases[-4:] == ["approval", "fund_members", "invoice_signing", "contract_signing"]
    assert HistoryEntry.objects.filter(
        object_id=contract.pk, action="assignment", description__contains="прикреплённых после"
    ).exists()
    assert t["seller2"] in contract.participants.all()  # she may open the card of her task
    decide(contract, t["seller2"])
    contract = reload(contract)
    assert contract.status == ContractStatus.INVOICE_SIGNING
    assert contract.fund_gate_open()


def test_only_the_initiator_submits_and_only_drafts(t):
    """GIVEN a draft WHEN someone else submits THEN refused; WHEN submitted twice THEN refused."""
    contract = new_contract(t)
    with pytest.raises(PermissionDenied):
        services.contract_submit(contract_id=contract.pk, user=t["seller2"])
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    with pytest.raises(TransitionNotAllowed):
        services.contract_submit(contract_id=contract.pk, user=t["seller"])


def test_route_changed_after_preview_is_not_submitted(t):
    """GIVEN the initiator previewed the route WHEN a fund member is added before confirming
    THEN the submit is refused and the contract stays a draft; the fresh preview goes through."""
    contract = new_contract(t)
    fingerprint = routing.route_fingerprint(routing.route_plan(contract))
    t["budget"].members.add(t["seller2"])
    with pytest.raises(TransitionNotAllowed):
        services.contract_submit(contract_id=contract.pk, user=t["seller"], fingerprint=fingerprint)
    assert reload(contract).status == ContractStatus.DRAFT
    fresh = routing.route_fingerprint(routing.route_plan(contract))
    services.contract_submit(contract_id=contract.pk, user=t["seller"], fingerprint=fresh)
    assert reload(contract).status == ContractStatus.PREPARATION


def test_contract_signer_can_reject(t):
    """GIVEN an income contract at signing WHEN the signer rejects with a reason
    THEN it is rejected, the route ends rejected and the initiator is told."""
    contract = new_contract(t, contract_type=t["income"], fund=None, amount=Decimal("10"))
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    decide(contract, t["lawyer"])
    decide(contract, t["sales_head"])
    decide(contract, t["gendir"], "reject", "Дорого")
    contract = reload(contract)
    assert contract.status == ContractStatus.REJECTED
    assert route_of(contract).status == "rejected"
    assert t["seller"].notifications.filter(text__contains="Отклонён").exists()


def test_signers_cannot_return_and_approvers_cannot_reject(t):
    """GIVEN the route's stage flags THEN a signer may sign or reject (not return) and an
    approver may approve or return (not reject)."""
    contract = new_contract(t, contract_type=t["income"], fund=None, amount=Decimal("10"))
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    with pytest.raises(ValidationError):
        decide(contract, t["lawyer"], "reject", "Нет")
    decide(contract, t["lawyer"])
    decide(contract, t["sales_head"])
    with pytest.raises(ValidationError):
        decide(contract, t["gendir"], "return", "Переделать")
    assert reload(contract).status == ContractStatus.SIGNING


def test_overdue_approval_reminds_and_escalates_to_the_head(t):
    """GIVEN the head's approval task due in two working days
    WHEN the clock passes its deadline and the timer sweep runs
    THEN the approver got a reminder and an overdue notice, his own head was told, and the
    step shows as overdue on the sheet."""
    import datetime as dt

    import time_machine

    from workflow.jobs import timers_sweep

    contract = prepared(t, new_contract(t))
    step = RouteStep.objects.get(task=open_task(contract, t["sales_head"]))
    with time_machine.travel(step.due_at + dt.timedelta(minutes=5)):
        timers_sweep()
        assert RouteStep.objects.select_related("task").get(pk=step.pk).is_overdue
    texts = list(t["sales_head"].notifications.values_list("text", flat=True))
    assert any(text.startswith("Напоминание") for text in texts)
    assert any(text.startswith("Просрочено задание") for text in texts)
    assert t["gendir"].notifications.filter(text__contains="просрочил задание").exists()


def test_initiator_gives_up_a_returned_contract(t):
    """GIVEN a contract returned for revision WHEN someone else tries to withdraw it THEN refused;
    WHEN the initiator withdraws it THEN it is rejected and her revision task is withdrawn."""
    contract = prepared(t, new_contract(t))
    decide(contract, t["lawyer"], "return", "Дорого")
    with pytest.raises(PermissionDenied):
        services.contract_withdraw(contract_id=contract.pk, user=t["sales_head"], reason="")
    services.contract_withdraw(contract_id=contract.pk, user=t["seller"], reason="Нашли дешевле")
    contract = reload(contract)
    assert contract.status == ContractStatus.REJECTED
    assert not Task.objects.filter(object_id=contract.pk, status=TaskStatus.OPEN).exists()
    with pytest.raises(TransitionNotAllowed):
        services.contract_withdraw(contract_id=contract.pk, user=t["seller"], reason="")


def test_initiator_withdraws_a_contract_in_approval_and_sends_it_again(t):
    """GIVEN a contract in approval WHEN the initiator withdraws it THEN every open task closes,
    it is a draft again that she may edit; WHEN she submits it again THEN round 2 starts."""
    contract = prepared(t, new_contract(t))
    services.contract_withdraw(contract_id=contract.pk, user=t["seller"], reason="Сменился счёт")
    contract = reload(contract)
    assert contract.status == ContractStatus.DRAFT
    assert not Task.objects.filter(object_id=contract.pk, status=TaskStatus.OPEN).exists()
    assert route_of(contract).rounds.get(number=1).outcome == "withdrawn"
    services.contract_update(contract_id=contract.pk, user=t["seller"], data={"subject": "Новое"})
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    assert (reload(contract).status, route_of(contract).round) == ("preparation", 2)


def test_assignments_are_credited_to_whoever_opened_them(t):
    """GIVEN group 1 (lawyer, head) WHEN the head approves last THEN the assignment of group 2's
    tasks is credited to the head in history, not to the initiator."""
    contract = prepared(t, new_contract(t))
    decide(contract, t["lawyer"])
    decide(contract, t["sales_head"])
    economist_task = open_task(contract, t["economist"])
    entry = HistoryEntry.objects.get(
        object_id=contract.pk, action="task", data__task=economist_task.pk
    )
    assert entry.actor == t["sales_head"]
    assert economist_task.created_by == t["sales_head"]


def _sixteen_people(t):
    """Rules bringing 12 more approvers: with head, lawyer, the fund's accountant and the
    general director who signs, an income contract's route has 16 people."""
    from contracts.models import ApprovalRule, ApproverKind
    from tests.factories import employee

    for index in range(12):
        ApprovalRule.objects.create(
            name=f"Согласующий {index}",
            contract_type=t["income"],
            approver_kind=ApproverKind.USER,
            approver_user=employee(f"approver{index}", t["departments"]["board"]),
            group=2,
        )
    return new_contract(t, contract_type=t["income"], fund=t["budget"])


def test_a_route_over_the_cap_is_refused_with_the_count_and_the_cap(t):
    """GIVEN the default cap of 15 WHEN a contract whose route has 16 people is submitted
    THEN it is refused with a Russian message naming both figures and stays a draft."""
    contract = _sixteen_people(t)
    with pytest.raises(ValidationError) as refused:
        services.contract_submit(contract_id=contract.pk, user=t["seller"])
    assert "В маршруте 16 участников, а допускается не более 15" in refused.value.messages[0]
    assert reload(contract).status == ContractStatus.DRAFT
    assert route_of(contract) is None


def test_a_route_over_the_cap_goes_with_a_warning_when_the_admin_chose_so(t, client):
    """GIVEN the admin chose «warn» for contracts WHEN the 16-person route is submitted
    THEN it starts, and the card shows the warning with both figures."""
    from django.urls import reverse

    RouteSettings.objects.create(document_type=routing.DOC_TYPE, over_cap="warn")
    contract = _sixteen_people(t)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    assert reload(contract).status == ContractStatus.APPROVAL
    assert route_of(contract).warning == "В маршруте 16 участников при допустимых 15."
    client.force_login(t["seller"])
    card = client.get(reverse("contracts:contract-detail", args=[contract.pk])).content.decode()
    assert 'data-testid="route-warning"' in card
    assert "В маршруте 16 участников при допустимых 15." in card
