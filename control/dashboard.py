"""The dashboard's open-document figures, aggregated in SQL over the open tasks (the partial
indexes on open tasks serve them): open, overdue and due this week, by document type and by
department → person, and the stuck documents. A document with several open tasks counts once per
row it appears in (once per type, once per person holding it). The default view reads them from
the worker's snapshot (``control.snapshots``); the stuck documents are always read live."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from control import doctypes
from control.models import DEFAULT_STUCK_WORKING_DAYS, StuckThreshold
from control.scope import Scope
from workflow.calendar import working_days_before
from workflow.models import Department, Task, TaskStatus

User = get_user_model()

STATES = ("open", "overdue", "week", "stuck")


@dataclass
class Counts:
    open: int = 0
    overdue: int = 0
    week: int = 0


@dataclass
class TypeRow:
    content_type_id: int
    label: str
    counts: Counts

    @property
    def query(self) -> str:
        return f"&type={self.content_type_id}"


@dataclass
class PersonRow:
    user: object
    counts: Counts

    @property
    def query(self) -> str:
        return f"&person={self.user.pk}"


@dataclass
class DepartmentRow:
    department: Department | None
    counts: Counts = field(default_factory=Counts)
    people: list[PersonRow] = field(default_factory=list)

    @property
    def query(self) -> str:
        return f"&department={self.department.pk}" if self.department else "&department=0"


def week_end(now: dt.datetime) -> dt.datetime:
    """Midnight after this week's Sunday, local time."""
    local = timezone.localtime(now)
    monday = local.date() - dt.timedelta(days=local.weekday())
    end = monday + dt.timedelta(days=7)
    return local.replace(
        year=end.year, month=end.month, day=end.day, hour=0, minute=0, second=0, microsecond=0
    )


def _counts_sql(scope: Scope, group_by: str) -> tuple[str, list]:
    """Open documents per ``group_by`` (columns of the inner query: ``ct``, ``department``,
    ``assignee``): a document is grouped once (hash aggregate), then counted."""
    where, params = scope.sql()
    inner_keys = {
        "ct": "COALESCE(t.content_type_id, 0)",
        "department": "e.department_id",
        "assignee": "t.assignee_id",
    }
    keys = [key.strip() for key in group_by.split(",")]
    select_keys = ", ".join(f"{inner_keys[key]} AS {key}" for key in keys)
    sql = f"""
        SELECT {group_by}, COUNT(*), COUNT(*) FILTER (WHERE overdue), COUNT(*) FILTER (WHERE week)
        FROM (
            SELECT {select_keys},
                   BOOL_OR(t.due_at < %s) AS overdue,
                   BOOL_OR(t.due_at >= %s AND t.due_at < %s) AS week
            FROM workflow_task t
            LEFT JOIN workflow_employee e ON e.user_id = t.assignee_id
            WHERE t.status = 'open' AND {where}
            GROUP BY {", ".join(inner_keys[key] for key in keys)},
                     COALESCE(t.content_type_id, 0), COALESCE(t.object_id, -t.id)
        ) AS documents
        GROUP BY {group_by}
    """
    return sql, params


def type_rows(scope: Scope, now: dt.datetime) -> list[tuple]:
    """(content type id, open, overdue, this week) per document type, as SQL returns them."""
    sql, params = _counts_sql(scope, "ct")
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, now, week_end(now), *params])
        return cursor.fetchall()


def types_from(rows) -> list[TypeRow]:
    result = [
        TypeRow(ct, doctypes.label_for_content_type(ct), Counts(*values)) for ct, *values in rows
    ]
    return sorted(result, key=lambda row: row.label)


def person_rows(scope: Scope, now: dt.datetime) -> list[tuple]:
    """(department id, user id, open, overdue, this week) per holder, as SQL returns them."""
    sql, params = _counts_sql(scope, "department, assignee")
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, now, week_end(now), *params])
        return cursor.fetchall()


def people_from(rows) -> list[DepartmentRow]:
    users = User.objects.in_bulk({row[1] for row in rows})
    departments = Department.objects.in_bulk({row[0] for row in rows if row[0]})
    grouped: dict[int | None, DepartmentRow] = {}
    for department_id, user_id, *values in rows:
        if user_id not in users:  # deleted since the figures were taken
            continue
        counts = Counts(*values)
        row = grouped.setdefault(department_id, DepartmentRow(departments.get(department_id)))
        row.people.append(PersonRow(users[user_id], counts))
        row.counts.open += counts.open
        row.counts.overdue += counts.overdue
        row.counts.week += counts.week
    for row in grouped.values():
        row.people.sort(key=lambda p: (-p.counts.overdue, -p.counts.open, p.user.get_full_name()))
    return sorted(grouped.values(), key=lambda r: r.department.name if r.department else "~")


def counts_by_type(scope: Scope, *, now: dt.datetime | None = None) -> list[TypeRow]:
    return types_from(type_rows(scope, now or timezone.now()))


def counts_by_person(scope: Scope, *, now: dt.datetime | None = None) -> list[DepartmentRow]:
    return people_from(person_rows(scope, now or timezone.now()))


def stuck_cutoffs(now: dt.datetime | None = None) -> tuple[dict[int, dt.datetime], dt.datetime]:
    """Per document content type, the moment before which a task held means «stuck»; and the
    default cutoff for types without their own threshold."""
    now = now or timezone.now()
    cutoffs = {}
    for threshold in StuckThreshold.objects.all():
        content_type_id = doctypes.content_type_of_code(threshold.document_type)
        if content_type_id:
            cutoffs[content_type_id] = working_days_before(now, threshold.working_days)
    return cutoffs, working_days_before(now, DEFAULT_STUCK_WORKING_DAYS)


def stuck_condition(now: dt.datetime | None = None) -> Q:
    cutoffs, default = stuck_cutoffs(now)
    condition = ~Q(content_type_id__in=list(cutoffs)) & Q(created_at__lt=default)
    if not cutoffs:
        condition = Q(created_at__lt=default)
    for content_type_id, cutoff in cutoffs.items():
        condition |= Q(content_type_id=content_type_id, created_at__lt=cutoff)
    return condition


def open_tasks(scope: Scope) -> QuerySet:
    tasks = Task.objects.filter(status=TaskStatus.OPEN)
    if not scope.everything:
        tasks = tasks.filter(assignee__employee__department_id__in=scope.department_ids)
    return tasks


def filtered_tasks(
    scope: Scope,
    *,
    state: str = "open",
    content_type_id: int | None = None,
    department_id: int | None = None,
    person_id: int | None = None,
    now: dt.datetime | None = None,
) -> QuerySet:
    """The tasks behind one number of the dashboard, oldest held first for «stuck», else by
    deadline."""
    now = now or timezone.now()
    tasks = open_tasks(scope)
    if content_type_id is not None:
        if content_type_id == doctypes.NO_DOCUMENT:
            tasks = tasks.filter(content_type__isnull=True)
        else:
            tasks = tasks.filter(content_type_id=content_type_id)
    if department_id == 0:  # «Без подразделения»: holders without a department
        tasks = tasks.filter(
            Q(assignee__employee__isnull=True) | Q(assignee__employee__department__isnull=True)
        )
    elif department_id is not None:
        tasks = tasks.filter(assignee__employee__department_id=department_id)
    if person_id is not None:
        tasks = tasks.filter(assignee_id=person_id)
    if state == "overdue":
        tasks = tasks.filter(due_at__lt=now)
    elif state == "week":
        tasks = tasks.filter(due_at__gte=now, due_at__lt=week_end(now))
    elif state == "stuck":
        return (
            tasks.filter(stuck_condition(now))
            .select_related("assignee", "content_type")
            .prefetch_related("subject")
            .order_by("created_at", "id")
        )
    return (
        tasks.select_related("assignee", "content_type")
        .prefetch_related("subject")
        .order_by("due_at", "id")
    )
