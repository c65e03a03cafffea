"""Route building: which rules match a contract and who approves, in which group, by when."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from contracts.models import ApprovalRule, ApproverKind, Contract
from workflow.selectors import head_of, users_with_role

User = get_user_model()

FUND_MEMBERS_DEADLINE_DAYS = 2


@dataclass(frozen=True)
class RouteStep:
    approver: object  # User
    group: int
    deadline_days: int
    reason: str


def matching_rules(contract: Contract):
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
    kind = rule.approver_kind
    if kind == ApproverKind.USER:
        return [rule.approver_user] if rule.approver_user.is_active else []
    if kind == ApproverKind.ROLE:
        return list(users_with_role(rule.approver_role))
    if kind == ApproverKind.DEPARTMENT_HEAD:
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


def route_build(contract: Contract) -> list[RouteStep]:
    """The route for the contract as the rules say today, ordered by group.

    A person reached through several rules approves once, in the earliest group. Employees
    attached to the fund who no rule brings in are added in a last group: invoice signing waits
    for all of them (R18).
    """
    steps: dict[int, RouteStep] = {}
    for rule in matching_rules(contract):
        for user in _approvers_of(rule, contract):
            known = steps.get(user.pk)
            if known is None or rule.group < known.group:
                steps[user.pk] = RouteStep(user, rule.group, rule.deadline_days, rule.name)
    if contract.fund_id is not None:
        missing = [
            member
            for member in contract.fund.members.filter(is_active=True).order_by("id")
            if member.pk not in steps
        ]
        last_group = max((s.group for s in steps.values()), default=0) + 1
        for member in missing:
            steps[member.pk] = RouteStep(
                member,
                last_group,
                FUND_MEMBERS_DEADLINE_DAYS,
                _("Прикреплён к фонду «%(fund)s»") % {"fund": contract.fund.name},
            )
    return sorted(steps.values(), key=lambda s: (s.group, s.approver.last_name, s.approver.pk))


def route_groups(steps: list[RouteStep]) -> list[tuple[int, list[RouteStep]]]:
    groups: dict[int, list[RouteStep]] = {}
    for step in steps:
        groups.setdefault(step.group, []).append(step)
    return sorted(groups.items())
