from django.db import connections
from django.utils.functional import SimpleLazyObject

from workflow.models import TaskStatus

# the navigation bar shows «99+» past this: a director with thousands of open tasks would have
# them counted on every page (a few ms at 1M letters), for a badge nobody reads exactly
COUNTER_CAP = 99


def capped_label(queryset, cap: int = COUNTER_CAP) -> str:
    """Empty for none, the number up to ``cap``, «99+» past it (counted to ``cap + 1`` only)."""
    return capped_labels(queryset, cap=cap)[0]


def capped_labels(*querysets, cap: int = COUNTER_CAP) -> list[str]:
    """``capped_label`` of each queryset, counted in one round trip: the navigation bar is on
    every page, and a query's round trip and compilation cost more than these counts."""
    parts, params = [], []
    for queryset in querysets:
        sql, values = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({sql}) AS counted_{len(parts)})")
        params.extend(values)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counts = cursor.fetchone()
    return ["" if not n else (f"{cap}+" if n > cap else str(n)) for n in counts]


def navigation(request) -> dict:
    """Counters for the navigation bar, computed only when a template shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    labels = SimpleLazyObject(
        lambda: capped_labels(
            user.tasks.filter(status=TaskStatus.OPEN),
            user.notifications.filter(read_at__isnull=True),
        )
    )
    return {
        "nav_open_tasks": SimpleLazyObject(lambda: labels[0]),
        "nav_unread_notifications": SimpleLazyObject(lambda: labels[1]),
    }
