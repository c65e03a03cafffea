"""The personal iCalendar feed (RFC 5545) built with ``icalendar``.

Times are written in the server's zone with its VTIMEZONE, so a phone in another zone shows
them right; each event with a reminder carries a VALARM; events of a client process that ended
in a refusal are STATUS:CANCELLED (calendar apps strike them out or drop them).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from crm.models import CalendarEvent

FEED_PAST_DAYS = 90


def feed_for(user) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Argo Docs//CRM calendar//RU")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Арго: календарь")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    events = (
        CalendarEvent.objects.filter(owner=user, starts_at__gte=since)
        .select_related("company")
        .order_by("starts_at")
    )
    host = settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0] or "argo"
    zone = timezone.get_current_timezone()
    stamp = timezone.now()
    for item in events:
        event = Event()
        event.add("uid", f"crm-event-{item.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at.astimezone(zone))
        event.add("dtend", item.ends_at.astimezone(zone))
        event.add("summary", item.title)
        if item.description:
            event.add("description", item.description)
        if item.company is not None:
            event.add("url", f"{settings.SITE_URL}{item.company.get_absolute_url()}")
        if item.process_ended:
            event.add("status", "CANCELLED")
            event.add("transp", "TRANSPARENT")
        else:
            event.add("status", "CONFIRMED")
            if item.reminder_minutes is not None:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", item.title)
                alarm.add("trigger", -dt.timedelta(minutes=item.reminder_minutes))
                event.add_component(alarm)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
