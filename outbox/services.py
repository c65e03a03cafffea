"""Every write of the outbox: enqueue a message in the caller's transaction, retry a failed one.

Nothing here talks to a mail server. ``outbox_enqueue`` writes the row and arranges ONE flush
job for the whole transaction, enqueued when it commits: a transaction that rolls back sends
nothing, and 500 notifications in one transaction make one job, not 500. If the process dies
between the commit and that enqueue, the every-minute schedule (migration 0002) sends the rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox.models import OutboxAttachment, OutboxMessage, OutboxStatus

FLUSH_JOB = "outbox.jobs.outbox_flush"
# Minutes to wait after the 1st, 2nd, ... temporary failure; one more attempt than delays.
RETRY_DELAYS_MINUTES = (1, 5, 15, 60, 180)
MAX_ATTEMPTS = len(RETRY_DELAYS_MINUTES) + 1
# Headers a caller may add; the outbox itself owns Message-ID, From, To, Subject and Date.
EXTRA_HEADERS = frozenset({"In-Reply-To", "References", "Reply-To", "Auto-Submitted"})


def message_id_domain() -> str:
    """``ARGO_MESSAGE_ID_DOMAIN``, else the domain of DEFAULT_FROM_EMAIL."""
    domain = getattr(settings, "ARGO_MESSAGE_ID_DOMAIN", "") or ""
    if not domain:
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    return domain or "localhost"


def message_id_make() -> str:
    return make_msgid(domain=message_id_domain())


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def _addresses(to: Sequence[str] | str) -> list[str]:
    addresses = [to] if isinstance(to, str) else list(to)
    cleaned = []
    for address in addresses:
        address = _one_line(address)
        validate_email(address)
        if address not in cleaned:
            cleaned.append(address)
    if not cleaned:
        raise ValidationError(_("Не указан адрес получателя."))
    return cleaned


def _message_fields(
    *,
    to: Sequence[str] | str,
    subject: str,
    body: str,
    html_body: str = "",
    from_email: str | None = None,
    document: models.Model | None = None,
    document_key: tuple[int, int] | None = None,
    headers: dict[str, str] | None = None,
) -> dict:
    """The checked fields of a new message; ``document_key`` (content type id, object id)
    names the document without loading it."""
    extra = {_one_line(k): _one_line(v) for k, v in (headers or {}).items()}
    unknown = set(extra) - EXTRA_HEADERS
    if unknown:
        raise ValueError(f"the outbox does not set these headers: {sorted(unknown)}")
    if document is not None:
        document_key = (ContentType.objects.get_for_model(document).pk, document.pk)
    return {
        "message_id": message_id_make(),
        "from_email": _one_line(from_email or settings.DEFAULT_FROM_EMAIL),
        "to": _addresses(to),
        "subject": _one_line(subject)[:998],
        "body": body,
        "html_body": html_body,
        "headers": extra,
        "document_type_id": document_key[0] if document_key else None,
        "document_id": document_key[1] if document_key else None,
    }


def outbox_enqueue(
    *,
    to: Sequence[str] | str,
    subject: str,
    body: str,
    html_body: str = "",
    from_email: str | None = None,
    attachments: Iterable = (),
    document: models.Model | None = None,
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Write one message to the outbox inside the caller's transaction; it is sent after the
    commit. ``attachments`` are ``storage.StoredFile`` rows, sent under their original names.
    ``document`` (any saved model) links the message to its card and delivery hook."""
    message = OutboxMessage(
        **_message_fields(
            to=to,
            subject=subject,
            body=body,
            html_body=html_body,
            from_email=from_email,
            document=document,
            headers=headers,
        ),
        max_attempts=MAX_ATTEMPTS,
    )
    message.save()
    files = list(dict.fromkeys(attachments))  # keep the order, drop repeats
    OutboxAttachment.objects.bulk_create(
        OutboxAttachment(message=message, stored_file=f, position=i) for i, f in enumerate(files)
    )
    flush_after_commit()
    return message


def outbox_enqueue_many(messages: Iterable[dict]) -> int:
    """``outbox_enqueue`` for many messages without attachments (each a dict of its keyword
    arguments): the same checks, one INSERT for all of them (rows as one JSON parameter: no
    per-row placeholders to build) and one flush job when the transaction commits."""
    now = timezone.now()
    rows = [_message_fields(**m) for m in messages]
    if not rows:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO outbox_outboxmessage (message_id, from_email, "to", subject, body,
              html_body, headers, status, attempts, max_attempts, next_attempt_at, last_error,
              created_at, document_type_id, document_id)
            SELECT r.message_id, r.from_email, ARRAY(SELECT jsonb_array_elements_text(r."to")),
              r.subject, r.body, r.html_body, r.headers, %s, 0, %s, %s, '', %s,
              r.document_type_id, r.document_id
            FROM jsonb_to_recordset(%s::jsonb) AS r(message_id text, from_email text, "to" jsonb,
              subject text, body text, html_body text, headers jsonb, document_type_id integer,
              document_id bigint)
            """,
            [OutboxStatus.PENDING, MAX_ATTEMPTS, now, now, json.dumps(rows)],
        )
    flush_after_commit()
    return len(rows)


def outbox_retry(*, message_id: int, to: Sequence[str] | str | None = None) -> OutboxMessage:
    """Send a failed message again, with the same Message-ID (and a corrected address when
    given). The caller checks who may do it. Returns the message; raises ValidationError when it
    is not failed any more (someone else retried it, or it went out)."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.status != OutboxStatus.FAILED:
            raise ValidationError(_("Сообщение уже не в состоянии «ошибка»: обновите страницу."))
        if to:
            message.to = _addresses(to)
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = timezone.now()
        message.max_attempts = message.attempts + MAX_ATTEMPTS
        message.reported_at = None
        message.save(
            update_fields=["to", "status", "next_attempt_at", "max_attempts", "reported_at"]
        )
        flush_after_commit()
    return message


def retry_delay(attempts: int) -> dt.timedelta:
    index = min(max(attempts, 1), len(RETRY_DELAYS_MINUTES)) - 1
    return dt.timedelta(minutes=RETRY_DELAYS_MINUTES[index])


def flush_after_commit() -> None:
    """Enqueue one flush job when the current transaction commits; once per transaction however
    many messages it writes. Django forgets callbacks of a rolled-back transaction (or
    savepoint), so asking the connection whether ours is pending is exact."""
    pending = getattr(connection, "run_on_commit", [])
    if any(callback is _flush_enqueue for _sids, callback, *_ in pending):
        return
    transaction.on_commit(_flush_enqueue)


def _flush_enqueue() -> None:
    from django_q.tasks import async_task

    async_task(FLUSH_JOB, task_name="outbox.flush")
