from django.utils.functional import SimpleLazyObject

from workflow.models import TaskStatus

# the navigation bar shows «99+» past this: a director with thousands of open tasks would have
# them counted on every page (a few ms at 1M letters), for a badge nobody reads exactly
COUNTER_CAP = 99


def capped_label(queryset, cap: int = COUNTER_CAP) -> str:
    """Empty for none, the number up to ``cap``, «99+» past it (counted to ``cap + 1`` only)."""
    count = queryset.order_by()[: cap + 1].count()
    return "" if not count else (f"{cap}+" if count > cap else str(count))


def navigation(request) -> dict:
    """Counters for the navigation bar, computed only when a template shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_open_tasks": SimpleLazyObject(
            lambda: capped_label(user.tasks.filter(status=TaskStatus.OPEN))
        ),
        "nav_unread_notifications": SimpleLazyObject(
            lambda: capped_label(user.notifications.filter(read_at__isnull=True))
        ),
    }
