from functools import lru_cache

from django.db import connections
from django.utils.functional import SimpleLazyObject

from workflow.models import Notification, Task, TaskStatus

# the navigation bar shows «99+» past this: a director with thousands of open tasks would have
# them counted on every page (a few ms at 1M letters), for a badge nobody reads exactly
COUNTER_CAP = 99


def capped_label(queryset, cap: int = COUNTER_CAP) -> str:
    """Empty for none, the number up to ``cap``, «99+» past it (counted to ``cap + 1`` only)."""
    return capped_labels(queryset, cap=cap)[0]


def capped_labels(*querysets, cap: int = COUNTER_CAP) -> list[str]:
    """``capped_label`` of each queryset, counted in one round trip: the navigation bar is on
    every page, and a query's round trip and compilation cost more than these counts."""
    sql, params = capped_sql(querysets, cap)
    return run_capped(querysets[0].db, sql, params, cap)


def capped_sql(querysets, cap: int = COUNTER_CAP) -> tuple[str, list]:
    """The statement of ``capped_labels`` and its parameters, to compile once where they never
    change (``run_capped`` runs it)."""
    parts, params = [], []
    for queryset in querysets:
        sql, values = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({sql}) AS counted_{len(parts)})")
        params.extend(values)
    return "SELECT " + ", ".join(parts), params


def run_capped(using: str, sql: str, params, cap: int = COUNTER_CAP) -> list[str]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        counts = cursor.fetchone()
    return ["" if not n else (f"{cap}+" if n > cap else str(n)) for n in counts]


# a user id no account has: the badges' statement is compiled once with it, then run with the
# user's own id in its place (compiling the two querysets cost more than running them)
_ANYONE = -987654321


@lru_cache(maxsize=1)
def _badges_sql() -> tuple[str, tuple]:
    sql, params = capped_sql(
        (
            Task.objects.filter(assignee_id=_ANYONE, status=TaskStatus.OPEN),
            Notification.objects.filter(recipient_id=_ANYONE, read_at__isnull=True),
        ),
        COUNTER_CAP,
    )
    return sql, tuple(params)


def navigation_badges(user) -> list[str]:
    """The labels of the open tasks' and unread notifications' badges of ``user``."""
    sql, params = _badges_sql()
    params = [user.pk if value == _ANYONE else value for value in params]
    return run_capped(Task.objects.db, sql, params, COUNTER_CAP)


def navigation(request) -> dict:
    """Counters for the navigation bar, computed only when a template shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    labels = SimpleLazyObject(lambda: navigation_badges(user))
    return {
        "nav_open_tasks": SimpleLazyObject(lambda: labels[0]),
        "nav_unread_notifications": SimpleLazyObject(lambda: labels[1]),
    }
