"""django-q2 entry points of the intake: they take ids and are idempotent."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from intake import polling, services
from intake.models import Mailbox


def mailboxes_poll_due() -> int:
    """Every minute: one poll job per active mailbox whose back-off has passed. A poll still
    running from the previous minute makes the new job return at once (advisory lock)."""
    ids = list(
        Mailbox.objects.filter(is_active=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
        .values_list("pk", flat=True)
    )
    for mailbox_id in ids:
        async_task(
            "intake.jobs.mailbox_poll", mailbox_id, task_name=f"intake.mailbox_poll:{mailbox_id}"
        )
    return len(ids)


def mailbox_poll(mailbox_id: int) -> int:
    """Returns how many new items the poll stored."""
    return polling.mailbox_poll(mailbox_id=mailbox_id).created


def dismissed_items_purge() -> int:
    """Daily: items marked «Не корреспонденция» more than 30 days ago are deleted."""
    return services.dismissed_items_purge()
