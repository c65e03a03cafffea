"""django-q2 entry points of the engine: they take ids, re-read and lock rows, idempotent."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from outbox.selectors import messages_for
from workflow import timer_sweep
from workflow.models import Absence, Notification
from workflow.services import absence_delegate_tasks, notification_email_enqueue

logger = logging.getLogger(__name__)


def timers_sweep(*, batch_size: int = 500, seconds: float = 50.0) -> int:
    """Every minute: fire every due timer, in batches, for at most ``seconds`` (less than the
    schedule's minute; what is left waits for the next run). Exactly once per timer, never two
    sweeps at once (see ``workflow.timer_sweep``). Returns how many handlers succeeded."""
    fired = timer_sweep.sweep(batch_size=batch_size, seconds=seconds)
    if fired is None:
        logger.info("timers sweep skipped: the previous one is still running")
        return 0
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
