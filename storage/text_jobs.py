"""The background recognition of file text. A sweep (every minute) claims due files and fans out
one job per file; the job extracts the text and saves it, and search refreshes the documents that
hold the file in that same transaction. A failure is retried with a pause and, after
``MAX_ATTEMPTS``, the file shows «не удалось» with the reason. Registration never waits for any
of this."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storage.models import StoredFile
from storage.text_extract import ExtractionError, extract
from storage.text_models import FileText, TextState

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
LEASE = dt.timedelta(minutes=15)  # a claimed file is claimed again after this (a dead worker)
BATCH = 50


def _retry_pause(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=5 * attempts)


def file_text_pending(stored_file: StoredFile) -> FileText:
    """Queue a new file for recognition (its row says «распознаётся» until the job ends)."""
    row, _created = FileText.objects.get_or_create(stored_file=stored_file)
    return row


def file_text_sweep(*, batch: int = BATCH) -> int:
    """Claim due pending files and queue one job each. Returns how many were queued."""
    from django_q.tasks import async_task

    now = timezone.now()
    with transaction.atomic():
        rows = list(
            FileText.objects.select_for_update(skip_locked=True)
            .filter(state=TextState.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:batch]
        )
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + LEASE
            if row.attempts > MAX_ATTEMPTS:
                row.state = TextState.FAILED
                row.error = row.error or _("обработка прерывалась %(n)s раз") % {"n": MAX_ATTEMPTS}
            row.updated_at = now
            row.save(update_fields=["attempts", "next_attempt_at", "state", "error", "updated_at"])
        due = [row.stored_file_id for row in rows if row.state == TextState.PENDING]
    for stored_file_id in due:
        async_task("storage.text_jobs.file_text_extract", stored_file_id, group="file-text")
    return len(due)


def file_text_extract(stored_file_id: int) -> str:
    """Extract one file's text. Idempotent: a file no longer pending is left alone."""
    row = (
        FileText.objects.select_related("stored_file").filter(stored_file_id=stored_file_id).first()
    )
    if row is None or row.state != TextState.PENDING:
        return "skipped"
    try:
        with row.stored_file.file.open("rb") as handle:
            data = handle.read()
        result = extract(data, row.stored_file.content_type)
        error = ""
    except ExtractionError as failure:
        result, error = None, str(failure)
    except OSError as failure:
        result, error = (
            None,
            _("файл не читается: %(error)s") % {"error": failure.strerror or failure},
        )
    with transaction.atomic():
        row = FileText.objects.select_for_update().get(pk=row.pk)
        if row.state != TextState.PENDING:
            return "skipped"
        now = timezone.now()
        row.updated_at = now
        if result is not None:
            row.state = TextState.DONE if result.text.strip() else TextState.NONE
            row.text, row.method, row.error = result.text, result.method, ""
        elif row.attempts >= MAX_ATTEMPTS:
            row.state, row.error = TextState.FAILED, error[:500]
            logger.warning("file %s: text not recognised: %s", stored_file_id, error)
        else:
            row.error, row.next_attempt_at = error[:500], now + _retry_pause(row.attempts)
        row.save()  # search refreshes the documents holding the file (same transaction)
    return row.state
