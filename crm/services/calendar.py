"""Calendar events, their reminders, and the secret of each user's iCalendar feed.

Events come from the client process (calls, meetings, stages) or are added by hand; an owner
edits and deletes only their manual events. Each reminder is a durable ``workflow`` timer.
Events of a process that ended in a refusal are kept as history but marked
(``CalendarEvent.process_ended``): not reminded, struck through on the page, and CANCELLED in the
iCalendar feed so subscribed calendars stop showing them as busy time."""

from __future__ import annotations

import datetime as dt

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from crm.models import CalendarEvent, CalendarFeedToken, CrmSettings
from crm.models.calendar import new_token
from workflow.models import HistoryAction
from workflow.services import history_record, notification_send, timer_cancel, timer_schedule

EVENT_REMINDER = "crm.event_reminder"


def _schedule_reminder(event: CalendarEvent) -> None:
    timer_cancel(subject=event, kind=EVENT_REMINDER)
    if event.reminder_minutes is None:
        return
    remind_at = event.starts_at - dt.timedelta(minutes=event.reminder_minutes)
    if remind_at > timezone.now():
        timer_schedule(kind=EVENT_REMINDER, due_at=remind_at, subject=event)


def event_create(
    *,
    owner,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    company=None,
    duration: dt.timedelta = dt.timedelta(minutes=30),
    description: str = "",
    manual: bool = False,
    reminder_minutes: int | None = -1,
) -> CalendarEvent:
    """Put an event in the owner's calendar with a reminder ``reminder_minutes`` before it
    (-1: the configured default; None: no reminder)."""
    if reminder_minutes == -1:
        reminder_minutes = CrmSettings.load().reminder_minutes
    with transaction.atomic():
        event = CalendarEvent.objects.create(
            owner=owner,
            title=title[:255],
            kind=kind,
            starts_at=starts_at,
            ends_at=starts_at + duration,
            company=company,
            description=description,
            manual=manual,
            reminder_minutes=reminder_minutes,
        )
        _schedule_reminder(event)
        if manual and company is not None:
            history_record(
                subject=company,
                actor=owner,
                action=HistoryAction.COMMENT,
                description=_("Событие в календаре: %(title)s, %(when)s")
                % {"title": event.title, "when": _when(starts_at)},
            )
    return event


def _check_title_and_times(title: str, starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": _("Укажите название события.")})
    if ends_at < starts_at:
        raise ValidationError({"ends_at": _("Окончание не может быть раньше начала.")})
    return title[:255]


def event_add(
    *,
    user,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    description: str = "",
    reminder_minutes: int | None = None,
    company=None,
) -> CalendarEvent:
    """A manual event in the user's own calendar."""
    if not rules.has_perm("crm.use_calendar", user):
        raise PermissionDenied(_("Календарь доступен сотрудникам."))
    title = _check_title_and_times(title, starts_at, ends_at)
    return event_create(
        owner=user,
        title=title,
        kind=kind,
        starts_at=starts_at,
        duration=ends_at - starts_at,
        description=description,
        company=company,
        manual=True,
        reminder_minutes=reminder_minutes,
    )


def _own_manual_event(event_id: int, user) -> CalendarEvent:
    event = (
        CalendarEvent.objects.select_for_update(of=("self",))
        .filter(pk=event_id, owner=user, manual=True)
        .first()
    )
    if event is None:
        raise CalendarEvent.DoesNotExist
    return event


def event_update(
    *,
    event_id: int,
    user,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    description: str = "",
    reminder_minutes: int | None = None,
) -> CalendarEvent:
    """Change one's own manual event; the reminder moves with it (and comes again if the
    time changed after it was sent)."""
    title = _check_title_and_times(title, starts_at, ends_at)
    with transaction.atomic():
        event = _own_manual_event(event_id, user)
        moved = event.starts_at != starts_at or event.reminder_minutes != reminder_minutes
        event.title = title
        event.kind = kind
        event.starts_at = starts_at
        event.ends_at = ends_at
        event.description = description
        event.reminder_minutes = reminder_minutes
        if moved:
            event.reminded_at = None
        event.save()
        if moved:
            _schedule_reminder(event)
    return event


def event_delete(*, event_id: int, user) -> None:
    with transaction.atomic():
        event = _own_manual_event(event_id, user)
        timer_cancel(subject=event)
        event.delete()


def event_reminder(timer) -> None:
    """Timer handler: remind the owner once; nothing if the event is gone, already reminded,
    or belongs to a client process that ended in a refusal."""
    event = (
        CalendarEvent.objects.select_for_update(of=("self",))
        .select_related("owner", "company")
        .filter(pk=timer.object_id)
        .first()
    )
    if event is None or event.reminded_at is not None or event.process_ended:
        return
    event.reminded_at = timezone.now()
    event.save(update_fields=["reminded_at"])
    notification_send(
        recipient=event.owner,
        text=_("Напоминание: «%(title)s» — %(when)s")
        % {"title": event.title, "when": _when(event.starts_at)},
        url=event.company.get_absolute_url() if event.company else reverse("crm:calendar"),
    )


def _when(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


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
