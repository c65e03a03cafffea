from functools import lru_cache

from django.db import connections
from django.utils.functional import SimpleLazyObject

from workflow.models import Notification, Task, TaskStatus

# the navigation bar shows «99+» past this: a director with thousands of open tasks would have
# them counted on every page (a few ms at 1M letters), for a badge nobody reads exactly
COUNTER_CAP = 99


def capped_sql(querysets, cap: int = COUNTER_CAP) -> tuple[str, list]:
    """One statement counting each queryset up to ``cap + 1``, and its parameters: a badge's
    count in one round trip. Compile it once where it never changes (``run_capped`` runs it):
    the navigation bar is on every page, and compiling querysets costs more than these counts."""
    parts, params = [], []
    for queryset in querysets:
        sql, values = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({sql}) AS counted_{len(parts)})")
        params.extend(values)
    return "SELECT " + ", ".join(parts), params


def run_capped(using: str, sql: str, params, cap: int = COUNTER_CAP) -> list[str]:
    """Each count as a badge: empty for none, the number up to ``cap``, «99+» past it."""
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
