"""The client pipeline of seed 001: take into work, the three answers, the call-back loop."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from crm.forms import PipelineAnswerForm
from crm.models import (
    CalendarEvent,
    Counterparty,
    CounterpartyCategory,
    EventKind,
    Industry,
    ProcessingStatus,
)
from crm.services.pipeline import PIPELINE_REQUEST, company_take_into_work, pipeline_answer
from workflow.jobs import timers_sweep
from workflow.models import Notification, Task, TaskStatus, Timer
from workflow.selectors import history_of

MOSCOW = dt.timezone(dt.timedelta(hours=3))
START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=MOSCOW)  # a Monday


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def zhkh(db):
    return Industry.objects.create(name="ЖКХ", starts_pipeline=True)


@pytest.fixture
def company(org, zhkh):
    return Counterparty.objects.create(
        name="ООО «УК Первая»",
        category=CounterpartyCategory.CLIENT,
        industry=zhkh,
        responsible=org["seller"],
    )


def _open_requests(company):
    return Task.objects.filter(kind=PIPELINE_REQUEST, object_id=company.pk, status=TaskStatus.OPEN)


def _answer(user, outcome, when=None, comment=""):
    task = Task.objects.get(kind=PIPELINE_REQUEST, assignee=user, status=TaskStatus.OPEN)
    return pipeline_answer(
        task_id=task.pk, user=user, data={"outcome": outcome, "when": when, "comment": comment}
    )


def test_moving_a_zhkh_company_to_in_progress_starts_the_pipeline(org, company, frozen):
    """GIVEN an imported ЖКХ company of the seller WHEN she takes it into work
    THEN the status is «В обработке», she has the request «Назначена ли встреча?» in her inbox
    and the history records the move."""
    company_take_into_work(company_id=company.pk, user=org["seller"])
    company.refresh_from_db()
    assert company.get_status_display() == "В обработке"
    assert company.pipeline_active
    task = _open_requests(company).get()
    assert task.assignee == org["seller"]
    assert task.title.startswith("Назначена ли встреча?")
    assert history_of(company).filter(to_state=ProcessingStatus.IN_PROGRESS).exists()


@pytest.mark.parametrize("industry_name", ["Ритейл", None])
def test_other_industries_start_nothing(org, db, industry_name):
    """GIVEN a company of an industry not flagged for the pipeline (or without industry)
    WHEN it is taken into work THEN the status changes but no process and no task starts."""
    industry = Industry.objects.create(name=industry_name) if industry_name else None
    company = Counterparty.objects.create(
        name="ООО «Магазин»", industry=industry, responsible=org["seller"]
    )
    company_take_into_work(company_id=company.pk, user=org["seller"])
    company.refresh_from_db()
    assert company.status == ProcessingStatus.IN_PROGRESS
    assert not company.pipeline_active
    assert not Task.objects.filter(kind=PIPELINE_REQUEST).exists()


def test_only_the_move_from_imported_starts_it_and_status_is_not_editable(org, company):
    """GIVEN a company already in progress WHEN it is taken again THEN it is refused; and
    nobody can set the status by hand."""
    company_take_into_work(company_id=company.pk, user=org["seller"])
    with pytest.raises(TransitionNotAllowed):
        company_take_into_work(company_id=company.pk, user=org["seller"])
    assert _open_requests(company).count() == 1
    company.refresh_from_db()
    with pytest.raises(AttributeError):
        company.status = ProcessingStatus.LAUNCHED


def test_another_managers_company_cannot_be_taken(org, company):
    """GIVEN the seller's company WHEN seller2 tries to take it into work THEN refused."""
    with pytest.raises(PermissionDenied):
        company_take_into_work(company_id=company.pk, user=org["seller2"])
    company.refresh_from_db()
    assert company.status == ProcessingStatus.IMPORTED


def test_schedule_a_call_puts_it_in_the_calendar_and_the_request_comes_back_after_it(
    org, company, frozen
):
    """GIVEN the request «Назначена ли встреча?» WHEN the seller answers «next call tomorrow
    at 11:00» THEN the call is in her calendar, the request is gone until 11:00 tomorrow and
    comes back (once) after that time; the status has not changed."""
    company_take_into_work(company_id=company.pk, user=org["seller"])
    call_at = START + dt.timedelta(days=1, hours=1)
    _answer(org["seller"], "call", call_at, "Секретарь просила перезвонить")
    event = CalendarEvent.objects.get(owner=org["seller"])
    assert event.kind == EventKind.CALL and event.starts_at == call_at
    assert event.company == company
    assert not _open_requests(company).exists()

    frozen.move_to(call_at - dt.timedelta(minutes=1))
    timers_sweep()
    assert not _open_requests(company).exists()

    frozen.move_to(call_at + dt.timedelta(minutes=1))
    timers_sweep()
    timers_sweep()
    task = _open_requests(company).get()
    assert task.title.startswith("Назначена ли встреча?")
    company.refresh_from_db()
    assert company.status == ProcessingStatus.IN_PROGRESS
    # the loop goes on: another call, another return
    second_call = call_at + dt.timedelta(days=1)
    _answer(org["seller"], "call", second_call)
    frozen.move_to(second_call + dt.timedelta(minutes=1))
    timers_sweep()
    assert _open_requests(company).count() == 1
    assert CalendarEvent.objects.filter(owner=org["seller"], kind=EventKind.CALL).count() == 2


def test_meeting_date_advances_the_status_reminds_before_and_asks_the_next_stage(
    org, company, frozen
):
    """GIVEN the request WHEN the seller records a meeting in two days at 15:00
    THEN the status is «Назначена встреча», the meeting is in her calendar, a reminder arrives
    an hour before, and at the meeting time the next stage's request comes."""
    company_take_into_work(company_id=company.pk, user=org["seller"])
    meeting_at = START + dt.timedelta(days=2, hours=5)
    _answer(org["seller"], "step", meeting_at)
    company.refresh_from_db()
    assert company.get_status_display() == "Назначена встреча"
    event = CalendarEvent.objects.get(owner=org["seller"])
    assert event.kind == EventKind.MEETING and event.title.startswith("Встреча")

    frozen.move_to(meeting_at - dt.timedelta(minutes=59))
    timers_sweep()
    assert (
        Notification.objects.filter(
            recipient=org["seller"], text__startswith="Напоминание: «Встреча"
        ).count()
        == 1
    )
    assert not _open_requests(company).exists()

    frozen.move_to(meeting_at + dt.timedelta(minutes=1))
    timers_sweep()
    assert _open_requests(company).get().title.startswith("Встреча состоялась?")


def test_each_stage_advances_until_launched_where_the_process_ends(org, company, frozen):
    """GIVEN the pipeline WHEN every stage's request is answered with a date
    THEN the status walks through all stages to «Запущен» and no request comes after it."""
    company_take_into_work(company_id=company.pk, user=org["seller"])
    seen = []
    when = START
    for _ in range(6):
        when = when + dt.timedelta(days=1)
        _answer(org["seller"], "step", when)
        company.refresh_from_db()
        seen.append(company.get_status_display())
        frozen.move_to(when + dt.timedelta(minutes=1))
        timers_sweep()
    assert seen == [
        "Назначена встреча",
        "Согласование условий",
        "Согласование договора",
        "Подписание договора",
        "Подготовка к запуску",
        "Запущен",
    ]
    assert not company.pipeline_active
    assert not _open_requests(company).exists()
    assert not Timer.objects.filter(
        kind=PIPELINE_REQUEST, fired_at__isnull=True, cancelled_at__isnull=True
    ).exists()


def test_refusal_ends_the_process_even_with_a_call_pending(org, company, frozen):
    """GIVEN a call back scheduled and the request back WHEN the seller answers «Отказ»
    THEN the status is «Отказ» and nothing comes back any more."""
    company_take_into_work(company_id=company.pk, user=org["seller"])
    call_at = START + dt.timedelta(hours=2)
    _answer(org["seller"], "call", call_at)
    frozen.move_to(call_at + dt.timedelta(minutes=1))
    timers_sweep()
    _answer(org["seller"], "refuse", comment="Работают с другим подрядчиком")
    company.refresh_from_db()
    assert company.get_status_display() == "Отказ"
    frozen.move_to(call_at + dt.timedelta(days=30))
    timers_sweep()
    assert not _open_requests(company).exists()
    assert history_of(company).filter(comment="Работают с другим подрядчиком").exists()


def test_someone_else_cannot_answer_the_request(org, company):
    """GIVEN the seller's request WHEN seller2 answers it THEN refused, nothing changes."""
    company_take_into_work(company_id=company.pk, user=org["seller"])
    task = _open_requests(company).get()
    with pytest.raises(PermissionDenied):
        pipeline_answer(
            task_id=task.pk, user=org["seller2"], data={"outcome": "refuse", "comment": ""}
        )
    company.refresh_from_db()
    assert company.status == ProcessingStatus.IN_PROGRESS


def test_answer_form_requires_a_future_date_for_a_call_or_step(db):
    """GIVEN the decision form WHEN «call» has no date or a past one THEN a Russian error."""
    form = PipelineAnswerForm({"outcome": "call", "when": ""})
    assert not form.is_valid() and "Укажите дату и время." in form.errors["when"]
    past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    form = PipelineAnswerForm({"outcome": "step", "when": past})
    assert not form.is_valid() and "Дата должна быть в будущем." in form.errors["when"]
    assert PipelineAnswerForm({"outcome": "refuse"}).is_valid()


@pytest.mark.django_db(transaction=True)
def test_double_click_on_take_into_work_starts_one_process(transactional_db):
    """GIVEN an imported ЖКХ company WHEN the manager's two tabs take it into work at the same
    moment THEN one succeeds, the other is refused, and there is exactly one request task."""
    import threading

    from django.db import connection

    from tests.factories import DepartmentFactory, employee

    manager = employee("m1", DepartmentFactory(), roles=["manager"])
    industry = Industry.objects.create(name="ЖКХ", starts_pipeline=True)
    company = Counterparty.objects.create(name="УК «Одна»", industry=industry, responsible=manager)
    barrier = threading.Barrier(2)
    outcomes = []

    def take():
        try:
            barrier.wait()
            company_take_into_work(company_id=company.pk, user=manager)
            outcomes.append("ok")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Task.objects.filter(kind=PIPELINE_REQUEST, status=TaskStatus.OPEN).count() == 1
