"""Reads with rules: the org structure questions and the inbox queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from workflow import roles
from workflow.models import (
    BOOKKEEPING_ACTIONS,
    Absence,
    Department,
    Employee,
    HistoryEntry,
    Task,
    TaskStatus,
)

User = get_user_model()


def _department_of(user) -> Department | None:
    employee = Employee.objects.select_related("department").filter(user=user).first()
    return employee.department if employee else None


# The org tree read once per request (``workflow.middleware.DepartmentTreeMiddleware`` opens the
# scope): the visibility rules of one page asked for it up to six times (a search over five kinds,
# a register's tokens, its row check and its count floor). Outside a request (jobs, commands)
# every call reads the table. A department saved or deleted empties the scope.
_tree_scope: ContextVar[dict | None] = ContextVar("argo_department_tree", default=None)


@contextmanager
def department_tree_scope() -> Iterator[None]:
    """Keep the tree read inside the block; a block inside another keeps the outer one's."""
    if _tree_scope.get() is not None:
        yield
        return
    token = _tree_scope.set({})
    try:
        yield
    finally:
        _tree_scope.reset(token)


def department_tree_forget(**_kwargs) -> None:
    """Signal receiver: the org changed, the request's next question reads it again."""
    scope = _tree_scope.get()
    if scope is not None:
        scope.clear()


def _departments_by_id() -> dict:
    """Each department's ``id``, ``parent_id`` and ``head_id`` by its id."""
    # The org tree is small (tens of departments): one query, then walk it in memory. Only the
    # links are read: no join for the model's ordering, no model instances (on most pages).
    scope = _tree_scope.get()
    if scope is not None and "tree" in scope:
        return scope["tree"]
    tree = {
        d.id: d
        for d in Department.objects.order_by().values_list("id", "parent_id", "head_id", named=True)
    }
    if scope is not None:
        scope["tree"] = tree
    return tree


def head_of(user) -> User | None:
    """The person X reports to: the head of X's department, or for a head, the next head up."""
    chain = heads_above(user, limit=1)
    return chain[0] if chain else None


def heads_above(user, *, limit: int | None = None) -> list:
    """The chain of heads above ``user``, nearest first, without repeats."""
    department = _department_of(user)
    if department is None:
        return []
    departments = _departments_by_id()
    head_ids: list[int] = []
    seen_departments: set[int] = set()
    current = departments.get(department.id)
    while current is not None and current.id not in seen_departments:
        seen_departments.add(current.id)
        head_id = current.head_id
        if head_id and head_id != user.pk and head_id not in head_ids:
            head_ids.append(head_id)
            if limit is not None and len(head_ids) >= limit:
                break
        current = departments.get(current.parent_id) if current.parent_id else None
    users = User.objects.in_bulk(head_ids)
    return [users[pk] for pk in head_ids if pk in users]


def absence_on(user, day: dt.date) -> Absence | None:
    return (
        Absence.objects.select_related("deputy")
        .filter(employee=user, starts_on__lte=day, ends_on__gte=day)
        .order_by("-starts_on")
        .first()
    )


def acting_for(user, day: dt.date | None = None):
    """Who acts for ``user`` on ``day``: their deputy while they are away (following the deputy's
    own deputy if they are away too), otherwise the user. Without a named deputy, the user."""
    day = day or timezone.localdate()
    current = user
    seen = {user.pk}
    while True:
        absence = absence_on(current, day)
        if absence is None or absence.deputy is None or absence.deputy.pk in seen:
            return current
        current = absence.deputy
        seen.add(current.pk)


def subordinate_department_ids(user) -> set[int]:
    """Departments ``user`` heads, with every department below them."""
    departments = _departments_by_id()
    headed = {d.id for d in departments.values() if d.head_id == user.pk}
    result = set(headed)
    frontier = set(headed)
    while frontier:
        frontier = {d.id for d in departments.values() if d.parent_id in frontier} - result
        result |= frontier
    return result


def is_head_of(head, user) -> bool:
    return any(h.pk == head.pk for h in heads_above(user))


def users_with_role(role: str) -> QuerySet:
    return User.objects.filter(is_active=True, employee__roles__contains=[role]).order_by("id")


def has_role(user, role: str) -> bool:
    employee = getattr(user, "employee", None) if user.is_authenticated else None
    return bool(employee and role in employee.roles)


def _inbox_queryset() -> QuerySet:
    # deadline order is «overdue first»: an overdue task's deadline is earlier than any other's,
    # and tasks without a deadline come last (NULLS LAST); the open-task index serves this order
    return (
        Task.objects.filter(status=TaskStatus.OPEN)
        .select_related(*_INBOX_PEOPLE, "content_type")
        .defer(*names_only(*_INBOX_PEOPLE))
        .prefetch_related("subject")
        .order_by("due_at", "id")
    )


_INBOX_PEOPLE = ("assignee", "created_by", "original_assignee")

_UNSHOWN_USER_FIELDS = (
    "password",
    "last_login",
    "date_joined",
    "email",
    "is_superuser",
    "is_staff",
)


def names_only(*people: str) -> list[str]:
    """For ``.defer()``: the fields of the users a list selects along (``people``, the relations'
    names) that it never shows. The inbox names three people per row: 50 rows would otherwise
    build 150 passwords and parse 300 dates for nothing (7 % of the page's work). A register
    names one per row, too few to matter (1 %)."""
    return [f"{person}__{field}" for person in people for field in _UNSHOWN_USER_FIELDS]


def tasks_for(user, *, content_type_id: int | None = None, snoozed: bool = False) -> QuerySet:
    """The user's open tasks, overdue first, then by deadline (tasks without one last). Snoozed
    tasks («Отложить до…») stay out of the main list until their date; ``snoozed`` lists them."""
    tasks = _inbox_queryset().filter(assignee=user)
    now = timezone.now()
    if snoozed:
        tasks = tasks.filter(snoozed_until__gt=now)
    else:
        tasks = tasks.filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now))
    return _of_type(tasks, content_type_id)


def _of_type(tasks: QuerySet, content_type_id: int | None) -> QuerySet:
    if content_type_id is None:
        return tasks
    if content_type_id == 0:  # tasks about no document: instructions
        return tasks.filter(content_type__isnull=True)
    return tasks.filter(content_type_id=content_type_id)


def subordinate_tasks(user, *, content_type_id: int | None = None) -> QuerySet:
    """Open tasks of everyone in the departments ``user`` heads (and below), overdue first."""
    department_ids = subordinate_department_ids(user)
    if not department_ids:
        return Task.objects.none()
    # the people first (tens to hundreds), then their tasks by the assignee's index: joined to
    # the employees, the planner read every open task of the organisation (50k at 1M letters)
    # to keep a head's 1,700 (11 ms for the page, 6 ms for the counts by kind; now 6 and 5)
    people = list(
        Employee.objects.filter(department_id__in=department_ids)
        .exclude(user=user)
        .values_list("user_id", flat=True)
    )
    return _of_type(_inbox_queryset().filter(assignee_id__in=people), content_type_id)


def inbox_type_choices(user, *, tab: str = "mine") -> list[tuple[int, int]]:
    """(content type id, open task count) of the kinds of documents in one inbox tab: the
    user's tasks in the list («mine»), their snoozed ones («snoozed») or their subordinates'
    («team»), so each count is what the tab lists for that kind."""
    team = tab == "team"
    tasks = subordinate_tasks(user) if team else tasks_for(user, snoozed=tab == "snoozed")
    rows = tasks.values_list("content_type_id").annotate(n=Count("id")).order_by()
    return [(content_type_id or 0, n) for content_type_id, n in rows]


def tasks_visible_to(user) -> QuerySet:
    """Every task ``user`` may open: their own, those they gave, and their subordinates'."""
    if not user.is_authenticated:
        return Task.objects.none()
    condition = Q(assignee=user) | Q(created_by=user) | Q(original_assignee=user)
    department_ids = subordinate_department_ids(user)
    if department_ids:
        condition |= Q(assignee__employee__department_id__in=department_ids)
    if has_role(user, roles.GENERAL_DIRECTOR):
        return Task.objects.all()
    return Task.objects.filter(condition)


def history_of(subject) -> QuerySet:
    return (
        HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )


@dataclass
class HistoryView:
    """A document's history for its card: decisions and transitions by default; task
    bookkeeping (assignments, closures, reminders) only under «Все события»."""

    entries: list
    everything: bool
    hidden: int


def history_for_card(subject, *, everything: bool = False) -> HistoryView:
    entries = history_of(subject)
    if everything:
        return HistoryView(list(entries), True, 0)
    hidden = entries.filter(action__in=BOOKKEEPING_ACTIONS).count()
    return HistoryView(list(entries.exclude(action__in=BOOKKEEPING_ACTIONS)), False, hidden)


def history_wanted_all(request) -> bool:
    return request.GET.get("history") == "all"


def tasks_of(subject) -> QuerySet:
    return (
        Task.objects.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
        )
        .select_related("assignee", "original_assignee")
        .order_by("created_at", "id")
    )


def unread_notification_count(user) -> int:
    return user.notifications.filter(read_at__isnull=True).count()
