"""`manage.py demo_data`: the demo organisation a developer logs into, loaded once and only with
DEBUG on."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from argo_docs.demo import DEMO_PASSWORD
from correspondence import roles as letter_roles
from crm.models import Counterparty, CounterpartyCategory
from workflow import roles as org_roles
from workflow.models import (
    Department,
    Employee,
    HistoryEntry,
    LegalEntity,
    Notification,
    Task,
    Timer,
)
from workflow.selectors import head_of, tasks_for

User = get_user_model()

COUNTED = [
    User,
    LegalEntity,
    Department,
    Employee,
    Counterparty,
    Task,
    HistoryEntry,
    Notification,
    Timer,
]


@pytest.fixture
def demo(db, settings):
    """The demo organisation, loaded with DEBUG on; returns the command's output."""
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_demo_creates_the_two_legal_entities(demo):
    """GIVEN an empty database and DEBUG on
    WHEN the demo data is loaded
    THEN the hotel and the office centre legal entities exist."""
    assert set(LegalEntity.objects.values_list("short_name", flat=True)) == {
        "ООО «Арго Отель»",
        "ООО «Арго Офис»",
    }


def test_general_director_heads_the_board(demo):
    """GIVEN the demo data
    WHEN «Дирекция» is looked at
    THEN it is the top department, headed by the general director (with that role)."""
    board = Department.objects.get(name="Дирекция")

    assert board.parent is None
    assert board.head.username == "gendir"
    assert org_roles.GENERAL_DIRECTOR in board.head.employee.roles


def test_office_manager_is_a_registrar_reporting_to_the_general_director(demo):
    """GIVEN the demo data
    WHEN the office manager's profile is looked at
    THEN she is in «Дирекция», holds the registrar role and reports to the general director."""
    office = User.objects.get(username="office")

    assert office.employee.department.name == "Дирекция"
    assert letter_roles.REGISTRAR in office.employee.roles
    assert head_of(office).username == "gendir"


def test_demo_users_log_in_with_the_demo_password(demo):
    """GIVEN the demo data
    WHEN a demo login is checked with the printed password
    THEN it is accepted, and the command printed that password."""
    assert User.objects.get(username="office").check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in demo
    assert "office" in demo


def test_demo_creates_counterparties_of_the_three_routing_categories(demo):
    """GIVEN the demo data
    WHEN the counterparties are looked at
    THEN there are tenants, government bodies and contractors."""
    categories = set(Counterparty.objects.values_list("category", flat=True))

    routing = {
        CounterpartyCategory.TENANT,
        CounterpartyCategory.GOVERNMENT,
        CounterpartyCategory.CONTRACTOR,
    }
    assert categories >= routing
    for category in routing:
        assert Counterparty.objects.filter(category=category).count() >= 2


def test_office_manager_has_an_open_task_from_the_general_director(demo):
    """GIVEN the demo data
    WHEN the office manager opens her inbox
    THEN there is an open task from the general director with a deadline."""
    office = User.objects.get(username="office")

    inbox = list(tasks_for(office))

    assert inbox
    assert all(task.assignee == office for task in inbox)
    assert any(task.created_by.username == "gendir" and task.due_at for task in inbox)


def test_loading_the_demo_twice_creates_nothing_twice(demo, settings):
    """GIVEN the demo data already loaded
    WHEN the command is run a second time
    THEN no user, entity, department, counterparty, task, history entry, notification or
    timer is added."""
    before = counts()
    assert all(before.values()), before

    call_command("demo_data", stdout=StringIO())

    assert counts() == before


def test_demo_is_refused_with_debug_off(db, settings):
    """GIVEN DEBUG off, as in production
    WHEN the demo data command is run
    THEN it fails with a CommandError and creates no demo logins."""
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("demo_data", stdout=StringIO())

    assert not User.objects.filter(username__in=["gendir", "office", "admin"]).exists()
