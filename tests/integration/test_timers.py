"""The durable timer sweep: each due timer fires exactly once, whatever runs twice."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from tests.helpers import give
from workflow import registry, services
from workflow.jobs import timers_sweep
from workflow.models import HistoryEntry, Notification, Task, Timer

FIRED: list[int] = []


def _count_handler(timer: Timer) -> None:
    FIRED.append(timer.pk)


def _broken_handler(timer: Timer) -> None:
    Notification.objects.create(recipient_id=timer.payload["user"], text="written, then undone")
    raise RuntimeError("counterparty service is down")


registry.register_timer_handler("tests.count", _count_handler)
registry.register_timer_handler("tests.broken", _broken_handler)


@pytest.fixture(autouse=True)
def _reset_fired():
    FIRED.clear()


def _past(minutes: int = 1) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def test_due_timers_fire_once_even_when_the_sweep_runs_twice(db):
    """GIVEN two due timers, one future and one cancelled
    WHEN the sweep runs twice
    THEN each due timer fired exactly once, the others not at all."""
    due = [services.timer_schedule(kind="tests.count", due_at=_past()) for _ in range(2)]
    future = services.timer_schedule(
        kind="tests.count", due_at=timezone.now() + dt.timedelta(hours=1)
    )
    cancelled = services.timer_schedule(kind="tests.count", due_at=_past())
    Timer.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
    assert timers_sweep() == 2
    assert timers_sweep() == 0
    assert sorted(FIRED) == sorted(t.pk for t in due)
    assert Timer.objects.get(pk=future.pk).fired_at is None


def test_sweep_works_through_more_than_one_batch(db):
    Timer.objects.bulk_create(Timer(kind="tests.count", due_at=_past()) for _ in range(25))
    assert timers_sweep(batch_size=10) == 25
    assert len(FIRED) == 25
    assert not Timer.objects.filter(fired_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_fire_each_timer_once():
    """GIVEN 60 due timers WHEN two workers sweep at the same moment
    THEN every timer fired exactly once between them."""
    Timer.objects.bulk_create(Timer(kind="tests.count", due_at=_past()) for _ in range(60))
    barrier = threading.Barrier(2)
    totals: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=5)
            totals.append(timers_sweep(batch_size=7))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(totals) == 60
    assert len(FIRED) == 60 and len(set(FIRED)) == 60


def test_a_failing_handler_is_retried_later_then_marked_failed(org):
    """GIVEN a timer whose handler fails
    WHEN it is swept
    THEN its partial writes are undone, it is retried later, and after five failures it stops
    and keeps the error for the administrator; other timers still fire."""
    broken = services.timer_schedule(
        kind="tests.broken", due_at=_past(), payload={"user": org["seller"].pk}
    )
    fine = services.timer_schedule(kind="tests.count", due_at=_past())
    assert timers_sweep() == 1
    broken = Timer.objects.get(pk=broken.pk)
    assert broken.attempts == 1 and broken.due_at > timezone.now()
    assert "counterparty service is down" in broken.last_error
    assert not Notification.objects.filter(text="written, then undone").exists()
    assert [fine.pk] == FIRED
    for _ in range(4):
        Timer.objects.filter(pk=broken.pk).update(due_at=_past())
        timers_sweep()
    broken = Timer.objects.get(pk=broken.pk)
    assert broken.attempts == 5 and broken.failed_at is not None and broken.fired_at is None


def test_unknown_timer_kind_is_refused_when_scheduled(db):
    with pytest.raises(LookupError):
        services.timer_schedule(kind="nobody.handles.this", due_at=_past())


def test_reminder_then_escalation_of_an_overdue_task(org):
    """GIVEN the seller's task whose reminder and deadline moments have passed
    WHEN the sweep runs (twice)
    THEN the seller is reminded once, then the task is escalated once to the sales head, and
    the task is marked as escalated with both steps in its history."""
    task = give(org["sales_head"], org["seller"], "Сдать отчёт", due_in_days=5)
    Timer.objects.filter(object_id=task.pk).update(due_at=_past())
    Notification.objects.all().delete()
    timers_sweep()
    timers_sweep()
    task = Task.objects.get(pk=task.pk)
    assert task.reminded_at is not None and task.escalated_at is not None
    seller_texts = list(
        Notification.objects.filter(recipient=org["seller"]).values_list("text", flat=True)
    )
    assert len(seller_texts) == 2
    assert any(t.startswith("Напоминание") for t in seller_texts)
    head_texts = list(
        Notification.objects.filter(recipient=org["sales_head"]).values_list("text", flat=True)
    )
    assert len(head_texts) == 1 and "просрочил" in head_texts[0]
    actions = set(HistoryEntry.objects.filter(object_id=task.pk).values_list("action", flat=True))
    assert {"reminder", "escalation"} <= actions


def test_a_task_completed_before_its_deadline_is_never_escalated(org):
    task = give(org["sales_head"], org["seller"], due_in_days=5)
    services.task_complete(task_id=task.pk, user=org["seller"], outcome="done")
    Timer.objects.filter(object_id=task.pk).update(due_at=_past())
    timers_sweep()
    assert Task.objects.get(pk=task.pk).escalated_at is None
    assert not Notification.objects.filter(recipient=org["sales_head"]).exists()


def test_escalation_handler_is_idempotent_when_a_timer_is_replayed(org):
    """GIVEN an escalation already done WHEN the same handler runs again (a crashed worker
    retried) THEN nobody is notified twice."""
    task = give(org["sales_head"], org["seller"], due_in_days=5)
    escalation = Timer.objects.get(object_id=task.pk, kind=services.TASK_ESCALATION)
    handler = registry.timer_handler(services.TASK_ESCALATION)
    handler(escalation)
    handler(escalation)
    assert Notification.objects.filter(recipient=org["sales_head"]).count() == 1


def test_the_sweep_schedule_is_installed_by_migrations(db):
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="workflow.timers_sweep")
    assert schedule.func == "workflow.jobs.timers_sweep"
    assert schedule.schedule_type == Schedule.MINUTES and schedule.minutes == 1
    assert schedule.repeats == -1
