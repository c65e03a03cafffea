"""The timer sweep in batches: set-based reminders and escalations, exactly once per timer, one
sweep at a time, and the budget that hands the rest to the next run."""

import datetime as dt
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.utils import timezone

from outbox.models import OutboxMessage
from tests.factories import small_org
from workflow import registry, services, timer_sweep
from workflow.jobs import timers_sweep
from workflow.models import HistoryEntry, Notification, Task, Timer

BATCH_FIRED: list[int] = []
SINGLE_FIRED: list[int] = []


def _single(timer: Timer) -> None:
    SINGLE_FIRED.append(timer.pk)


def _broken_batch(timers: list[Timer]) -> None:
    BATCH_FIRED.extend(t.pk for t in timers)
    Notification.objects.create(recipient_id=timers[0].payload["user"], text="undone with batch")
    raise RuntimeError("batch handler is broken")


registry.register_timer_handler("tests.batch_fallback", _single)
registry.register_timer_batch_handler("tests.batch_fallback", _broken_batch)


@pytest.fixture(autouse=True)
def _reset():
    BATCH_FIRED.clear()
    SINGLE_FIRED.clear()


def _overdue_tasks(org, count: int, kind: str) -> list[Task]:
    """``count`` open tasks of the seller, past due, each with one due timer of ``kind``."""
    past = timezone.now() - dt.timedelta(hours=1)
    tasks = Task.objects.bulk_create(
        Task(
            kind=services.INSTRUCTION,
            title=f"Отчёт {n}",
            assignee=org["seller"],
            created_by=org["sales_head"],
            due_at=past,
        )
        for n in range(count)
    )
    task_type = ContentType.objects.get_for_model(Task)
    Timer.objects.bulk_create(
        Timer(kind=kind, content_type=task_type, object_id=t.pk, due_at=past) for t in tasks
    )
    return tasks


def test_a_batch_of_reminders_fires_once_each_with_one_email_per_task(org):
    """GIVEN 300 open tasks with a due reminder WHEN the sweep runs twice (batches of 120)
    THEN each task is reminded once: one notification, one outbox email and one history row
    per task, and the second run finds nothing."""
    Notification.objects.all().delete()
    OutboxMessage.objects.all().delete()
    tasks = _overdue_tasks(org, 300, services.TASK_REMINDER)
    assert timers_sweep(batch_size=120) == 300
    assert timers_sweep(batch_size=120) == 0
    ids = [t.pk for t in tasks]
    assert not Task.objects.filter(pk__in=ids, reminded_at__isnull=True).exists()
    texts = list(Notification.objects.values_list("text", flat=True))
    assert len(texts) == 300 and all(t.startswith("Напоминание") for t in texts)
    assert OutboxMessage.objects.count() == 300
    assert HistoryEntry.objects.filter(object_id__in=ids, action="reminder").count() == 300
    assert not Timer.objects.filter(fired_at__isnull=True).exists()


def test_escalations_in_a_batch_tell_the_head_once(org):
    tasks = _overdue_tasks(org, 40, services.TASK_ESCALATION)
    Notification.objects.all().delete()
    assert timers_sweep() == 40
    assert (
        Task.objects.filter(pk__in=[t.pk for t in tasks], escalated_at__isnull=False).count() == 40
    )
    assert Notification.objects.filter(recipient=org["seller"]).count() == 40
    head_texts = Notification.objects.filter(recipient=org["sales_head"]).values_list(
        "text", flat=True
    )
    assert len(head_texts) == 40 and all("просрочил" in t for t in head_texts)


def test_a_task_already_reminded_or_closed_is_skipped_but_its_timer_fires(org):
    tasks = _overdue_tasks(org, 3, services.TASK_REMINDER)
    Task.objects.filter(pk=tasks[0].pk).update(reminded_at=timezone.now())
    services.task_complete(task_id=tasks[1].pk, user=org["seller"], outcome="done")
    Timer.objects.filter(object_id=tasks[1].pk).update(cancelled_at=None)  # a late cancel
    Notification.objects.all().delete()
    assert timers_sweep() == 3
    assert list(Notification.objects.values_list("url", flat=True)) == [services.task_url(tasks[2])]


def test_a_failing_batch_handler_falls_back_to_single_timers(org):
    """GIVEN a kind whose batch handler fails WHEN swept THEN its writes are undone and every
    timer fires through the single handler, once."""
    timers = Timer.objects.bulk_create(
        Timer(
            kind="tests.batch_fallback",
            due_at=timezone.now() - dt.timedelta(minutes=1),
            payload={"user": org["seller"].pk},
        )
        for _ in range(5)
    )
    assert timers_sweep() == 5
    assert sorted(SINGLE_FIRED) == sorted(t.pk for t in timers)
    assert not Notification.objects.filter(text="undone with batch").exists()
    assert timers_sweep() == 0


def test_the_budget_hands_the_rest_to_the_next_run(org):
    _overdue_tasks(org, 25, services.TASK_REMINDER)
    assert timers_sweep(batch_size=10, seconds=0) == 10
    assert Timer.objects.filter(fired_at__isnull=True).count() == 15
    assert timers_sweep(batch_size=10) == 15


@pytest.mark.django_db(transaction=True)
def test_a_sweep_does_not_start_while_another_holds_the_lock():
    org = small_org()
    _overdue_tasks(org, 5, services.TASK_ESCALATION)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [timer_sweep.SWEEP_LOCK])
        assert timers_sweep() == 0
        assert Timer.objects.filter(fired_at__isnull=True).count() == 5
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [timer_sweep.SWEEP_LOCK])
    finally:
        other.close()
    assert timers_sweep() == 5


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_task_once():
    """GIVEN 200 overdue tasks WHEN two workers sweep at the same moment THEN every task was
    escalated once: 200 notifications to the seller and 200 to the head."""
    org = small_org()
    _overdue_tasks(org, 200, services.TASK_ESCALATION)
    Notification.objects.all().delete()
    barrier = threading.Barrier(2)
    totals: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=5)
            totals.append(timers_sweep(batch_size=30))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(totals) == 200
    assert Notification.objects.filter(recipient=org["seller"]).count() == 200
    assert Notification.objects.filter(recipient=org["sales_head"]).count() == 200
    assert not Timer.objects.filter(fired_at__isnull=True).exists()
