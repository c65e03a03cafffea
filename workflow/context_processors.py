from django.utils.functional import SimpleLazyObject

from workflow.models import TaskStatus


def navigation(request) -> dict:
    """Counters for the navigation bar, computed only when a template shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_open_tasks": SimpleLazyObject(
            lambda: user.tasks.filter(status=TaskStatus.OPEN).count()
        ),
        "nav_unread_notifications": SimpleLazyObject(
            lambda: user.notifications.filter(read_at__isnull=True).count()
        ),
    }
