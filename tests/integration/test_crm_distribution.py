"""Weekly call distribution (R14, seed 003)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from crm.models import (
    CallAssignment,
    CallList,
    Counterparty,
    CounterpartyCategory,
    CrmSettings,
    DistributionWeek,
)
from crm.services.distribution import CALL_LIST_TASK, call_mark_done, distribution_run
from tests.factories import AbsenceFactory, employee
from workflow.models import Notification, Task, TaskStatus

MONDAY = dt.date(2026, 11, 23)


def _clients(n):
    return Counterparty.objects.bulk_create(
        Counterparty(name=f"ООО «Клиент {i:03}»", category=CounterpartyCategory.CLIENT)
        for i in range(n)
    )


def _quota(n):
    settings = CrmSettings.load()
    settings.distribution_quota = n
    settings.save()


def _assigned(manager, week_start=MONDAY):
    return list(
        CallAssignment.objects.filter(
            call_list__manager=manager, week__week_start=week_start
        ).values_list("company_id", flat=True)
    )


def test_each_present_manager_gets_quota_round_robin_with_one_task(org):
    """GIVEN 10 clients, quota 3 and two managers WHEN Monday's distribution runs
    THEN each manager gets 3 companies (alternating), one inbox task «Прозвон клиентов»
    with the list, and a notification; other companies wait for next week."""
    companies = _clients(10)
    _quota(3)
    distribution_run(today=MONDAY)
    seller, seller2 = org["seller"], org["seller2"]
    ids = [c.pk for c in companies]
    assert _assigned(seller) == [ids[0], ids[2], ids[4]]
    assert _assigned(seller2) == [ids[1], ids[3], ids[5]]
    task = Task.objects.get(kind=CALL_LIST_TASK, assignee=seller)
    assert task.title == "Прозвон клиентов: 3 компаний, неделя с 23.11.2026"
    assert task.subject.manager == seller
    assert Notification.objects.filter(recipient=seller, text__contains="Прозвон").exists()
    assert CrmSettings.load().distribution_cursor == ids[5]


def test_absent_manager_is_skipped_and_new_manager_is_included(org):
    """GIVEN seller on vacation from Wednesday and a manager added today without any setup
    WHEN the distribution runs THEN seller gets nothing, seller2 and the newcomer get theirs."""
    _clients(10)
    _quota(2)
    AbsenceFactory(
        employee=org["seller"],
        starts_on=MONDAY + dt.timedelta(days=2),
        ends_on=MONDAY + dt.timedelta(days=9),
    )
    newcomer = employee("newcomer", org["departments"]["sales"], roles=["manager"])
    distribution_run(today=MONDAY + dt.timedelta(days=0))
    assert _assigned(org["seller"]) == []
    assert len(_assigned(org["seller2"])) == 2
    assert len(_assigned(newcomer)) == 2
    assert not Task.objects.filter(kind=CALL_LIST_TASK, assignee=org["seller"]).exists()


def test_next_week_continues_where_this_week_stopped_and_wraps_around(org):
    """GIVEN 10 clients and 2 managers with quota 3 WHEN three weeks are distributed
    THEN week 2 starts at the 7th company, week 3 wraps to the start: nobody is skipped."""
    ids = [c.pk for c in _clients(10)]
    _quota(3)
    distribution_run(today=MONDAY)
    distribution_run(today=MONDAY + dt.timedelta(days=7))
    week2 = sorted(
        _assigned(org["seller"], MONDAY + dt.timedelta(days=7))
        + _assigned(org["seller2"], MONDAY + dt.timedelta(days=7))
    )
    assert week2 == sorted(ids[6:10] + ids[0:2])
    distribution_run(today=MONDAY + dt.timedelta(days=14))
    week3 = sorted(
        _assigned(org["seller"], MONDAY + dt.timedelta(days=14))
        + _assigned(org["seller2"], MONDAY + dt.timedelta(days=14))
    )
    assert week3 == sorted(ids[2:8])


def test_running_twice_in_a_week_distributes_once(org):
    """GIVEN the job already ran this Monday WHEN it runs again on Tuesday (a retry)
    THEN nothing new is assigned and no second task appears."""
    _clients(10)
    _quota(3)
    first = distribution_run(today=MONDAY)
    second = distribution_run(today=MONDAY + dt.timedelta(days=1))
    assert first.pk == second.pk
    assert CallAssignment.objects.count() == 6
    assert Task.objects.filter(kind=CALL_LIST_TASK).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_distribute_once(transactional_db):
    """GIVEN two workers start the weekly job at the same moment
    THEN exactly one distribution exists with each company once."""
    from tests.factories import DepartmentFactory

    department = DepartmentFactory()
    employee("m1", department, roles=["manager"])
    employee("m2", department, roles=["manager"])
    _clients(20)
    _quota(5)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            distribution_run(today=MONDAY)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert DistributionWeek.objects.count() == 1
    assert CallAssignment.objects.count() == 10
    assert Task.objects.filter(kind=CALL_LIST_TASK).count() == 2


def test_marking_calls_done_and_the_report(org, client):
    """GIVEN a manager's list of 2 WHEN she marks one called THEN the call is logged on the
    company, the head's page shows assigned 2 / called 1 / left 1; when the second is called
    the task closes by itself."""
    _clients(4)
    _quota(2)
    distribution_run(today=MONDAY)
    call_list = CallList.objects.get(manager=org["seller"])
    first, second = call_list.assignments.order_by("id")
    call_mark_done(assignment_id=first.pk, user=org["seller"], result="Перезвонить в декабре")
    assert first.company.communications.get().summary == "Перезвонить в декабре"
    client.force_login(org["sales_head"])
    response = client.get("/crm/distribution/")
    assert response.status_code == 200
    week = response.context["weeks"][0]
    rows = {r.manager.username: (r.assigned, r.called, r.left) for r in week["managers"]}
    assert rows["seller"] == (2, 1, 1)
    assert rows["seller2"] == (2, 0, 2)
    call_mark_done(assignment_id=second.pk, user=org["seller"], result="Всё хорошо")
    assert Task.objects.get(kind=CALL_LIST_TASK, assignee=org["seller"]).status == TaskStatus.DONE


def test_call_list_pages_permissions(org, client):
    """GIVEN seller's list WHEN anonymous → login; seller2 → 404; seller → her list;
    the distribution report is for heads only."""
    _clients(4)
    _quota(2)
    distribution_run(today=MONDAY)
    call_list = CallList.objects.get(manager=org["seller"])
    url = f"/crm/calls/{call_list.pk}/"
    assert client.get(url).status_code == 302
    client.force_login(org["seller2"])
    assert client.get(url).status_code == 404
    # a manager's «Прозвон» leads to her own list, not to the head's report
    own = CallList.objects.get(manager=org["seller2"])
    assert client.get("/crm/distribution/")["Location"] == f"/crm/calls/{own.pk}/"
    client.force_login(org["office"])
    assert client.get("/crm/distribution/").status_code == 404
    client.force_login(org["seller"])
    response = client.get(url)
    assert response.status_code == 200
    assert "ООО «Клиент 000»" in response.content.decode()
    response = client.post(
        f"/crm/calls/{call_list.pk}/{call_list.assignments.first().pk}/done/", {"result": "Ок"}
    )
    assert response.status_code == 302
    assert call_list.assignments.filter(called_at__isnull=False).count() == 1


def test_weekly_schedule_is_installed_for_monday_nine_and_follows_the_settings(org):
    """GIVEN the migrations WHEN the schedules are looked at THEN the weekly distribution runs
    on a Monday at 09:00 Moscow time; WHEN the administrator moves it to Tuesday 10:30 THEN
    the schedule's next run moves there."""
    from django.utils import timezone
    from django_q.models import Schedule

    from crm.services.distribution import schedule_reanchor

    schedule = Schedule.objects.get(name="crm.weekly_distribution")
    assert schedule.func == "crm.jobs.weekly_distribution"
    assert schedule.schedule_type == Schedule.WEEKLY
    local = timezone.localtime(schedule.next_run)
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
    settings = CrmSettings.load()
    settings.distribution_weekday = 1
    settings.distribution_time = dt.time(10, 30)
    settings.save()
    schedule_reanchor(settings)
    local = timezone.localtime(Schedule.objects.get(name="crm.weekly_distribution").next_run)
    assert (local.weekday(), local.hour, local.minute) == (1, 10, 30)


def test_the_job_entry_point_is_idempotent(org):
    """GIVEN clients WHEN the django-q job runs twice THEN one week, one set of tasks."""
    from crm import jobs

    _clients(6)
    _quota(2)
    assert jobs.weekly_distribution() == jobs.weekly_distribution()
    assert Task.objects.filter(kind=CALL_LIST_TASK).count() == 2
