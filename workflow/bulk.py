"""Set-based writes of the engine for the timer sweep: many notifications (with their emails in
the outbox) and many history rows in a few INSERTs instead of one per item."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from outbox.services import outbox_enqueue_many
from workflow.models import Notification


@dataclass(frozen=True)
class Note:
    recipient: object
    text: str
    url: str = ""


def _json_insert(sql: str, rows: list[dict], *params) -> None:
    """Run an INSERT ... SELECT FROM jsonb_to_recordset(%s) with ``rows`` as its last
    parameter: one parameter for any number of rows."""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, json.dumps(rows, cls=DjangoJSONEncoder)])


def notifications_send_bulk(notes: list[Note]) -> int:
    """``notification_send`` for many: one INSERT of the notifications, one of their emails,
    and one flush job when the transaction commits. Returns how many were written."""
    if not notes:
        return 0
    with connection.cursor() as cursor:  # ids first: the emails point at their notification
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('workflow_notification', 'id')) "
            "FROM generate_series(1, %s)",
            [len(notes)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    now = timezone.now()
    _json_insert(
        """INSERT INTO workflow_notification (id, recipient_id, text, url, created_at)
        SELECT r.id, r.recipient_id, r.text, r.url, %s
        FROM jsonb_to_recordset(%s::jsonb) AS r(id bigint, recipient_id integer, text text,
          url text)""",
        [
            {"id": pk, "recipient_id": n.recipient.pk, "text": n.text[:500], "url": n.url}
            for pk, n in zip(ids, notes, strict=True)
        ],
        now,
    )
    notification_type = ContentType.objects.get_for_model(Notification).pk
    outbox_enqueue_many(
        {
            "to": [n.recipient.email],
            "subject": n.text[:120],
            "body": n.text[:500] + (f"\n\n{settings.SITE_URL}{n.url}" if n.url else ""),
            "document_key": (notification_type, pk),
            "headers": {"Auto-Submitted": "auto-generated"},
        }
        for pk, n in zip(ids, notes, strict=True)
        if n.recipient.email
    )
    return len(notes)


def task_history_subject(task) -> tuple[int, int]:
    """(content type id, object id) of the history a task writes to: its document, else itself
    (``task.subject if task.object_id else task`` without loading the document)."""
    if task.object_id:
        return task.content_type_id, task.object_id
    return ContentType.objects.get_for_model(task).pk, task.pk


def history_record_bulk(entries: list[dict]) -> None:
    """``history_record`` for many: each dict holds its keyword arguments, the subject given as
    ``subject_key`` (content type id, object id)."""
    if not entries:
        return
    _json_insert(
        """INSERT INTO workflow_historyentry (content_type_id, object_id, actor_id, action,
          description, from_state, to_state, comment, data, created_at)
        SELECT r.content_type_id, r.object_id, r.actor_id, r.action, r.description, '', '', '',
          r.data, %s
        FROM jsonb_to_recordset(%s::jsonb) AS r(content_type_id integer, object_id bigint,
          actor_id integer, action text, description text, data jsonb)""",
        [
            {
                "content_type_id": e["subject_key"][0],
                "object_id": e["subject_key"][1],
                "actor_id": e["actor"].pk if e.get("actor") else None,
                "action": str(e["action"]),
                "description": str(e["description"])[:500],
                "data": e.get("data") or {},
            }
            for e in entries
        ],
        timezone.now(),
    )
