"""The 90-day contact control (R13, seed 003): timers, both branches, no duplicate deals."""

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.models import (
    CommunicationKind,
    Counterparty,
    CounterpartyCategory,
    CrmSettings,
    Deal,
    DealStatus,
)
from crm.services.contact import (
    CONTACT_CHECK,
    CONTACT_TASK,
    communication_add,
    communication_log,
    contact_control_schedule_missing,
    contact_task_complete,
)
from workflow.jobs import timers_sweep
from workflow.models import Task, TaskStatus, Timer

MOSCOW = dt.timezone(dt.timedelta(hours=3))
T0 = dt.datetime(2026, 1, 12, 9, 0, tzinfo=MOSCOW)


@pytest.fixture
def client_company(org):
    with time_machine.travel(T0, tick=False):
        return Counterparty.objects.create(
            name="ООО «Клиент»",
            category=CounterpartyCategory.CLIENT,
            responsible=org["seller"],
        )


def _pending_checks(company):
    return Timer.objects.filter(
        kind=CONTACT_CHECK, object_id=company.pk, fired_at__isnull=True, cancelled_at__isnull=True
    )


def test_silent_company_gets_a_service_deal_and_a_task_once(org, client_company):
    """GIVEN a client with no communication since it was created WHEN 90 days pass
    (the daily sweep schedules its check, the timer fires, and fires again by mistake)
    THEN one «Клиентский сервис» deal is open, the manager has one task «Связаться с клиентом»,
    and the next check is 90 days later."""
    with time_machine.travel(T0 + dt.timedelta(days=89, hours=12), tick=False):
        assert contact_control_schedule_missing() == 1
        assert contact_control_schedule_missing() == 0  # idempotent
        assert _pending_checks(client_company).get().due_at == T0 + dt.timedelta(days=90)
    with time_machine.travel(T0 + dt.timedelta(days=90, minutes=1), tick=False) as clock:
        timers_sweep()
        # a second, stray timer for the same company (e.g. a double schedule) changes nothing
        client_company.refresh_from_db()
        Timer.objects.create(
            kind=CONTACT_CHECK,
            content_type=_pending_checks(client_company).get().content_type,
            object_id=client_company.pk,
            due_at=T0,
        )
        Counterparty.objects.filter(pk=client_company.pk).update(next_contact_check_at=T0)
        clock.shift(dt.timedelta(minutes=1))
        timers_sweep()
    deal = Deal.objects.get(company=client_company)
    assert deal.status == DealStatus.OPEN and deal.get_pipeline_display() == "Клиентский сервис"
    task = Task.objects.get(kind=CONTACT_TASK, status=TaskStatus.OPEN)
    assert task.assignee == org["seller"]
    assert task.title == "Связаться с клиентом: ООО «Клиент»"
    client_company.refresh_from_db()
    assert client_company.next_contact_check_at > T0 + dt.timedelta(days=179)


def test_recent_communication_postpones_the_check_to_90_days_after_it(org, client_company):
    """GIVEN a call 30 days after creation WHEN the original check date comes
    THEN no deal opens and the next check is 90 days after the call."""
    call_at = T0 + dt.timedelta(days=30)
    with time_machine.travel(call_at, tick=False):
        communication_log(
            company_id=client_company.pk,
            user=org["seller"],
            kind=CommunicationKind.CALL,
            summary="Обсудили продление",
        )
    client_company.refresh_from_db()
    assert client_company.next_contact_check_at == call_at + dt.timedelta(days=90)
    assert _pending_checks(client_company).get().due_at == call_at + dt.timedelta(days=90)
    with time_machine.travel(T0 + dt.timedelta(days=91), tick=False):
        timers_sweep()
    assert not Deal.objects.exists()
    assert not Task.objects.filter(kind=CONTACT_TASK).exists()


def test_the_check_itself_postpones_when_a_communication_was_recorded_silently(org, client_company):
    """GIVEN the check fires while the last communication is 20 days old (recorded without
    moving the check) THEN no deal, and the next check is 90 days after that communication."""
    last = T0 + dt.timedelta(days=70)
    Counterparty.objects.filter(pk=client_company.pk).update(
        last_communication_at=last, next_contact_check_at=T0 + dt.timedelta(days=90)
    )
    with time_machine.travel(T0 + dt.timedelta(days=90, minutes=1), tick=False):
        contact_control_schedule_missing()
        timers_sweep()
    client_company.refresh_from_db()
    assert not Deal.objects.exists()
    assert client_company.next_contact_check_at == last + dt.timedelta(days=90)


def test_the_period_is_configurable(org, client_company):
    """GIVEN the administrator set 30 days WHEN 31 silent days pass THEN a deal opens."""
    settings = CrmSettings.load()
    settings.contact_control_days = 30
    settings.save()
    Counterparty.objects.filter(pk=client_company.pk).update(next_contact_check_at=None)
    with time_machine.travel(T0 + dt.timedelta(days=30, hours=1), tick=False):
        contact_control_schedule_missing()
        timers_sweep()
    assert Deal.objects.filter(company=client_company, status=DealStatus.OPEN).count() == 1


def test_database_refuses_a_second_open_service_deal(client_company):
    """GIVEN an open service deal THEN a second open one for the company is refused by the DB,
    while a closed one may coexist."""
    Deal.objects.create(company=client_company, title="Сделка 1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.create(company=client_company, title="Сделка 2")
    Deal.objects.create(company=client_company, title="Старая", status=DealStatus.CLOSED)


def test_completing_contact_task_logs_the_call_and_closes_the_deal(org, client_company):
    """GIVEN the task «Связаться с клиентом» WHEN the manager reports the call
    THEN the call is in the log, the deal is closed and the next check is 90 days later."""
    with time_machine.travel(T0 + dt.timedelta(days=91), tick=False):
        contact_control_schedule_missing(horizon=dt.timedelta(days=0))
        timers_sweep()
        task = Task.objects.get(kind=CONTACT_TASK)
        contact_task_complete(
            task_id=task.pk, user=org["seller"], data={"summary": "Всё в порядке"}
        )
    assert Deal.objects.get(company=client_company).status == DealStatus.CLOSED
    call = client_company.communications.get()
    assert call.kind == CommunicationKind.CALL and call.summary == "Всё в порядке"
    client_company.refresh_from_db()
    assert client_company.next_contact_check_at == T0 + dt.timedelta(days=181)


def test_older_communication_does_not_move_the_check_back(org, client_company):
    """GIVEN a recent call WHEN an older letter is recorded later THEN the check stays."""
    with time_machine.travel(T0 + dt.timedelta(days=10), tick=False):
        communication_add(company=client_company, kind=CommunicationKind.CALL)
        communication_add(company=client_company, kind=CommunicationKind.LETTER, occurred_at=T0)
    client_company.refresh_from_db()
    assert client_company.next_contact_check_at == T0 + dt.timedelta(days=100)
    assert _pending_checks(client_company).count() == 1


def _silent_for_90_days(company):
    with time_machine.travel(T0 + dt.timedelta(days=89, hours=12), tick=False):
        contact_control_schedule_missing()
    with time_machine.travel(T0 + dt.timedelta(days=90, minutes=1), tick=False):
        timers_sweep()


def test_the_task_has_a_deadline_in_working_days(org, client_company):
    """GIVEN the default of 5 working days WHEN the check opens the task on Sunday 12.04.2026
    THEN it is due on Friday 17.04.2026 at 18:00 (the weekend does not count); with 2 working
    days configured, a task opened on Tuesday 14.04 is due on Thursday 16.04."""
    _silent_for_90_days(client_company)
    task = Task.objects.get(kind=CONTACT_TASK)
    assert timezone.localtime(task.due_at) == dt.datetime(2026, 4, 17, 18, 0, tzinfo=MOSCOW)
    settings = CrmSettings.load()
    settings.contact_task_working_days = 2
    settings.save()
    other = Counterparty.objects.create(
        name="ООО «Второй»", category=CounterpartyCategory.CLIENT, responsible=org["seller"]
    )
    with time_machine.travel(T0 + dt.timedelta(days=92), tick=False):
        Counterparty.objects.filter(pk=other.pk).update(next_contact_check_at=timezone.now())
        contact_control_schedule_missing()
        timers_sweep()
    task = Task.objects.get(kind=CONTACT_TASK, object_id=other.pk)
    assert timezone.localtime(task.due_at).date() == dt.date(2026, 4, 16)


@pytest.mark.parametrize("who", ["sales_head", "fallback", "gendir"])
def test_a_company_without_a_manager_goes_to_someone(org, who):
    """GIVEN a client nobody is responsible for WHEN 90 days pass silently THEN the task goes
    to the head of sales (the head over the managers' department); without one, to the
    fallback set in the CRM settings; without that, to the general director. The task says
    why, and the deal is theirs."""
    from tests.factories import employee

    fallback = employee("fallback", org["departments"]["board"])
    if who != "sales_head":
        sales = org["departments"]["sales"]
        sales.head = None
        sales.save()
        board = org["departments"]["board"]
        board.head = None  # the general director heads the board: nobody above the managers
        board.save()
    if who == "fallback":
        settings = CrmSettings.load()
        settings.unassigned_fallback = fallback
        settings.save()
    with time_machine.travel(T0, tick=False):
        company = Counterparty.objects.create(
            name="ООО «Ничей»", category=CounterpartyCategory.CLIENT
        )
    _silent_for_90_days(company)
    task = Task.objects.get(kind=CONTACT_TASK)
    expected = {"sales_head": org["sales_head"], "fallback": fallback, "gendir": org["gendir"]}
    assert task.assignee == expected[who]
    assert "нет ответственного менеджера" in task.description
    assert Deal.objects.get(company=company).responsible == expected[who]


def test_the_configured_sales_department_decides_the_head(org, client_company):
    from tests.factories import DepartmentFactory, employee

    other = DepartmentFactory(name="Коммерческий отдел", parent=org["departments"]["board"])
    head = employee("commercial_head", head_of=other)
    settings = CrmSettings.load()
    settings.sales_department = other
    settings.save()
    Counterparty.objects.filter(pk=client_company.pk).update(responsible=None)
    _silent_for_90_days(client_company)
    assert Task.objects.get(kind=CONTACT_TASK).assignee == head
