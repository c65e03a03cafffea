"""The demo organisation from seed 000 (Argo: a hotel and an office centre in St Petersburg)."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from contracts import roles as contract_roles
from correspondence import roles as letter_roles
from crm import roles as crm_roles
from crm.models import Counterparty, CounterpartyCategory
from workflow import calendar
from workflow import roles as org_roles
from workflow.models import Department, Employee, LegalEntity, Task
from workflow.services import instruction_give

User = get_user_model()

DEMO_PASSWORD = "argo-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    last_name: str
    first_name: str
    position: str
    department: str
    roles: tuple[str, ...]


DEPARTMENTS = [
    # (name, legal entity code, parent, head username)
    ("Дирекция", "БЦ", None, "gendir"),
    ("Бизнес-центр «Арго»", "БЦ", "Дирекция", "director"),
    ("Гостиница «Арго»", "ОТ", "Дирекция", "hotel"),
    ("Юридический отдел", "БЦ", "Дирекция", "lawyer"),
    ("Бухгалтерия", "БЦ", "Дирекция", "accountant"),
]

USERS = [
    DemoUser(
        "gendir",
        "Волков",
        "Сергей",
        "Генеральный директор",
        "Дирекция",
        (org_roles.GENERAL_DIRECTOR, letter_roles.ALL_CORRESPONDENCE),
    ),
    DemoUser(
        "director",
        "Смирнова",
        "Анна",
        "Директор бизнес-центра",
        "Бизнес-центр «Арго»",
        (org_roles.DIRECTOR,),
    ),
    DemoUser(
        "hotel",
        "Ковалёв",
        "Дмитрий",
        "Директор гостиницы",
        "Гостиница «Арго»",
        (org_roles.DIRECTOR,),
    ),
    DemoUser("lawyer", "Орлова", "Елена", "Юрист", "Юридический отдел", (letter_roles.LAWYER,)),
    DemoUser(
        "accountant",
        "Белова",
        "Марина",
        "Главный бухгалтер",
        "Бухгалтерия",
        (contract_roles.ACCOUNTANT,),
    ),
    DemoUser("office", "Иванова", "Ольга", "Офис-менеджер", "Дирекция", (letter_roles.REGISTRAR,)),
    DemoUser(
        "manager1",
        "Петров",
        "Алексей",
        "Менеджер по аренде",
        "Бизнес-центр «Арго»",
        (crm_roles.MANAGER,),
    ),
    DemoUser(
        "manager2",
        "Соколова",
        "Ирина",
        "Менеджер по аренде",
        "Бизнес-центр «Арго»",
        (crm_roles.MANAGER,),
    ),
]

COUNTERPARTIES = [
    ("ООО «Северный ветер»", CounterpartyCategory.TENANT),
    ("ИП Кузнецов Андрей Викторович", CounterpartyCategory.TENANT),
    ("ООО «Петроградские решения»", CounterpartyCategory.TENANT),
    ("Главное управление МЧС России по г. Санкт-Петербургу", CounterpartyCategory.GOVERNMENT),
    ("Межрайонная ИФНС России № 17 по Санкт-Петербургу", CounterpartyCategory.GOVERNMENT),
    ("Управление Роспотребнадзора по г. Санкт-Петербургу", CounterpartyCategory.GOVERNMENT),
    ("ООО «ЛифтСервис»", CounterpartyCategory.CONTRACTOR),
    ("ООО «Чистый город»", CounterpartyCategory.CONTRACTOR),
    ("ООО «ТеплоЭнергоМонтаж»", CounterpartyCategory.CONTRACTOR),
]


def _user(username: str, *, first_name="", last_name="", is_staff=False, is_superuser=False):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@argo.example",
            "is_staff": is_staff,
            "is_superuser": is_superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load_demo() -> list[tuple[str, str]]:
    """Create (or leave as is) the demo organisation. Returns (login, who) pairs to print."""
    entities = {
        "ОТ": LegalEntity.objects.get_or_create(
            code="ОТ",
            defaults={
                "name": "Общество с ограниченной ответственностью «Арго Отель»",
                "short_name": "ООО «Арго Отель»",
            },
        )[0],
        "БЦ": LegalEntity.objects.get_or_create(
            code="БЦ",
            defaults={
                "name": "Общество с ограниченной ответственностью «Арго Офис»",
                "short_name": "ООО «Арго Офис»",
            },
        )[0],
    }
    users = {
        u.username: _user(u.username, first_name=u.first_name, last_name=u.last_name) for u in USERS
    }
    departments: dict[str, Department] = {}
    for name, entity_code, parent, head in DEPARTMENTS:
        departments[name] = Department.objects.get_or_create(
            name=name,
            parent=departments.get(parent) if parent else None,
            defaults={"legal_entity": entities[entity_code], "head": users[head]},
        )[0]
    for u in USERS:
        Employee.objects.get_or_create(
            user=users[u.username],
            defaults={
                "department": departments[u.department],
                "position": u.position,
                "roles": list(u.roles),
            },
        )
    _user("admin", first_name="Администратор", is_staff=True, is_superuser=True)
    for name, category in COUNTERPARTIES:
        Counterparty.objects.get_or_create(name=name, defaults={"category": category})
    _demo_tasks(users)
    # each document app adds its own demo data (a ``demo.load(users=..., entities=...)`` function)
    for app in ("crm", "correspondence", "contracts", "memos"):
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
            continue
        module.load(users=users, entities=entities)
    # every employee the demo created, including those the document apps added
    employees = Employee.objects.select_related("user").order_by("user__date_joined", "user_id")
    logins = [("admin", "администратор системы")]
    logins += [
        (e.user.username, f"{e.user.last_name} {e.user.first_name}, {e.position}".strip(", "))
        for e in employees
    ]
    return logins


def _demo_tasks(users: dict) -> None:
    if Task.objects.filter(created_by__in=users.values()).exists():
        return  # tasks were created on an earlier run
    now = timezone.localtime()
    end_of_day = dict(hour=18, minute=0, second=0, microsecond=0)
    in_two_days = calendar.add_working_days(now.date(), 2)
    instruction_give(
        author=users["gendir"],
        assignee=users["office"],
        title="Подготовить реестр входящих писем за месяц",
        description=(
            "Сводный реестр по обоим юрлицам: номер, дата, контрагент, исполнитель, статус."
        ),
        due_at=now.replace(
            year=in_two_days.year, month=in_two_days.month, day=in_two_days.day, **end_of_day
        ),
    )
    instruction_give(
        author=users["director"],
        assignee=users["manager1"],
        title="Позвонить в ООО «Северный ветер» по продлению аренды офиса 305",
        due_at=now.replace(**end_of_day) - dt.timedelta(days=1),
    )
    instruction_give(
        author=users["gendir"],
        assignee=users["lawyer"],
        title="Проверить доверенности на получение корреспонденции",
    )
