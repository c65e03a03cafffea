"""A small theatre configuration for tests: two contract types with their stages, two funds (one
owned by the commercial director with her own approvers) and rules. Uses tests.factories."""

from __future__ import annotations

from decimal import Decimal

from contracts import roles, services
from contracts.models import (
    ApprovalRule,
    ApproverKind,
    ContractType,
    Direction,
    Fund,
    Stage,
    StageKind,
    SubjectCategory,
)

EXPENSE_STAGES = [
    (StageKind.DRAFT, "Черновик"),
    (StageKind.PREPARATION, "Подготовка документоведом"),
    (StageKind.APPROVAL, "Согласование"),
    (StageKind.INVOICE_SIGNING, "Подписание счёта"),
    (StageKind.CONTRACT_SIGNING, "Подписание договора"),
    (StageKind.ACTIVE, "Действует"),
    (StageKind.REJECTED, "Отклонён"),
]
INCOME_STAGES = [
    (StageKind.DRAFT, "Черновик"),
    (StageKind.APPROVAL, "Согласование"),
    (StageKind.CONTRACT_SIGNING, "Подписание договора"),
    (StageKind.ACTIVE, "Действует"),
    (StageKind.REJECTED, "Отклонён"),
]


def contract_type(name: str, direction: str, stages, **kwargs) -> ContractType:
    ctype = ContractType.objects.create(name=name, direction=direction, **kwargs)
    Stage.objects.bulk_create(
        Stage(contract_type=ctype, kind=kind, name=label, order=i)
        for i, (kind, label) in enumerate(stages)
    )
    return ctype


def theatre(org) -> dict:
    """Adds to the ``org`` fixture: document specialist, accountant, the commercial director
    (head of the commercial service) with two approvers of her fund, an economist."""
    from tests.factories import DepartmentFactory, employee

    board = org["departments"]["board"]
    commercial = DepartmentFactory(
        legal_entity=board.legal_entity, name="Коммерческая служба", parent=board
    )
    people = dict(org)
    people["docspec"] = employee("docspec", board, roles=[roles.DOCUMENT_SPECIALIST])
    people["accountant"] = employee("accountant", board, roles=[roles.ACCOUNTANT])
    people["economist"] = employee("economist", board)
    people["comdir"] = employee("comdir", head_of=commercial)
    people["com_a"] = employee("com_a", commercial)
    people["com_b"] = employee("com_b", commercial)
    people["watcher"] = employee("watcher", board, roles=[roles.ALL_CONTRACTS])
    people["stranger"] = employee("stranger", commercial)
    expense = contract_type("Расходный: закупка", Direction.EXPENSE, EXPENSE_STAGES)
    income = contract_type("Доходный: продажа билетов", Direction.INCOME, INCOME_STAGES)
    equipment = SubjectCategory.objects.create(name="Оборудование")
    services_cat = SubjectCategory.objects.create(name="Услуги")
    budget = Fund.objects.create(name="Бюджет театра", owner=org["gendir"])
    budget.members.add(people["accountant"])
    comfund = Fund.objects.create(name="Фонд коммерческого директора", owner=people["comdir"])
    comfund.members.add(people["com_a"], people["com_b"])
    rule = ApprovalRule.objects.create
    rule(name="Руководитель инициатора", approver_kind=ApproverKind.DEPARTMENT_HEAD, group=1)
    rule(
        name="Юрист",
        approver_kind=ApproverKind.ROLE,
        approver_role=roles.LAWYER,
        group=1,
        deadline_days=3,
    )
    rule(
        name="Экономист (расходные)",
        contract_type=expense,
        approver_kind=ApproverKind.USER,
        approver_user=people["economist"],
        group=2,
    )
    rule(
        name="Бухгалтер (оборудование)",
        subject_category=equipment,
        approver_kind=ApproverKind.USER,
        approver_user=people["accountant"],
        group=2,
    )
    rule(name="Владелец фонда", fund=comfund, approver_kind=ApproverKind.FUND_OWNER, group=2)
    rule(name="Сотрудники фонда", fund=budget, approver_kind=ApproverKind.FUND_MEMBERS, group=3)
    rule(name="Сотрудники фонда КД", fund=comfund, approver_kind=ApproverKind.FUND_MEMBERS, group=3)
    rule(
        name="Крупная сделка",
        amount_min=Decimal("1000000"),
        approver_kind=ApproverKind.ROLE,
        approver_role=roles.GENERAL_DIRECTOR,
        group=4,
    )
    people.update(
        expense=expense,
        income=income,
        equipment=equipment,
        services=services_cat,
        budget=budget,
        comfund=comfund,
    )
    return people


def new_contract(t: dict, *, initiator=None, contract_type=None, **fields):
    from tests.factories import CounterpartyFactory

    data = {
        "contract_type": contract_type or t["expense"],
        "subject_category": t["services"],
        "subject": "Поставка прожекторов",
        "counterparty": CounterpartyFactory(name="ООО «Свет сцены»"),
        "amount": Decimal("150000"),
        "fund": t["budget"],
    }
    data.update(fields)
    return services.contract_create(initiator=initiator or t["seller"], data=data)


# --- acting on the route, as people do through their tasks --------------------------------------


def open_task(contract, user):
    """``user``'s open task on ``contract`` (exactly one)."""
    from workflow.models import Task, TaskStatus

    return Task.objects.get(object_id=contract.pk, assignee=user, status=TaskStatus.OPEN)


def decide(contract, user, decision: str = "approve", comment: str = ""):
    """``user`` decides their open task through its task kind (the card and the task page do
    the same)."""
    from workflow import registry

    task = open_task(contract, user)
    return registry.task_kind_for(task).complete(
        task_id=task.pk, user=user, data={"decision": decision, "comment": comment}
    )


def pending(contract) -> list[str]:
    """Usernames of the current round's open steps."""
    from workflow.models import RouteStep, StepStatus

    steps = RouteStep.objects.filter(
        route__document_type="contracts.contract",
        route__object_id=contract.pk,
        status=StepStatus.PENDING,
    ).select_related("participant")
    return sorted(s.participant.username for s in steps)
