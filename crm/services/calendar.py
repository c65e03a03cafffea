"""Calendar events, their reminders, and the secret of each user's iCalendar feed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from crm.models import CalendarEvent, CalendarFeedToken, CrmSettings
from crm.models.calendar import new_token
from workflow.services import notification_send, timer_schedule

EVENT_REMINDER = "crm.event_reminder"


def event_create(
    *,
    owner,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    company=None,
    duration: dt.timedelta = dt.timedelta(minutes=30),
    description: str = "",
) -> CalendarEvent:
    """Put an event in the owner's calendar with a reminder a configured time before it."""
    event = CalendarEvent.objects.create(
        owner=owner,
        title=title[:255],
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + duration,
        company=company,
        description=description,
    )
    remind_at = starts_at - dt.timedelta(minutes=CrmSettings.load().reminder_minutes)
    if remind_at > timezone.now():
        timer_schedule(kind=EVENT_REMINDER, due_at=remind_at, subject=event)
    return event


def event_reminder(timer) -> None:
    """Timer handler: remind the owner once; nothing if the event is gone or already reminded."""
    event = (
        CalendarEvent.objects.select_for_update(of=("self",))
        .select_related("owner", "company")
        .filter(pk=timer.object_id)
        .first()
    )
    if event is None or event.reminded_at is not None:
        return
    event.reminded_at = timezone.now()
    event.save(update_fields=["reminded_at"])
    when = formats.date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT")
    notification_send(
        recipient=event.owner,
        text=_("Напоминание: «%(title)s» — %(when)s") % {"title": event.title, "when": when},
        url=event.company.get_absolute_url() if event.company else "",
    )


def feed_token_for(user) -> CalendarFeedToken:
    return CalendarFeedToken.objects.get_or_create(user=user)[0]


def feed_token_regenerate(*, user) -> CalendarFeedToken:
    """A new secret URL; the old one stops working at once."""
    with transaction.atomic():
        token, created = CalendarFeedToken.objects.select_for_update(of=("self",)).get_or_create(
            user=user
        )
        if not created:
            token.token = new_token()
            token.save(update_fields=["token", "created_at"])
    return token
