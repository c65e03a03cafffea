"""Reads of the outbox for document cards and for matching replies."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from outbox.models import OutboxMessage


def messages_for(document: models.Model) -> QuerySet[OutboxMessage]:
    """The messages written for ``document``, newest first, with their attachments."""
    return (
        OutboxMessage.objects.filter(
            document_type=ContentType.objects.get_for_model(document), document_id=document.pk
        )
        .prefetch_related("attachment_links__stored_file")
        .order_by("-created_at", "-id")
    )


def message_by_message_id(message_id: str) -> OutboxMessage | None:
    """The message a reply refers to (its In-Reply-To or one of its References), or None.
    ``message_id`` may come with or without the angle brackets."""
    value = (message_id or "").strip()
    if not value:
        return None
    if not value.startswith("<"):
        value = f"<{value}>"
    return OutboxMessage.objects.select_related("document_type").filter(message_id=value).first()
