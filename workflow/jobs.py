"""django-q2 entry points of the engine: they take ids, re-read and lock rows, idempotent."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from outbox.selectors import messages_for
from workflow.models import Absence, Notification, Timer
from workflow.services import absence_delegate_tasks, notification_email_enqueue, timer_fire

logger = logging.getLogger(__name__)


def timers_sweep(*, batch_size: int = 100, max_batches: int = 50) -> int:
    """Fire every due timer. Runs every minute; two sweeps at once never fire a timer twice:
    each claims its batch with SELECT ... FOR UPDATE SKIP LOCKED and marks it in the same
    transaction. Returns how many handlers succeeded."""
    fired = 0
    for _ in range(max_batches):
        with transaction.atomic():
            batch = list(
                Timer.objects.select_for_update(skip_locked=True)
                .filter(
                    due_at__lte=timezone.now(),
                    fired_at__isnull=True,
                    cancelled_at__isnull=True,
                    failed_at__isnull=True,
                )
                .order_by("due_at", "id")[:batch_size]
            )
            for timer in batch:
                fired += timer_fire(timer=timer)
        if len(batch) < batch_size:
            break
    if fired:
        logger.info("timers sweep fired %s timer(s)", fired)
    return fired


def absences_delegate_sweep() -> int:
    """Daily: hand the open tasks of everyone away today to their deputies (one job per absence)."""
    today = timezone.localdate()
    absence_ids = list(
        Absence.objects.filter(
            starts_on__lte=today, ends_on__gte=today, deputy__isnull=False
        ).values_list("pk", flat=True)
    )
    for absence_id in absence_ids:
        async_task("workflow.jobs.absence_delegate", absence_id)
    return len(absence_ids)


def absence_delegate(absence_id: int) -> int:
    if not Absence.objects.filter(pk=absence_id).exists():
        return 0
    return absence_delegate_tasks(absence_id=absence_id)


def notification_email(notification_id: int) -> bool:
    """Jobs queued before emails went through the outbox: write the outbox message now, once."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at or not notification.recipient.email:
            return False
        if messages_for(notification).exists():
            return False
        notification_email_enqueue(notification)
    return True


def notification_emailed(message) -> None:
    """Outbox delivery hook: ``emailed_at`` is when the mail server accepted the email."""
    if message.status == "sent":
        Notification.objects.filter(pk=message.document_id, emailed_at__isnull=True).update(
            emailed_at=message.sent_at
        )
