"""Open tasks of an employee who is away go to their deputy while the absence lasts."""

import datetime as dt

from django.utils import timezone

from tests.factories import AbsenceFactory
from tests.helpers import give
from workflow import services
from workflow.jobs import absences_delegate_sweep
from workflow.models import Notification, Task


def _away_today(org, deputy="seller2", **kwargs):
    today = timezone.localdate()
    return AbsenceFactory(
        employee=org["seller"],
        starts_on=kwargs.get("starts_on", today),
        ends_on=kwargs.get("ends_on", today + dt.timedelta(days=7)),
        deputy=org[deputy] if deputy else None,
    )


def test_open_tasks_move_to_the_deputy_when_the_absence_starts(org):
    """GIVEN the seller has two open tasks and one done, then goes on vacation with a deputy
    WHEN the daily job runs (twice)
    THEN both open tasks are the deputy's, marked as standing in for the seller, the deputy is
    notified once per task, and the done task stays with the seller."""
    open_tasks = [give(org["sales_head"], org["seller"], f"Задание {n}") for n in range(2)]
    done = give(org["sales_head"], org["seller"], "Сделано")
    services.task_complete(task_id=done.pk, user=org["seller"], outcome="done")
    _away_today(org)
    Notification.objects.all().delete()
    assert absences_delegate_sweep() == 1
    absences_delegate_sweep()
    for task in Task.objects.filter(pk__in=[t.pk for t in open_tasks]):
        assert task.assignee == org["seller2"] and task.original_assignee == org["seller"]
    assert Task.objects.get(pk=done.pk).assignee == org["seller"]
    assert Notification.objects.filter(recipient=org["seller2"]).count() == 2


def test_nothing_moves_without_a_deputy_or_before_the_absence(org):
    task = give(org["sales_head"], org["seller"])
    no_deputy = _away_today(org, deputy=None)
    assert services.absence_delegate_tasks(absence_id=no_deputy.pk) == 0
    no_deputy.delete()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    later = _away_today(org, starts_on=tomorrow, ends_on=tomorrow)
    assert services.absence_delegate_tasks(absence_id=later.pk) == 0
    assert Task.objects.get(pk=task.pk).assignee == org["seller"]


def test_the_moved_task_is_completed_by_the_deputy_and_not_by_the_absent(org):
    task = give(org["sales_head"], org["seller"])
    services.absence_delegate_tasks(absence_id=_away_today(org).pk)
    services.task_complete(task_id=task.pk, user=org["seller2"], outcome="done")
    assert Task.objects.get(pk=task.pk).completed_by == org["seller2"]


def test_saving_an_absence_in_the_admin_hands_over_at_once(client, org, django_user_model):
    """GIVEN an administrator WHEN they record today's sick leave with a deputy in the admin
    THEN the employee's open task is the deputy's right away."""
    admin = django_user_model.objects.create_superuser("root", "root@argo.example", "x-12345678")
    task = give(org["sales_head"], org["seller"])
    client.force_login(admin)
    today = timezone.localdate()
    response = client.post(
        "/admin/workflow/absence/add/",
        {
            "employee": org["seller"].pk,
            "kind": "sick_leave",
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
            "deputy": org["seller2"].pk,
            "comment": "",
        },
    )
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).assignee == org["seller2"]
