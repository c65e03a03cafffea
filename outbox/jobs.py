"""The job that sends the outbox: ``outbox_flush`` (after each committing transaction that wrote
messages, and every minute by the schedule of migration 0002).

How a message goes out exactly once:
1. A batch is claimed with SELECT ... FOR UPDATE SKIP LOCKED and marked «отправляется» with a
   claim token (committed): two flushes at once never take the same row.
2. Right before its SMTP conversation a row records the attempt (committed).
3. Right after the server accepts it the row is marked «отправлено» (committed) before the next
   message is touched. The Message-ID was fixed when the row was written and is the same on
   every attempt, so a duplicate, should one ever happen, is recognisable.
4. A job that died leaves rows «отправляется». After ``STALE_AFTER`` a later flush returns the
   rows it never tried to the queue; the one it was sending when it died may have been accepted,
   so it is never resent automatically: it becomes «ошибка» with a Russian explanation and a
   person decides from the card (same Message-ID again).
One SMTP connection serves a whole batch. Temporary failures wait (``RETRY_DELAYS_MINUTES``)
up to a finite number of attempts; a 5xx refusal is final at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox import registry
from outbox.errors import Failure, describe
from outbox.models import OutboxMessage, OutboxStatus
from outbox.services import retry_delay

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
# Stop starting new messages after this many seconds, well inside django-q's 120 s timeout;
# the rest go to a follow-up job.
TIME_BUDGET_SECONDS = 45
# A claim older than this belongs to a job that died (django-q kills a job after 120 s).
STALE_AFTER = dt.timedelta(minutes=10)


class AttachmentMissing(Exception):
    pass


def outbox_flush(*, batch_size: int = BATCH_SIZE, time_budget: float = TIME_BUDGET_SECONDS) -> int:
    """Send every due message, batch by batch. Returns how many the server accepted."""
    outbox_recover()
    started = time.monotonic()
    sent = 0
    while True:
        token = uuid.uuid4()
        batch = _claim(batch_size, token)
        if not batch:
            break
        deadline = started + time_budget
        sent += _deliver(batch, token, deadline)
        if time.monotonic() >= deadline:
            if OutboxMessage.objects.filter(
                status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now()
            ).exists():
                from outbox.services import flush_after_commit

                flush_after_commit()  # outside a transaction: a follow-up job right away
            break
        if len(batch) < batch_size:
            break
    if sent:
        logger.info("outbox: the mail server accepted %s message(s)", sent)
    return sent


def outbox_recover() -> None:
    """Deal with claims of jobs that died, and run delivery hooks that did not finish."""
    now = timezone.now()
    with transaction.atomic():
        stale = list(
            OutboxMessage.objects.select_for_update(skip_locked=True).filter(
                status=OutboxStatus.SENDING, claimed_at__lt=now - STALE_AFTER
            )
        )
        for message in stale:
            if message.attempt_started_at is None:
                _release(message)
            else:
                message.status = OutboxStatus.FAILED
                message.last_error = _(
                    "Отправка прервалась во время разговора с почтовым сервером: неизвестно, "
                    "принял ли он письмо. Чтобы получатель не получил его дважды, оно не "
                    "отправляется повторно само. Если письмо не дошло, отправьте его ещё раз."
                )
                message.claim_token = None
                message.save(update_fields=["status", "last_error", "claim_token"])
                logger.warning("outbox: message %s was interrupted mid-send", message.pk)
    for message_pk in OutboxMessage.objects.filter(
        status__in=[OutboxStatus.SENT, OutboxStatus.FAILED], reported_at__isnull=True
    ).values_list("pk", flat=True)[:500]:
        _report(message_pk)


def _release(message: OutboxMessage) -> None:
    message.status = OutboxStatus.PENDING
    message.claim_token = None
    message.claimed_at = None
    message.save(update_fields=["status", "claim_token", "claimed_at"])


def _claim(batch_size: int, token: uuid.UUID) -> list[OutboxMessage]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=OutboxStatus.SENDING, claim_token=token, claimed_at=now, attempt_started_at=None
        )
    return list(
        OutboxMessage.objects.filter(pk__in=ids)
        .prefetch_related("attachment_links__stored_file")
        .order_by("next_attempt_at", "id")
    )


def _deliver(batch: list[OutboxMessage], token: uuid.UUID, deadline: float) -> int:
    connection = None
    sent = 0
    try:
        for index, message in enumerate(batch):
            if time.monotonic() >= deadline:
                _release_unstarted(batch[index:], token)
                break
            if not _attempt_start(message, token):
                continue  # no longer ours (a recovery took it)
            try:
                email = _build(message)
            except AttachmentMissing as missing:
                _fail(message, Failure(reason=str(missing), permanent=True))
                continue
            try:
                if connection is None:
                    connection = get_connection(fail_silently=False)
                    connection.open()
                connection.send_messages([email])
            except Exception as error:  # every failure is recorded on the row, in Russian
                failure = describe(error)
                logger.warning("outbox: message %s not sent: %s", message.pk, error)
                _fail(message, failure)
                if failure.connection_lost and connection is not None:
                    _close_quietly(connection)
                    connection = None
                continue
            _mark_sent(message)
            sent += 1
    finally:
        if connection is not None:
            _close_quietly(connection)
    return sent


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # the connection is being dropped anyway
        logger.debug("outbox: closing the SMTP connection failed", exc_info=True)


def _attempt_start(message: OutboxMessage, token: uuid.UUID) -> bool:
    now = timezone.now()
    started = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.SENDING, claim_token=token
    ).update(attempt_started_at=now, attempts=F("attempts") + 1)
    message.attempts += 1
    message.attempt_started_at = now
    return bool(started)


def _release_unstarted(messages: list[OutboxMessage], token: uuid.UUID) -> None:
    OutboxMessage.objects.filter(
        pk__in=[m.pk for m in messages],
        status=OutboxStatus.SENDING,
        claim_token=token,
        attempt_started_at__isnull=True,
    ).update(status=OutboxStatus.PENDING, claim_token=None, claimed_at=None)


def _build(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=message.from_email,
        to=list(message.to),
        headers={**message.headers, "Message-ID": message.message_id},
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for link in message.attachment_links.all():
        stored = link.stored_file
        try:
            with stored.file.open("rb") as handle:
                data = handle.read()
        except OSError as error:
            raise AttachmentMissing(
                _("Вложение «%(name)s» не найдено в хранилище файлов.")
                % {"name": stored.original_name}
            ) from error
        email.attach(stored.original_name, data, stored.content_type)
    return email


def _mark_sent(message: OutboxMessage) -> None:
    """One autocommitted UPDATE right after the server's 250: the shortest possible window in
    which a crash could leave an accepted message unmarked."""
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENT,
        sent_at=now,
        last_error="",
        claim_token=None,
        reported_at=None if message.document_id else now,
    )
    if message.document_id:
        _report(message.pk)


def _fail(message: OutboxMessage, failure: Failure) -> None:
    now = timezone.now()
    final = failure.permanent or message.attempts >= message.max_attempts
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
        last_error=failure.reason,
        next_attempt_at=now if final else now + retry_delay(message.attempts),
        claim_token=None,
        claimed_at=None,
        reported_at=None if (final and message.document_id) else F("reported_at"),
    )
    if final and message.document_id:
        _report(message.pk)


def _report(message_pk: int) -> None:
    """Run the document's delivery hook once for the message's final state."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("document_type")
            .filter(
                pk=message_pk,
                status__in=[OutboxStatus.SENT, OutboxStatus.FAILED],
                reported_at__isnull=True,
            )
            .first()
        )
        if message is None:
            return
        hook = None
        if message.document_type is not None:
            ct = message.document_type
            hook = registry.delivery_hook(f"{ct.app_label}.{ct.model}")
        if hook is not None:
            try:
                with transaction.atomic():
                    hook(message)
            except Exception:  # a broken hook must not stop the outbox; it runs again later
                logger.exception("outbox: delivery hook failed for message %s", message.pk)
                return
        message.reported_at = timezone.now()
        message.save(update_fields=["reported_at"])
