"""The contract's route builder: the type's stages and the approval rules (by type, subject, fund
and amount) become the engine's plan — preparation, approval groups in order (approvers of a group
in parallel), the fund members still missing (R18), invoice signing, contract signing."""

from __future__ import annotations

import hashlib

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts import roles
from contracts.models import ApprovalRule, ApproverKind, Contract, Phase, Stage, StageKind
from workflow.models import Decision, Route, StepKind, StepStatus
from workflow.routes.plan import StagePlan, StepPlan
from workflow.selectors import head_of, users_with_role

DOC_TYPE = "contracts.contract"
KIND_PREPARE = "contracts.prepare"
KIND_SIGN_INVOICE = "contracts.sign_invoice"
KIND_SIGN_CONTRACT = "contracts.sign_contract"
# a step planned without a person (the admin's preview has no initiator): resolved at stage start
ROLE_INITIATOR_HEAD = "initiator_head"

FUND_MEMBERS_DEADLINE_DAYS = 2
DEFAULT_STAGE_ROLE = {
    StageKind.PREPARATION: roles.DOCUMENT_SPECIALIST,
    StageKind.INVOICE_SIGNING: roles.ACCOUNTANT,
    StageKind.CONTRACT_SIGNING: roles.GENERAL_DIRECTOR,
}
DEFAULT_STAGE_NAME = {
    StageKind.PREPARATION: gettext_lazy("Подготовка документоведом"),
    StageKind.INVOICE_SIGNING: gettext_lazy("Подписание счёта"),
    StageKind.CONTRACT_SIGNING: gettext_lazy("Подписание договора"),
}


def matching_rules(contract: Contract) -> QuerySet:
    """Active rules whose conditions (empty = any) all hold for the contract."""
    amount = contract.amount
    conditions = Q(is_active=True)
    conditions &= Q(contract_type__isnull=True) | Q(contract_type_id=contract.contract_type_id)
    conditions &= Q(subject_category__isnull=True) | Q(
        subject_category_id=contract.subject_category_id
    )
    conditions &= Q(fund__isnull=True) | Q(fund_id=contract.fund_id)
    conditions &= Q(amount_min__isnull=True) | Q(amount_min__lte=amount)
    conditions &= Q(amount_max__isnull=True) | Q(amount_max__gte=amount)
    return (
        ApprovalRule.objects.filter(conditions)
        .select_related("approver_user", "fund__owner")
        .order_by("group", "id")
    )


def _approvers_of(rule: ApprovalRule, contract: Contract) -> list:
    """The people a rule brings in (None: the initiator's head, not known yet)."""
    kind = rule.approver_kind
    if kind == ApproverKind.USER:
        return [rule.approver_user] if rule.approver_user.is_active else []
    if kind == ApproverKind.ROLE:
        return list(users_with_role(rule.approver_role))
    if kind == ApproverKind.DEPARTMENT_HEAD:
        if contract.initiator_id is None:
            return [None]
        head = head_of(contract.initiator)
        return [head] if head is not None else []
    fund = contract.fund
    if fund is None:
        return []
    if kind == ApproverKind.FUND_OWNER:
        return [fund.owner]
    if kind == ApproverKind.FUND_MEMBERS:
        return list(fund.members.filter(is_active=True).order_by("id"))
    raise ValueError(f"unknown approver kind {kind!r}")


def _active_members(contract: Contract) -> list:
    if contract.fund_id is None:
        return []
    return list(contract.fund.members.filter(is_active=True).order_by("last_name", "id"))


def stage_assignee(contract: Contract, kind: str, stage: Stage | None = None):
    """Who takes preparation or a signing: the stage's person or role, for the invoice the fund's
    owner, then the default role, then the initiator."""
    if stage is not None and stage.assignee_user_id and stage.assignee_user.is_active:
        return stage.assignee_user
    if stage is not None and stage.assignee_role:
        user = users_with_role(stage.assignee_role).first()
        if user is not None:
            return user
    if kind == StageKind.INVOICE_SIGNING and contract.fund_id:
        return contract.fund.owner
    default_role = DEFAULT_STAGE_ROLE.get(kind)
    user = users_with_role(default_role).first() if default_role else None
    return user or (contract.initiator if contract.initiator_id else None)


def fund_stage(contract: Contract, members: list) -> StagePlan:
    """R18: the fund's employees who have not approved yet, before any signing."""
    reason = _("Прикреплён(а) к фонду «%(fund)s»") % {"fund": contract.fund.name}
    return StagePlan(
        name=_("Сотрудники фонда «%(fund)s»") % {"fund": contract.fund.name},
        phase=Phase.FUND_MEMBERS,
        steps=[
            StepPlan(
                kind=StepKind.APPROVE,
                participant=member,
                reason=reason,
                deadline_days=FUND_MEMBERS_DEADLINE_DAYS,
            )
            for member in members
        ],
    )


def _step_key(step: StepPlan):
    return step.participant.pk if step.participant is not None else step.role


def route_plan(contract: Contract) -> list[StagePlan]:
    """The route for the contract as the type and the rules say today.

    A person reached through several rules approves once, in the earliest group. Fund members no
    rule brings in approve in a stage of their own before signing (R18)."""
    stages = {
        s.kind: s
        for s in Stage.objects.filter(contract_type_id=contract.contract_type_id).select_related(
            "assignee_user"
        )
    }
    plan: list[StagePlan] = []

    def single(kind: str, step_kind: str, task_kind: str, phase: str, **flags) -> StagePlan:
        stage = stages.get(kind)
        return StagePlan(
            name=stage.name if stage else str(DEFAULT_STAGE_NAME[kind]),
            phase=phase,
            steps=[
                StepPlan(
                    kind=step_kind,
                    participant=stage_assignee(contract, kind, stage),
                    task_kind=task_kind,
                    deadline_days=stage.deadline_days if stage else 2,
                )
            ],
            **flags,
        )

    if StageKind.PREPARATION in stages:
        plan.append(
            single(StageKind.PREPARATION, StepKind.APPROVE, KIND_PREPARE, Phase.PREPARATION)
        )
    groups: dict[int, list[StepPlan]] = {}
    seen: dict[object, int] = {}
    for rule in matching_rules(contract):
        for user in _approvers_of(rule, contract):
            step = StepPlan(
                kind=StepKind.APPROVE,
                participant=user,
                role="" if user is not None else ROLE_INITIATOR_HEAD,
                reason=rule.name,
                deadline_days=rule.deadline_days,
            )
            key = _step_key(step)
            if key in seen:
                continue  # rules come ordered by group: the earliest group keeps the person
            seen[key] = rule.group
            groups.setdefault(rule.group, []).append(step)
    for number, steps in sorted(groups.items()):
        steps.sort(key=lambda s: (getattr(s.participant, "last_name", ""), str(_step_key(s))))
        plan.append(
            StagePlan(
                name=_("Согласование, группа %(n)s") % {"n": number},
                phase=Phase.APPROVAL,
                steps=steps,
            )
        )
    missing = [m for m in _active_members(contract) if m.pk not in seen]
    if missing:
        plan.append(fund_stage(contract, missing))
    if StageKind.INVOICE_SIGNING in stages:
        plan.append(
            single(
                StageKind.INVOICE_SIGNING,
                StepKind.SIGN,
                KIND_SIGN_INVOICE,
                Phase.INVOICE_SIGNING,
                allow_return=False,
                allow_reject=True,
            )
        )
    plan.append(
        single(
            StageKind.CONTRACT_SIGNING,
            StepKind.SIGN,
            KIND_SIGN_CONTRACT,
            Phase.CONTRACT_SIGNING,
            allow_return=False,
            allow_reject=True,
        )
    )
    return plan


def route_fingerprint(plan: list[StagePlan]) -> str:
    """Identifies the route shown for confirmation, so a route changed meanwhile is not sent."""
    raw = ";".join(
        f"{stage.phase}/{stage.name}:"
        + ",".join(f"{s.kind}-{_step_key(s)}-{s.deadline_days}" for s in stage.steps)
        for stage in plan
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _approvals_that_count(route: Route) -> Q:
    """Approvals still valid in the current round: its own, and those of the stages a round that
    restarted from the returning stage did not repeat."""
    first_stage = dict(route.rounds.values_list("number", "first_stage"))
    valid = Q(round=route.round)
    number, upto = route.round, first_stage.get(route.round, 0)
    while upto > 0 and number > 1:
        number -= 1
        since = first_stage.get(number, 0)
        valid |= Q(round=number, stage__order__lt=upto, stage__order__gte=since)
        upto = since
    return valid


def fund_members_missing(contract: Contract) -> QuerySet:
    """Active fund members without an approval that counts (R18): invoice signing waits for them."""
    members = contract.fund.members.filter(is_active=True).order_by("last_name", "id")
    route = Route.objects.filter(
        content_type=ContentType.objects.get_for_model(Contract), object_id=contract.pk
    ).first()
    if route is None:
        return members
    approved = route.steps.filter(
        _approvals_that_count(route),
        stage__phase__in=[Phase.APPROVAL, Phase.FUND_MEMBERS],
        status=StepStatus.DECIDED,
        decision=Decision.APPROVE,
    ).values("participant_id")
    return members.exclude(pk__in=approved)
