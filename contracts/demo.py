"""Demo data for the theatre case (seed 004): contract types of both kinds with their stages, two
funds (one owned by the commercial director with her own approvers), realistic rules and a few
contracts at different stages. Idempotent."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from contracts import roles, services
from contracts.models import (
    ApprovalRule,
    ApproverKind,
    Contract,
    ContractField,
    ContractType,
    Direction,
    Fund,
    Stage,
    StageKind,
    SubjectCategory,
)
from crm.models import Counterparty, CounterpartyCategory
from workflow import registry
from workflow.models import Department, Employee, Task, TaskStatus

User = get_user_model()

FULL = [
    (StageKind.DRAFT, "Черновик"),
    (StageKind.PREPARATION, "Подготовка документоведом"),
    (StageKind.APPROVAL, "Согласование"),
    (StageKind.INVOICE_SIGNING, "Подписание счёта"),
    (StageKind.CONTRACT_SIGNING, "Подписание договора"),
    (StageKind.ACTIVE, "Действует"),
    (StageKind.REJECTED, "Отклонён"),
]
SHORT = [s for s in FULL if s[0] not in (StageKind.PREPARATION, StageKind.INVOICE_SIGNING)]

TYPES = [
    (
        "Доходный: продажа билетов",
        Direction.INCOME,
        SHORT,
        [("Спектакль", "text"), ("Дата показа", "date")],
    ),
    (
        "Доходный: экскурсии",
        Direction.INCOME,
        SHORT,
        [("Группа", "text"), ("Дата экскурсии", "date")],
    ),
    (
        "Доходный: подарочные сертификаты",
        Direction.INCOME,
        SHORT,
        [("Количество сертификатов", "number")],
    ),
    ("Расходный: закупка", Direction.EXPENSE, FULL, [("Номер счёта", "text")]),
    ("Расходный: подрядные работы", Direction.EXPENSE, FULL, [("Объект работ", "text")]),
]

EXTRA_USERS = [
    # username, last, first, position, department, roles
    ("comdir", "Тихонова", "Валерия", "Коммерческий директор", "head", ()),
    ("comfund1", "Лебедев", "Игорь", "Экономист коммерческой службы", "commercial", ()),
    ("comfund2", "Гусева", "Наталья", "Менеджер по спецпроектам", "commercial", ()),
    ("docspec", "Морозова", "Светлана", "Документовед", "board", (roles.DOCUMENT_SPECIALIST,)),
    ("auditor", "Зайцева", "Ольга", "Контролёр договоров", "board", (roles.ALL_CONTRACTS,)),
]


def _extra_users(users: dict) -> dict:
    from argo_docs.demo import DEMO_PASSWORD

    board = Department.objects.get(name="Дирекция", parent=None)
    commercial, _ = Department.objects.get_or_create(
        name="Коммерческая служба", parent=board, defaults={"legal_entity": board.legal_entity}
    )
    people = dict(users)
    for username, last, first, position, where, user_roles in EXTRA_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@argo.example"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Employee.objects.get_or_create(
            user=user,
            defaults={
                "department": board if where == "board" else commercial,
                "position": position,
                "roles": list(user_roles),
            },
        )
        people[username] = user
    if commercial.head_id is None:
        commercial.head = people["comdir"]
        commercial.save(update_fields=["head"])
    return people


def _configuration(people: dict) -> dict:
    types = {}
    for name, direction, stages, extra in TYPES:
        ctype, created = ContractType.objects.get_or_create(
            name=name, defaults={"direction": direction}
        )
        if created:
            ContractField.objects.bulk_create(
                ContractField(contract_type=ctype, label=label, kind=kind, order=i)
                for i, (label, kind) in enumerate(extra)
            )
            Stage.objects.bulk_create(
                Stage(contract_type=ctype, kind=kind, name=label, order=i)
                for i, (kind, label) in enumerate(stages)
            )
        types[name] = ctype
    categories = {
        name: SubjectCategory.objects.get_or_create(name=name)[0]
        for name in ("Оборудование", "Расходные материалы", "Услуги подрядчиков", "Билеты")
    }
    budget, created = Fund.objects.get_or_create(
        name="Бюджетные средства", defaults={"owner": people["gendir"]}
    )
    if created:
        budget.members.add(people["accountant"])
    comfund, created = Fund.objects.get_or_create(
        name="Фонд коммерческого директора", defaults={"owner": people["comdir"]}
    )
    if created:
        comfund.members.add(people["comfund1"], people["comfund2"])
    if not ApprovalRule.objects.exists():
        rule = ApprovalRule.objects.create
        rule(name="Руководитель инициатора", approver_kind=ApproverKind.DEPARTMENT_HEAD, group=1)
        rule(
            name="Юрист",
            approver_kind=ApproverKind.ROLE,
            approver_role=roles.LAWYER,
            group=1,
            deadline_days=3,
        )
        for name in ("Расходный: закупка", "Расходный: подрядные работы"):
            rule(
                name="Главный бухгалтер (расходные)",
                contract_type=types[name],
                approver_kind=ApproverKind.USER,
                approver_user=people["accountant"],
                group=2,
            )
        rule(
            name="Коммерческий директор (свой фонд)",
            fund=comfund,
            approver_kind=ApproverKind.FUND_OWNER,
            group=2,
        )
        rule(
            name="Сотрудники фонда КД",
            fund=comfund,
            approver_kind=ApproverKind.FUND_MEMBERS,
            group=3,
        )
        rule(
            name="Генеральный директор (от 500 000 ₽)",
            amount_min=Decimal("500000"),
            approver_kind=ApproverKind.ROLE,
            approver_role=roles.GENERAL_DIRECTOR,
            group=4,
        )
    return {"types": types, "categories": categories, "budget": budget, "comfund": comfund}


def _decide(contract, user, decision: str, comment: str = "") -> None:
    """``user`` decides their open task of ``contract`` through its task kind, as on the card."""
    task = Task.objects.get(
        content_type=ContentType.objects.get_for_model(Contract),
        object_id=contract.pk,
        assignee=user,
        status=TaskStatus.OPEN,
    )
    registry.task_kind_for(task).complete(
        task_id=task.pk, user=user, data={"decision": decision, "comment": comment}
    )


def _contracts(people: dict, config: dict) -> None:
    if Contract.objects.exists():
        return
    types, categories = config["types"], config["categories"]

    def party(name, category=CounterpartyCategory.CONTRACTOR):
        return Counterparty.objects.get_or_create(name=name, defaults={"category": category})[0]

    def create(initiator, type_name, **data):
        data.setdefault("extra", {})
        return services.contract_create(
            initiator=people[initiator], data={"contract_type": types[type_name], **data}
        )

    # an expense contract on the commercial director's fund, half-way through approval
    lights = create(
        "manager1",
        "Расходный: закупка",
        subject_category=categories["Оборудование"],
        subject="Поставка светодиодных прожекторов",
        counterparty=party("ООО «Сценические технологии»"),
        amount=Decimal("380000"),
        fund=config["comfund"],
        extra={"Номер счёта": "СТ-118"},
    )
    services.contract_submit(contract_id=lights.pk, user=people["manager1"])
    docspec = people["docspec"]
    _decide(lights, docspec, "approve")
    _decide(lights, people["lawyer"], "approve", "Замечаний нет")
    # a contractor's works returned once for revision
    repair = create(
        "manager2",
        "Расходный: подрядные работы",
        subject_category=categories["Услуги подрядчиков"],
        subject="Ремонт механики сцены",
        counterparty=party("ООО «ТеплоЭнергоМонтаж»"),
        amount=Decimal("920000"),
        fund=config["budget"],
    )
    services.contract_submit(contract_id=repair.pk, user=people["manager2"])
    _decide(repair, docspec, "return", "Приложите смету и акт осмотра")
    # an income contract for ticket sales: approved and active
    tickets = create(
        "manager1",
        "Доходный: продажа билетов",
        subject_category=categories["Билеты"],
        subject="Реализация билетов на сезон 2026/27",
        counterparty=party("АО «Театральная касса»", CounterpartyCategory.CLIENT),
        amount=Decimal("150000"),
        extra={"Спектакль": "Вишнёвый сад", "Дата показа": "2026-12-12"},
    )
    services.contract_submit(contract_id=tickets.pk, user=people["manager1"])
    for who in ("director", "lawyer"):
        _decide(tickets, people[who], "approve")
    _decide(tickets, people["gendir"], "sign")
    # a gift-certificate contract still a draft
    create(
        "manager2",
        "Доходный: подарочные сертификаты",
        subject_category=categories["Билеты"],
        subject="Подарочные сертификаты для сотрудников банка",
        counterparty=party("ПАО «Уральский банк»", CounterpartyCategory.CLIENT),
        amount=Decimal("60000"),
        extra={"Количество сертификатов": "40"},
    )


def load(*, users, entities) -> None:
    people = _extra_users(users)
    config = _configuration(people)
    _contracts(people, config)
