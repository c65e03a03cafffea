"""The personal iCalendar feed (RFC 5545) built with ``icalendar``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from crm.models import CalendarEvent

FEED_PAST_DAYS = 90


def feed_for(user) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Argo Docs//CRM calendar//RU")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Арго: календарь")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    events = (
        CalendarEvent.objects.filter(owner=user, starts_at__gte=since)
        .select_related("company")
        .order_by("starts_at")
    )
    host = settings.SITE_URL.split("://")[-1].split("/")[0] or "argo"
    for item in events:
        event = Event()
        event.add("uid", f"crm-event-{item.pk}@{host}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", item.starts_at)
        event.add("dtend", item.ends_at)
        event.add("summary", item.title)
        if item.description:
            event.add("description", item.description)
        if item.company is not None:
            event.add("url", f"{settings.SITE_URL}{item.company.get_absolute_url()}")
        calendar.add_component(event)
    return calendar.to_ical()
