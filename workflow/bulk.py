"""Set-based writes of the engine for the timer sweep: many notifications (with their emails in
the outbox) and many history rows in a few INSERTs instead of one per item."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from outbox.services import outbox_enqueue_many
from workflow.models import HistoryEntry, Notification


@dataclass(frozen=True)
class Note:
    recipient: object
    text: str
    url: str = ""


def notifications_send_bulk(notes: list[Note]) -> list[Notification]:
    """``notification_send`` for many: one INSERT of the notifications, one of their emails,
    and one flush job when the transaction commits."""
    rows = Notification.objects.bulk_create(
        Notification(recipient=n.recipient, text=n.text[:500], url=n.url) for n in notes
    )
    outbox_enqueue_many(
        {
            "to": [row.recipient.email],
            "subject": row.text[:120],
            "body": row.text + (f"\n\n{settings.SITE_URL}{row.url}" if row.url else ""),
            "document": row,
            "headers": {"Auto-Submitted": "auto-generated"},
        }
        for row in rows
        if row.recipient.email
    )
    return rows


def task_history_subject(task) -> tuple[int, int]:
    """(content type id, object id) of the history a task writes to: its document, else itself
    (``task.subject if task.object_id else task`` without loading the document)."""
    if task.object_id:
        return task.content_type_id, task.object_id
    return ContentType.objects.get_for_model(task).pk, task.pk


def history_record_bulk(entries: list[dict]) -> None:
    """``history_record`` for many: each dict holds its keyword arguments, the subject given as
    ``subject_key`` (content type id, object id)."""
    HistoryEntry.objects.bulk_create(
        HistoryEntry(
            content_type_id=e["subject_key"][0],
            object_id=e["subject_key"][1],
            actor=e.get("actor"),
            action=e["action"],
            description=e["description"][:500],
            data=e.get("data") or {},
        )
        for e in entries
    )
