import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from tests.factories import AbsenceFactory
from tests.helpers import give
from workflow import selectors, services
from workflow.models import HistoryEntry, Notification, Task, TaskStatus, Timer


def test_task_goes_to_the_deputy_of_an_absent_assignee(org):
    """GIVEN the seller is on vacation today with seller2 as deputy
    WHEN the head gives the seller an instruction
    THEN seller2 gets it, the task remembers whom it was meant for, and the history says so."""
    today = timezone.localdate()
    AbsenceFactory(employee=org["seller"], starts_on=today, ends_on=today, deputy=org["seller2"])
    task = give(org["sales_head"], org["seller"])
    assert task.assignee == org["seller2"]
    assert task.original_assignee == org["seller"]
    entry = selectors.history_of(task).get()
    assert "замещает" in entry.description
    assert Notification.objects.filter(recipient=org["seller2"]).count() == 1
    assert not Notification.objects.filter(recipient=org["seller"]).exists()


def test_task_with_deadline_schedules_reminder_and_escalation(org):
    """GIVEN an instruction due in ten days
    THEN a reminder timer (before the deadline) and an escalation timer (at it) are pending."""
    task = give(org["sales_head"], org["seller"], due_in_days=10)
    timers = {t.kind: t for t in Timer.objects.filter(object_id=task.pk)}
    assert set(timers) == {services.TASK_REMINDER, services.TASK_ESCALATION}
    assert timers[services.TASK_REMINDER].due_at < task.due_at
    assert timers[services.TASK_ESCALATION].due_at == task.due_at


def test_completing_a_task_closes_it_cancels_timers_and_tells_the_author(org):
    """GIVEN an open instruction with a deadline
    WHEN its assignee completes it with a report
    THEN it is done, its timers will not fire, the author is notified, history has the report."""
    task = give(org["sales_head"], org["seller"], due_in_days=3)
    services.instruction_complete(task_id=task.pk, user=org["seller"], data={"comment": "Готово"})
    task = Task.objects.get(pk=task.pk)
    assert task.status == TaskStatus.DONE
    assert task.completed_by == org["seller"]
    assert not Timer.objects.filter(object_id=task.pk, cancelled_at__isnull=True).exists()
    assert Notification.objects.filter(
        recipient=org["sales_head"], text__startswith="Поручение выполнено"
    ).exists()
    assert selectors.history_of(task).filter(comment="Готово").exists()


def test_nobody_else_can_complete_a_task(org):
    """GIVEN the seller's open task
    WHEN another employee (even the head) tries to complete it
    THEN it is refused and the task stays open."""
    task = give(org["sales_head"], org["seller"])
    for intruder in (org["seller2"], org["sales_head"], org["gendir"]):
        with pytest.raises(PermissionDenied):
            services.task_complete(task_id=task.pk, user=intruder, outcome="done")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_a_closed_task_cannot_be_completed_again(org):
    """GIVEN a completed task WHEN its assignee submits the decision again THEN it is refused."""
    task = give(org["sales_head"], org["seller"])
    services.task_complete(task_id=task.pk, user=org["seller"], outcome="done")
    with pytest.raises(TransitionNotAllowed):
        services.task_complete(task_id=task.pk, user=org["seller"], outcome="done")
    assert HistoryEntry.objects.filter(action="task", data__outcome="done").count() == 1


def test_only_the_author_cancels_and_cancelling_twice_changes_nothing(org):
    """GIVEN an instruction WHEN the assignee tries to cancel it THEN refused;
    WHEN the author cancels it twice THEN it is cancelled once and the assignee is told."""
    task = give(org["sales_head"], org["seller"])
    with pytest.raises(PermissionDenied):
        services.task_cancel(task_id=task.pk, user=org["seller"], reason="не хочу")
    assert services.task_cancel(task_id=task.pk, user=org["sales_head"], reason="Не нужно")
    assert services.task_cancel(task_id=task.pk, user=org["sales_head"], reason="снова") is None
    assert Task.objects.get(pk=task.pk).status == TaskStatus.CANCELLED
    assert (
        Notification.objects.filter(
            recipient=org["seller"], text__startswith="Задание отменено"
        ).count()
        == 1
    )


def test_instruction_from_a_user_without_employee_profile_is_refused(org, django_user_model):
    """GIVEN a login that is not an employee WHEN it gives an instruction THEN it is refused."""
    outsider = django_user_model.objects.create_user("outsider", password="x-123456789")
    with pytest.raises(PermissionDenied):
        give(outsider, org["seller"])


@pytest.mark.django_db(transaction=True)
def test_two_people_completing_one_task_at_once_leave_one_decision(org):
    """GIVEN one open task
    WHEN its assignee submits the decision twice at the same moment (two browser tabs)
    THEN exactly one completion is recorded and the other attempt is refused cleanly."""
    task = give(org["sales_head"], org["seller"], due_in_days=2)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(comment: str) -> None:
        try:
            barrier.wait(timeout=5)
            services.instruction_complete(
                task_id=task.pk, user=org["seller"], data={"comment": comment}
            )
            outcomes.append("done")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in ("первый", "второй")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["done", "refused"]
    assert HistoryEntry.objects.filter(action="task", data__outcome="done").count() == 1
    assert Notification.objects.filter(text__startswith="Поручение выполнено").count() == 1


def test_overdue_task_is_flagged(org):
    """GIVEN a task whose deadline passed THEN it shows as overdue until closed."""
    task = give(org["sales_head"], org["seller"], due_in_days=-1)
    assert task.is_overdue
    services.task_complete(task_id=task.pk, user=org["seller"], outcome="done")
    assert not Task.objects.get(pk=task.pk).is_overdue


def test_unknown_task_kind_is_refused_before_anything_is_written(org):
    """GIVEN a kind no app registered WHEN a task of it is created THEN nothing is written."""
    with pytest.raises(LookupError):
        services.task_create(kind="nope.kind", title="x", assignee=org["seller"])
    assert not Task.objects.exists()


def test_reminder_is_skipped_when_the_deadline_is_too_close(org):
    """GIVEN a deadline one hour away (the reminder moment already passed)
    THEN only the escalation timer is scheduled."""
    task = services.task_create(
        kind=services.INSTRUCTION,
        title="Срочно",
        assignee=org["seller"],
        due_at=timezone.now() + dt.timedelta(hours=1),
    )
    kinds = set(Timer.objects.filter(object_id=task.pk).values_list("kind", flat=True))
    assert kinds == {services.TASK_ESCALATION}
