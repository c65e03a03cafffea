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
from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from crm import roles
from crm.models import (
    CLIENT_CATEGORIES,
    CallAssignment,
    CallList,
    CommunicationKind,
    Counterparty,
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


def _absences(week_start: dt.date):
    week_end = week_start + dt.timedelta(days=6)
    return Absence.objects.filter(starts_on__lte=week_end, ends_on__gte=week_start)


def managers_present(week_start: dt.date) -> list:
    """Active managers not away at any time of the week, in a stable order (by id)."""
    away = _absences(week_start).filter(employee=OuterRef("pk"))
    return list(users_with_role(roles.MANAGER).select_related("employee").exclude(Exists(away)))


def managers_away(week_start: dt.date) -> list[Absence]:
    """The absences that keep managers out of the week's distribution, one per manager."""
    absences = (
        _absences(week_start)
        .filter(employee__in=users_with_role(roles.MANAGER))
        .select_related("employee__employee", "deputy")
        .order_by("employee__last_name", "employee_id", "starts_on")
    )
    seen: set[int] = set()
    result = []
    for absence in absences:
        if absence.employee_id not in seen:
            seen.add(absence.employee_id)
            result.append(absence)
    return result


def client_base(settings: CrmSettings | None = None):
    """The companies that take part: the configured categories (clients and tenants by
    default) and industries (all when none is chosen), never the refused ones."""
    settings = settings or CrmSettings.load()
    categories = settings.distribution_categories or CLIENT_CATEGORIES
    qs = Counterparty.objects.filter(category__in=categories).exclude(
        status=ProcessingStatus.REFUSED
    )
    industry_ids = list(settings.distribution_industries.values_list("pk", flat=True))
    if industry_ids:
        qs = qs.filter(industry_id__in=industry_ids)
    return qs


def _pick_companies(base, cursor: int, count: int) -> list[int]:
    """The next ``count`` company ids after ``cursor``, wrapping around once."""
    ids = list(base.filter(pk__gt=cursor).order_by("pk").values_list("pk", flat=True)[:count])
    if len(ids) < count:
        ids += list(
            base.filter(pk__lte=cursor)
            .order_by("pk")
            .values_list("pk", flat=True)[: count - len(ids)]
        )
    return ids


@dataclass
class Share:
    manager: object
    company_ids: list[int]


@dataclass
class DistributionPlan:
    """Who gets which companies in a week: what the run will write, computed the same way for
    the page's preview and for the run itself."""

    week_start: dt.date
    quota: int
    cursor_before: int
    shares: list[Share]
    away: list[Absence]

    @property
    def cursor_after(self) -> int:
        ids = self.company_ids
        return ids[-1] if ids else self.cursor_before

    @property
    def company_ids(self) -> list[int]:
        """All companies in the run's order (company i goes to manager i mod n)."""
        n = len(self.shares)
        total = sum(len(s.company_ids) for s in self.shares)
        return [self.shares[i % n].company_ids[i // n] for i in range(total)] if n else []

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)


def distribution_plan(week_start: dt.date, settings: CrmSettings | None = None) -> DistributionPlan:
    """The distribution of the week starting ``week_start`` from the current settings and
    cursor: round-robin, ``quota`` per present manager."""
    settings = settings or CrmSettings.load()
    managers = managers_present(week_start)
    company_ids = _pick_companies(
        client_base(settings),
        settings.distribution_cursor,
        settings.distribution_quota * len(managers),
    )
    n = len(managers)
    shares = [Share(manager=m, company_ids=company_ids[i::n]) for i, m in enumerate(managers)]
    return DistributionPlan(
        week_start=week_start,
        quota=settings.distribution_quota,
        cursor_before=settings.distribution_cursor,
        shares=shares,
        away=managers_away(week_start),
    )


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


def distribution_run(*, today: dt.date | None = None, user=None) -> DistributionWeek | None:
    """Distribute this week's calls; returns the week (the existing one on a repeated run, so
    the schedule, a retried job and «Распределить сейчас» pressed twice make one week).
    ``user`` is who pressed the button (None: the schedule)."""
    if user is not None and not rules.has_perm("crm.view_distribution", user):
        raise PermissionDenied(_("Распределение запускает руководитель отдела продаж."))
    today = today or timezone.localdate()
    week_start = week_start_of(today)
    with transaction.atomic():
        settings = CrmSettings.objects.select_for_update(of=("self",)).get_or_create(pk=1)[0]
        existing = DistributionWeek.objects.filter(week_start=week_start).first()
        if existing is not None:
            return existing
        plan = distribution_plan(week_start, settings)
        week = DistributionWeek.objects.create(
            week_start=week_start,
            quota=plan.quota,
            cursor_before=plan.cursor_before,
            cursor_after=plan.cursor_before,
            run_by=user,
        )
        history_record(
            subject=week,
            actor=user,
            action=HistoryAction.CREATED,
            description=_("Распределение недели с %(date)s: %(n)s компаний, менеджеров %(m)s")
            % {
                "date": f"{week_start:%d.%m.%Y}",
                "n": len(plan.company_ids),
                "m": len(plan.shares),
            },
        )
        if not plan.shares:
            return week
        lists = CallList.objects.bulk_create(
            CallList(week=week, manager=share.manager) for share in plan.shares
        )
        company_ids = plan.company_ids
        _assign(week, [c.pk for c in lists], company_ids)
        if company_ids:
            settings.distribution_cursor = plan.cursor_after
            week.cursor_after = plan.cursor_after
            week.save(update_fields=["cursor_after"])
            settings.save(update_fields=["distribution_cursor"])
        friday = week_start + dt.timedelta(days=4)
        due_at = timezone.make_aware(dt.datetime.combine(friday, dt.time(18, 0)))
        for call_list, share in zip(lists, plan.shares, strict=True):
            n = len(share.company_ids)
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
                created_by=user,
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


SCHEDULE_NAME = "crm.weekly_distribution"


def _next_anchor(settings: CrmSettings) -> dt.datetime:
    now = timezone.localtime()
    t = settings.distribution_time
    if isinstance(t, str):
        t = dt.time.fromisoformat(t)
    candidate = now.replace(hour=t.hour, minute=t.minute, second=0, microsecond=0)
    candidate += dt.timedelta(days=(settings.distribution_weekday - now.weekday()) % 7)
    if candidate <= now:
        candidate += dt.timedelta(days=7)
    return candidate


def schedule_reanchor(settings: CrmSettings) -> None:
    """Move the weekly django-q2 schedule to the configured weekday and time (Moscow time)."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "crm.jobs.weekly_distribution",
            "schedule_type": Schedule.WEEKLY,
            "next_run": _next_anchor(settings),
            "repeats": -1,
        },
    )


def next_run_at(settings: CrmSettings | None = None) -> dt.datetime:
    """When the schedule runs next: the weekly schedule's own next run when it is installed,
    else the configured weekday and time from now."""
    from django_q.models import Schedule

    scheduled = (
        Schedule.objects.filter(name=SCHEDULE_NAME).values_list("next_run", flat=True).first()
    )
    if scheduled is not None:
        return scheduled
    return _next_anchor(settings or CrmSettings.load())


def distribution_settings_update(
    *, user, weekday: int, time: dt.time, quota: int, categories: list[str], industries
) -> CrmSettings:
    """The head of sales changes when and what is distributed; the schedule follows at once.
    The cursor is not among the inputs: only a run moves it."""
    if not rules.has_perm("crm.view_distribution", user):
        raise PermissionDenied(_("Настройки прозвона меняет руководитель отдела продаж."))
    with transaction.atomic():
        settings = CrmSettings.objects.select_for_update(of=("self",)).get_or_create(pk=1)[0]
        settings.distribution_weekday = weekday
        settings.distribution_time = time
        settings.distribution_quota = quota
        settings.distribution_categories = list(categories)
        settings.full_clean(exclude=["distribution_industries"])
        settings.save()
        settings.distribution_industries.set(industries)
        schedule_reanchor(settings)
        history_record(
            subject=settings,
            actor=user,
            action=HistoryAction.COMMENT,
            description=_("Настройки прозвона изменены"),
            data={
                "weekday": weekday,
                "time": time.strftime("%H:%M"),
                "quota": quota,
                "categories": list(categories),
                "industries": [i.pk for i in industries],
            },
        )
    return settings
