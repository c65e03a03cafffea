"""Weekly call distribution (R14, seed 003).

Every week the client base is dealt out to the managers present that week, ``quota`` companies
each, round-robin, continuing after the last company of the previous week (a stored cursor) and
wrapping around at the end of the base. New managers take part as soon as they have the role.

Each manager gets ONE inbox task pointing at their call list (the companies with a «called» form
for each), not 30 separate tasks: thirty identical items a week would bury the inbox's approvals
and deadlines, and the list page shows the week's progress at a glance. Tasks go through
``task_create`` (history, notification, deadline timers), so only the companies (call
assignments) are written in bulk: one task per manager is O(managers), the rows are O(companies).

Exactly once per week: ``DistributionWeek.week_start`` is unique and the run holds a lock on the
settings row, so a second run in the same week (a retried job, two workers) returns the first.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from crm.models import (
    CallAssignment,
    CallList,
    CommunicationKind,
    Counterparty,
    CounterpartyCategory,
    CrmSettings,
    DistributionWeek,
    ProcessingStatus,
)
from crm.services.contact import communication_add
from workflow.models import Absence, HistoryAction, Task, TaskStatus
from workflow.selectors import users_with_role
from workflow.services import history_record, task_complete, task_create

CALL_LIST_TASK = "crm.call_list"


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def managers_present(week_start: dt.date) -> list:
    """Active managers not away at any time of the week, in a stable order (by id)."""
    week_end = week_start + dt.timedelta(days=6)
    away = Absence.objects.filter(
        employee=OuterRef("pk"), starts_on__lte=week_end, ends_on__gte=week_start
    )
    return list(users_with_role("manager").exclude(Exists(away)))


# the companies managers call: clients, and for Argo the tenants of the business centre
CLIENT_BASE_CATEGORIES = [CounterpartyCategory.CLIENT, CounterpartyCategory.TENANT]


def client_base():
    return Counterparty.objects.filter(category__in=CLIENT_BASE_CATEGORIES).exclude(
        status=ProcessingStatus.REFUSED
    )


def _pick_companies(cursor: int, count: int) -> list[int]:
    """The next ``count`` company ids after ``cursor``, wrapping around once."""
    ids = list(
        client_base().filter(pk__gt=cursor).order_by("pk").values_list("pk", flat=True)[:count]
    )
    if len(ids) < count:
        ids += list(
            client_base()
            .filter(pk__lte=cursor)
            .order_by("pk")
            .values_list("pk", flat=True)[: count - len(ids)]
        )
    return ids


def _assign(week: DistributionWeek, list_ids: list[int], company_ids: list[int]) -> None:
    """One INSERT ... SELECT over the id arrays: company i goes to list i mod n. No model
    instances for 100,000 rows; the (week, company) unique constraint still guards."""
    if not company_ids:
        return
    table = CallAssignment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (week_id, call_list_id, company_id, result)
            SELECT %s, (%s::bigint[])[((t.ord - 1) %% %s) + 1], t.company_id, ''
            FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(company_id, ord)
            """,  # noqa: S608 - the table name is ours, values are parameters
            [week.pk, list_ids, len(list_ids), company_ids],
        )


def distribution_run(*, today: dt.date | None = None) -> DistributionWeek | None:
    """Distribute this week's calls; returns the week (the existing one on a repeated run)."""
    today = today or timezone.localdate()
    week_start = week_start_of(today)
    with transaction.atomic():
        settings = CrmSettings.objects.select_for_update(of=("self",)).get_or_create(pk=1)[0]
        existing = DistributionWeek.objects.filter(week_start=week_start).first()
        if existing is not None:
            return existing
        managers = managers_present(week_start)
        week = DistributionWeek.objects.create(
            week_start=week_start,
            quota=settings.distribution_quota,
            cursor_before=settings.distribution_cursor,
            cursor_after=settings.distribution_cursor,
        )
        if not managers:
            return week
        company_ids = _pick_companies(
            settings.distribution_cursor, settings.distribution_quota * len(managers)
        )
        lists = CallList.objects.bulk_create(CallList(week=week, manager=m) for m in managers)
        _assign(week, [c.pk for c in lists], company_ids)
        if company_ids:
            settings.distribution_cursor = company_ids[-1]
            week.cursor_after = company_ids[-1]
            week.save(update_fields=["cursor_after"])
            settings.save(update_fields=["distribution_cursor"])
        friday = week_start + dt.timedelta(days=4)
        due_at = timezone.make_aware(dt.datetime.combine(friday, dt.time(18, 0)))
        # round-robin: list i got every len(lists)-th company starting at i
        counts = {
            c.pk: len(company_ids) // len(lists) + (i < len(company_ids) % len(lists))
            for i, c in enumerate(lists)
        }
        for call_list in lists:
            n = counts.get(call_list.pk, 0)
            if not n:
                continue
            task_create(
                kind=CALL_LIST_TASK,
                title=_("Прозвон клиентов: %(n)s компаний, неделя с %(date)s")
                % {"n": n, "date": f"{week_start:%d.%m.%Y}"},
                assignee=call_list.manager,
                subject=call_list,
                due_at=due_at,
                remind_working_days=1,
            )
    return week


def call_mark_done(*, assignment_id: int, user, result: str) -> CallAssignment:
    """The manager called one company of the list; closes the task when the list is done."""
    result = result.strip()
    with transaction.atomic():
        assignment = (
            CallAssignment.objects.select_for_update(of=("self",))
            .select_related("call_list", "company")
            .get(pk=assignment_id)
        )
        if assignment.call_list.manager_id != user.pk:
            raise PermissionDenied(_("Этот звонок назначен другому менеджеру."))
        if assignment.called_at is not None:
            raise TransitionNotAllowed(_("Звонок уже отмечен."))
        if not result:
            raise TransitionNotAllowed(_("Укажите результат звонка."))
        assignment.called_at = timezone.now()
        assignment.result = result[:500]
        assignment.save(update_fields=["called_at", "result"])
        company = Counterparty.objects.select_for_update(of=("self",)).get(pk=assignment.company_id)
        communication_add(company=company, kind=CommunicationKind.CALL, author=user, summary=result)
        history_record(
            subject=company,
            actor=user,
            action=HistoryAction.COMMENT,
            description=_("Звонок по недельному распределению"),
            comment=result,
        )
        left = CallAssignment.objects.filter(
            call_list=assignment.call_list, called_at__isnull=True
        ).exists()
        if not left:
            task = _open_task_of(assignment.call_list)
            if task is not None:
                task_complete(task_id=task.pk, user=user, outcome="done")
    return assignment


def _open_task_of(call_list: CallList) -> Task | None:
    from django.contrib.contenttypes.models import ContentType

    return Task.objects.filter(
        kind=CALL_LIST_TASK,
        status=TaskStatus.OPEN,
        content_type=ContentType.objects.get_for_model(CallList),
        object_id=call_list.pk,
    ).first()


def call_list_finish(*, task_id: int, user, data: dict) -> Task:
    """The manager closes the week's list (the companies not called stay «left» for the head)."""
    return task_complete(
        task_id=task_id, user=user, outcome="done", comment=data.get("comment", "")
    )


def schedule_reanchor(settings: CrmSettings) -> None:
    """Move the weekly django-q2 schedule to the configured weekday and time (Moscow time)."""
    from django_q.models import Schedule

    now = timezone.localtime()
    t = settings.distribution_time
    if isinstance(t, str):
        t = dt.time.fromisoformat(t)
    candidate = now.replace(hour=t.hour, minute=t.minute, second=0, microsecond=0)
    candidate += dt.timedelta(days=(settings.distribution_weekday - now.weekday()) % 7)
    if candidate <= now:
        candidate += dt.timedelta(days=7)
    Schedule.objects.update_or_create(
        name="crm.weekly_distribution",
        defaults={
            "func": "crm.jobs.weekly_distribution",
            "schedule_type": Schedule.WEEKLY,
            "next_run": candidate,
            "repeats": -1,
        },
    )
