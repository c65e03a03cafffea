"""The contract's process: submit (freeze the route into a round), the approval groups, the R18
fund gate, preparation, signing, return and withdrawal. Decisions lock the contract before the
task, so parallel approvers of one group and a racing return are serialised on the contract row."""

from __future__ import annotations

import hashlib

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from contracts import roles
from contracts.models import (
    EDITABLE,
    Approval,
    ApprovalStatus,
    Contract,
    ContractStatus,
    Stage,
    StageKind,
)
from contracts.routing import RouteStep, route_build
from contracts.services.editing import _locked
from workflow import calendar
from workflow.models import HistoryAction, Task, TaskStatus
from workflow.selectors import users_with_role
from workflow.services import (
    display_name,
    history_record,
    notification_send,
    task_cancel,
    task_complete,
    task_create,
)

KIND_PREPARE = "contracts.prepare"
KIND_APPROVE = "contracts.approve"
KIND_REVISE = "contracts.revise"
KIND_SIGN_INVOICE = "contracts.sign_invoice"
KIND_SIGN_CONTRACT = "contracts.sign_contract"

DEFAULT_STAGE_ROLE = {
    StageKind.PREPARATION: roles.DOCUMENT_SPECIALIST,
    StageKind.INVOICE_SIGNING: roles.ACCOUNTANT,
    StageKind.CONTRACT_SIGNING: roles.GENERAL_DIRECTOR,
}


def _stages(contract: Contract) -> dict[str, Stage]:
    return {
        s.kind: s
        for s in Stage.objects.filter(contract_type_id=contract.contract_type_id).select_related(
            "assignee_user"
        )
    }


def _stage_assignee(contract: Contract, stage: Stage):
    if stage.assignee_user_id:
        return stage.assignee_user
    if stage.assignee_role:
        user = users_with_role(stage.assignee_role).first()
        if user is not None:
            return user
    if stage.kind == StageKind.INVOICE_SIGNING and contract.fund_id:
        return contract.fund.owner
    default_role = DEFAULT_STAGE_ROLE.get(StageKind(stage.kind))
    user = users_with_role(default_role).first() if default_role else None
    return user or contract.initiator


def _transition(contract: Contract, method: str, *, actor, description: str, comment: str = ""):
    action = getattr(contract, method)
    if not can_proceed(action):
        raise TransitionNotAllowed(
            _("Действие недоступно: договор в состоянии «%(state)s».")
            % {"state": contract.get_status_display()}
        )
    source = contract.status
    action()
    contract.save()
    history_record(
        subject=contract,
        actor=actor,
        action=HistoryAction.TRANSITION,
        description=description,
        from_state=source,
        to_state=contract.status,
        comment=comment,
    )


def _short(contract: Contract) -> dict:
    return {"number": contract.number, "counterparty": contract.counterparty.name}


def _give_task(contract: Contract, *, kind: str, title: str, assignee, days: int, created_by):
    task = task_create(
        kind=kind,
        title=title,
        assignee=assignee,
        subject=contract,
        due_at=calendar.deadline_after(timezone.now(), days),
        created_by=created_by,
        description=contract.name,
    )
    contract.participants.add(assignee, task.assignee)
    return task


# --- submit --------------------------------------------------------------------------------------


def route_fingerprint(steps: list[RouteStep]) -> str:
    """Identifies the route shown for confirmation, so a route changed meanwhile is not sent."""
    raw = ";".join(f"{s.group}:{s.approver.pk}:{s.deadline_days}" for s in steps)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def contract_submit(*, contract_id: int, user, fingerprint: str | None = None) -> Contract:
    """Freeze the route into a new round and start it: preparation first when the type has it."""
    with transaction.atomic():
        contract = _locked(contract_id)
        if not rules.has_perm("contracts.submit_contract", user, contract):
            raise PermissionDenied(_("Отправить договор может только его инициатор."))
        if contract.status not in EDITABLE:
            raise TransitionNotAllowed(_("Договор уже отправлен на согласование."))
        steps = route_build(contract)
        if fingerprint is not None and fingerprint != route_fingerprint(steps):
            raise TransitionNotAllowed(
                _("Маршрут согласования изменился. Проверьте его и подтвердите снова.")
            )
        stages = _stages(contract)
        resubmission = contract.status == ContractStatus.RETURNED
        if StageKind.PREPARATION in stages:
            _transition(
                contract,
                "send_to_preparation",
                actor=user,
                description=_("Отправлен на подготовку документоведу"),
            )
        else:
            _transition(
                contract,
                "start_approval",
                actor=user,
                description=_("Отправлен на согласование"),
            )
        Approval.objects.bulk_create(
            Approval(
                contract=contract,
                round=contract.round,
                group=step.group,
                approver=step.approver,
                reason=step.reason[:255],
                deadline_days=step.deadline_days,
            )
            for step in steps
        )
        contract.participants.add(*[s.approver for s in steps])
        history_record(
            subject=contract,
            actor=user,
            action=HistoryAction.DECISION,
            description=(
                _("Круг согласования %(round)s, участников: %(count)s")
                % {"round": contract.round, "count": len(steps)}
            ),
            data={"round": contract.round, "resubmission": resubmission},
        )
        for task in Task.objects.filter(
            kind=KIND_REVISE, object_id=contract.pk, status=TaskStatus.OPEN
        ).select_related("content_type"):
            if task.content_type.model_class() is Contract:
                task_complete(task_id=task.pk, user=task.assignee, outcome="resubmitted")
        if contract.status == ContractStatus.PREPARATION:
            stage = stages[StageKind.PREPARATION]
            _give_task(
                contract,
                kind=KIND_PREPARE,
                title=_("Подготовить договор № %(number)s, %(counterparty)s") % _short(contract),
                assignee=_stage_assignee(contract, stage),
                days=stage.deadline_days,
                created_by=user,
            )
        else:
            _advance(contract, actor=user)
    return contract


def _advance(contract: Contract, *, actor) -> None:
    """Open the next group of the round; when none is left, pass the R18 gate to signing."""
    approvals = list(
        contract.approvals.filter(round=contract.round).select_related("approver").order_by("id")
    )
    if any(a.status == ApprovalStatus.PENDING for a in approvals):
        return
    waiting = [a for a in approvals if a.status == ApprovalStatus.WAITING]
    if waiting:
        group = min(a.group for a in waiting)
        for approval in (a for a in waiting if a.group == group):
            _approval_open(contract, approval, actor=actor)
        return
    if not contract.fund_gate_open():
        # someone was attached to the fund after the route froze: they approve too (R18)
        approved_ids = {a.approver_id for a in approvals}
        group = max((a.group for a in approvals), default=0) + 1
        for member in contract.fund.members.filter(is_active=True).exclude(pk__in=approved_ids):
            approval = Approval.objects.create(
                contract=contract,
                round=contract.round,
                group=group,
                approver=member,
                reason=_("Прикреплён к фонду «%(fund)s»") % {"fund": contract.fund.name},
            )
            _approval_open(contract, approval, actor=actor)
        return
    stages = _stages(contract)
    if StageKind.INVOICE_SIGNING in stages:
        _transition(
            contract,
            "open_invoice_signing",
            actor=actor,
            description=_("Согласовано всеми; открыто подписание счёта"),
        )
        stage = stages[StageKind.INVOICE_SIGNING]
        _give_task(
            contract,
            kind=KIND_SIGN_INVOICE,
            title=_("Подписать счёт по договору № %(number)s, %(counterparty)s") % _short(contract),
            assignee=_stage_assignee(contract, stage),
            days=stage.deadline_days,
            created_by=contract.initiator,
        )
    else:
        _open_signing(contract, actor=actor, stages=stages)


def _open_signing(contract: Contract, *, actor, stages: dict[str, Stage]) -> None:
    _transition(contract, "open_signing", actor=actor, description=_("Открыто подписание договора"))
    stage = stages.get(StageKind.CONTRACT_SIGNING) or Stage(
        contract_type=contract.contract_type, kind=StageKind.CONTRACT_SIGNING
    )
    _give_task(
        contract,
        kind=KIND_SIGN_CONTRACT,
        title=_("Подписать договор № %(number)s, %(counterparty)s") % _short(contract),
        assignee=_stage_assignee(contract, stage),
        days=stage.deadline_days,
        created_by=contract.initiator,
    )


def _approval_open(contract: Contract, approval: Approval, *, actor) -> None:
    task = _give_task(
        contract,
        kind=KIND_APPROVE,
        title=_("Согласовать договор № %(number)s, %(counterparty)s") % _short(contract),
        assignee=approval.approver,
        days=approval.deadline_days,
        created_by=contract.initiator,
    )
    approval.status = ApprovalStatus.PENDING
    approval.task = task
    approval.started_at = task.created_at
    approval.due_at = task.due_at
    approval.save(update_fields=["status", "task", "started_at", "due_at"])


def contract_withdraw(*, contract_id: int, user, reason: str) -> Contract:
    """The initiator gives up a contract returned for revision: it ends as rejected."""
    with transaction.atomic():
        contract = _locked(contract_id)
        if contract.initiator_id != user.pk:
            raise PermissionDenied(_("Отозвать договор может только его инициатор."))
        if contract.status != ContractStatus.RETURNED:
            raise TransitionNotAllowed(_("Отозвать можно только договор на доработке."))
        for task in Task.objects.filter(
            content_type__model="contract",
            content_type__app_label="contracts",
            object_id=contract.pk,
            status=TaskStatus.OPEN,
        ):
            task_cancel(task_id=task.pk, reason=_("Договор отозван инициатором"))
        _transition(
            contract,
            "reject",
            actor=user,
            description=_("Договор отозван инициатором"),
            comment=reason,
        )
    return contract


# --- decisions (task kinds) ----------------------------------------------------------------------


def _contract_of_task(task_id: int) -> int:
    task = Task.objects.select_related("content_type").get(pk=task_id)
    if task.content_type is None or task.content_type.model_class() is not Contract:
        raise TransitionNotAllowed(_("Задание не относится к договору."))
    return task.object_id


def _return(contract: Contract, *, user, comment: str, description: str) -> None:
    """Close the round: every other open approval is withdrawn; the initiator revises."""
    for approval in contract.approvals.filter(
        round=contract.round, status__in=[ApprovalStatus.PENDING, ApprovalStatus.WAITING]
    ):
        if approval.task_id:
            task_cancel(task_id=approval.task_id, reason=_("Договор возвращён на доработку"))
        approval.status = ApprovalStatus.CANCELLED
        approval.save(update_fields=["status"])
    _transition(
        contract, "return_for_revision", actor=user, description=description, comment=comment
    )
    _give_task(
        contract,
        kind=KIND_REVISE,
        title=_("Доработать договор № %(number)s, %(counterparty)s") % _short(contract),
        assignee=contract.initiator,
        days=2,
        created_by=user,
    )


def approval_decide(*, task_id: int, user, data: dict) -> Approval:
    """An approver approves or returns (comment required). The task closes at once."""
    decision = data.get("decision")
    comment = (data.get("comment") or "").strip()
    if decision == "return" and not comment:
        raise ValueError("a return needs a comment")
    with transaction.atomic():
        contract = _locked(_contract_of_task(task_id))
        task = task_complete(task_id=task_id, user=user, outcome=decision, comment=comment)
        approval = Approval.objects.select_for_update().get(task_id=task.pk)
        if contract.status != ContractStatus.APPROVAL or approval.status != ApprovalStatus.PENDING:
            raise TransitionNotAllowed(_("Согласование по этому договору уже завершено."))
        approval.status = (
            ApprovalStatus.APPROVED if decision == "approve" else ApprovalStatus.RETURNED
        )
        approval.decided_at = task.completed_at
        approval.decided_by = user
        approval.comment = comment
        approval.save(update_fields=["status", "decided_at", "decided_by", "comment"])
        if decision == "approve":
            history_record(
                subject=contract,
                actor=user,
                action=HistoryAction.DECISION,
                description=_("Согласовано: %(who)s") % {"who": display_name(user)},
                comment=comment,
                data={"approval": approval.pk, "round": approval.round},
            )
            _advance(contract, actor=user)
        else:
            _return(
                contract,
                user=user,
                comment=comment,
                description=_("Возвращён на доработку: %(who)s") % {"who": display_name(user)},
            )
            notification_send(
                recipient=contract.initiator,
                text=_("Договор «%(name)s» возвращён на доработку") % {"name": contract.name},
                url=contract.get_absolute_url(),
            )
    return approval


def preparation_complete(*, task_id: int, user, data: dict) -> Contract:
    decision = data.get("decision")
    comment = (data.get("comment") or "").strip()
    if decision == "return" and not comment:
        raise ValueError("a return needs a comment")
    with transaction.atomic():
        contract = _locked(_contract_of_task(task_id))
        task_complete(task_id=task_id, user=user, outcome=decision, comment=comment)
        if decision == "return":
            _return(
                contract,
                user=user,
                comment=comment,
                description=_("Документовед вернул на доработку: %(who)s")
                % {"who": display_name(user)},
            )
        else:
            _transition(
                contract,
                "start_approval",
                actor=user,
                description=_("Подготовлен документоведом; начато согласование"),
                comment=comment,
            )
            _advance(contract, actor=user)
    return contract


def revise_complete(*, task_id: int, user, data: dict) -> Contract:
    """The initiator's revision task: resubmitting starts a new round with the current rules."""
    contract_id = _contract_of_task(task_id)
    return contract_submit(contract_id=contract_id, user=user)


def invoice_sign_complete(*, task_id: int, user, data: dict) -> Contract:
    with transaction.atomic():
        contract = _locked(_contract_of_task(task_id))
        decision = data.get("decision", "signed")
        comment = (data.get("comment") or "").strip()
        task_complete(task_id=task_id, user=user, outcome=decision, comment=comment)
        if decision == "rejected":
            _transition(
                contract, "reject", actor=user, description=_("Счёт не подписан; договор отклонён")
            )
        else:
            history_record(
                subject=contract,
                actor=user,
                action=HistoryAction.DECISION,
                description=_("Счёт подписан: %(who)s") % {"who": display_name(user)},
                comment=comment,
            )
            _open_signing(contract, actor=user, stages=_stages(contract))
    return contract


def contract_sign_complete(*, task_id: int, user, data: dict) -> Contract:
    with transaction.atomic():
        contract = _locked(_contract_of_task(task_id))
        decision = data.get("decision", "signed")
        comment = (data.get("comment") or "").strip()
        task_complete(task_id=task_id, user=user, outcome=decision, comment=comment)
        if decision == "rejected":
            _transition(
                contract, "reject", actor=user, description=_("Договор отклонён"), comment=comment
            )
        else:
            _transition(
                contract,
                "activate",
                actor=user,
                description=_("Договор подписан и вступил в действие"),
                comment=comment,
            )
        notification_send(
            recipient=contract.initiator,
            text=_("Договор «%(name)s»: %(state)s")
            % {"name": contract.name, "state": contract.get_status_display()},
            url=contract.get_absolute_url(),
        )
    return contract
