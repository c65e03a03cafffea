"""«Напомнить мне…»: a personal reminder about a document, kept as a durable timer of the engine
and delivered as a notification (with its email) when the timer fires."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from workflow.models import Timer
from workflow.services import notification_send, timer_schedule

FOLLOW_UP = "control.follow_up"
User = get_user_model()


def follow_up_schedule(*, user, subject, remind_at: dt.datetime, note: str, url: str) -> Timer:
    with transaction.atomic():
        return timer_schedule(
            kind=FOLLOW_UP,
            due_at=remind_at,
            subject=subject,
            payload={"user": user.pk, "note": note, "url": url, "title": str(subject)[:200]},
        )


def follow_up_fire(timer: Timer) -> None:
    """Idempotent by the timer itself: the sweep marks it fired in the same transaction."""
    user = User.objects.filter(pk=timer.payload.get("user"), is_active=True).first()
    if user is None:
        return
    note = timer.payload.get("note") or ""
    text = _("Напоминание: %(title)s") % {"title": timer.payload.get("title", "")}
    if note:
        text += f" — {note}"
    notification_send(recipient=user, text=text, url=timer.payload.get("url", ""))
