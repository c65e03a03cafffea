"""The calendar: month and week titles, manual events with a durable reminder, events of a
refused client process marked, and an iCalendar feed with VTIMEZONE and VALARM."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from icalendar import Calendar

from crm.models import CalendarEvent, Counterparty, CounterpartyCategory, EventKind, Industry
from crm.services.calendar import EVENT_REMINDER, event_create
from crm.services.pipeline import PIPELINE_REQUEST, company_take_into_work, pipeline_answer
from crm.views.calendar import week_title
from workflow.jobs import timers_sweep
from workflow.models import Notification, Task, Timer


def test_week_titles():
    assert week_title(dt.date(2025, 3, 10), dt.date(2025, 3, 16)) == "10 – 16 марта 2025"
    assert week_title(dt.date(2025, 4, 28), dt.date(2025, 5, 4)) == "28 апреля – 4 мая 2025"
    assert (
        week_title(dt.date(2024, 12, 30), dt.date(2025, 1, 5)) == "30 декабря 2024 – 5 января 2025"
    )


def test_month_and_week_views_have_titles(org, client):
    client.force_login(org["seller"])
    month = client.get("/crm/calendar/", {"view": "month", "date": "2025-03-18"})
    assert month.context["title"] == "Март 2025"
    assert "Календарь: <span" in month.content.decode()
    week = client.get("/crm/calendar/", {"view": "week", "date": "2025-03-12"})
    assert week.context["title"] == "10 – 16 марта 2025"


def _future(days=2, hour=11):
    return (timezone.localtime() + dt.timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def _fmt(value):
    return value.strftime("%Y-%m-%dT%H:%M")


def test_manual_event_create_edit_delete_with_a_reminder(org, client):
    """GIVEN the calendar WHEN the seller adds an event with «за 1 час» THEN it shows in her
    week and a durable reminder timer waits an hour before it; WHEN she moves it THEN the
    reminder moves; WHEN it fires THEN she is notified once; WHEN she deletes the event THEN
    its timers are cancelled. Another user cannot open or delete it."""
    start = _future()
    client.force_login(org["seller"])
    response = client.post(
        "/crm/calendar/events/new/",
        {
            "title": "Планёрка отдела продаж",
            "kind": EventKind.MEETING,
            "starts_at": _fmt(start),
            "ends_at": _fmt(start + dt.timedelta(hours=1)),
            "reminder_minutes": "60",
            "description": "Итоги недели",
        },
    )
    assert response.status_code == 302
    event = CalendarEvent.objects.get(title="Планёрка отдела продаж")
    assert event.manual and event.owner == org["seller"]
    timer = Timer.objects.get(kind=EVENT_REMINDER, object_id=event.pk, cancelled_at__isnull=True)
    assert timer.due_at == start - dt.timedelta(hours=1)
    page = client.get(response["Location"]).content.decode()
    assert "Планёрка отдела продаж" in page

    later = start + dt.timedelta(days=1)
    response = client.post(
        f"/crm/calendar/events/{event.pk}/",
        {
            "title": "Планёрка (перенесена)",
            "kind": EventKind.MEETING,
            "starts_at": _fmt(later),
            "ends_at": "",
            "reminder_minutes": "30",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.ends_at == later + dt.timedelta(minutes=30)
    pending = Timer.objects.filter(
        kind=EVENT_REMINDER, object_id=event.pk, cancelled_at__isnull=True
    )
    assert [t.due_at for t in pending] == [later - dt.timedelta(minutes=30)]

    client.force_login(org["seller2"])
    assert client.get(f"/crm/calendar/events/{event.pk}/").status_code == 404
    assert client.post(f"/crm/calendar/events/{event.pk}/delete/").status_code == 404

    with time_machine.travel(later - dt.timedelta(minutes=29)):
        timers_sweep()
        timers_sweep()
    assert (
        Notification.objects.filter(
            recipient=org["seller"], text__startswith="Напоминание: «Планёрка (перенесена)»"
        ).count()
        == 1
    )

    client.force_login(org["seller"])
    assert client.post(f"/crm/calendar/events/{event.pk}/delete/").status_code == 302
    assert not CalendarEvent.objects.filter(pk=event.pk).exists()
    assert not Timer.objects.filter(
        kind=EVENT_REMINDER, object_id=event.pk, cancelled_at__isnull=True, fired_at__isnull=True
    ).exists()


def test_event_form_errors_keep_the_input(org, client):
    start = _future()
    client.force_login(org["seller"])
    response = client.post(
        "/crm/calendar/events/new/",
        {
            "title": "Встреча",
            "kind": EventKind.MEETING,
            "starts_at": _fmt(start),
            "ends_at": _fmt(start - dt.timedelta(hours=1)),
        },
    )
    assert response.status_code == 400
    assert "Окончание не может быть раньше начала." in response.content.decode()
    assert response.context["form"]["title"].value() == "Встреча"


def test_an_event_added_from_the_card_belongs_to_the_company(org, client):
    company = Counterparty.objects.create(name="ООО «Альфа»", category=CounterpartyCategory.CLIENT)
    client.force_login(org["seller"])
    start = _future()
    response = client.post(
        "/crm/calendar/events/new/",
        {
            "company": company.pk,
            "next": f"/crm/companies/{company.pk}/",
            "title": "Позвонить по договору",
            "kind": EventKind.CALL,
            "starts_at": _fmt(start),
        },
    )
    assert response["Location"] == f"/crm/companies/{company.pk}/"
    assert CalendarEvent.objects.get().company == company
    card = client.get(f"/crm/companies/{company.pk}/").content.decode()
    assert "Позвонить по договору" in card


@pytest.fixture
def refused_company(org):
    """A ЖКХ client whose manager scheduled a meeting and then recorded a refusal."""
    zhkh = Industry.objects.create(name="ЖКХ", starts_pipeline=True)
    company = Counterparty.objects.create(
        name="УК «Север»",
        industry=zhkh,
        responsible=org["seller"],
        category=CounterpartyCategory.CLIENT,
    )
    company_take_into_work(company_id=company.pk, user=org["seller"])
    task = Task.objects.get(kind=PIPELINE_REQUEST)
    pipeline_answer(
        task_id=task.pk, user=org["seller"], data={"outcome": "step", "when": _future(3)}
    )
    event_create(
        owner=org["seller"],
        title="Своя заметка",
        kind=EventKind.OTHER,
        starts_at=_future(3),
        company=company,
        manual=True,
        reminder_minutes=None,
    )
    with time_machine.travel(_future(3) + dt.timedelta(minutes=1)):
        timers_sweep()
    # the meeting's request came back; the manager now refuses
    task = Task.objects.filter(kind=PIPELINE_REQUEST, status="open").get()
    pipeline_answer(task_id=task.pk, user=org["seller"], data={"outcome": "refuse"})
    return company


def test_events_of_a_refused_process_are_marked_not_reminded_and_cancelled_in_the_feed(
    org, client, refused_company
):
    """GIVEN a client process that ended in a refusal WHEN the manager opens the calendar
    THEN its meeting stays, struck through and marked «отказ» (her own manual note is not);
    the feed marks it CANCELLED without an alarm."""
    meeting = CalendarEvent.objects.get(manual=False)
    assert meeting.process_ended
    client.force_login(org["seller"])
    page = client.get(
        "/crm/calendar/", {"date": meeting.starts_at.date().isoformat()}
    ).content.decode()
    assert "crm-event-ended" in page and "отказ" in page
    feed = client.get(client.get("/crm/calendar/").context["feed_url"].split("testserver")[-1])
    events = {str(e["summary"]): e for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    cancelled = events["Встреча: УК «Север»"]
    assert str(cancelled["status"]) == "CANCELLED" and not cancelled.walk("VALARM")
    assert str(events["Своя заметка"]["status"]) == "CONFIRMED"


def test_a_reminder_of_a_refused_process_event_is_not_sent(org, refused_company):
    meeting = CalendarEvent.objects.get(manual=False)
    meeting.reminded_at = None
    meeting.save(update_fields=["reminded_at"])
    Timer.objects.create(kind=EVENT_REMINDER, due_at=timezone.now(), subject=meeting)
    Notification.objects.all().delete()
    timers_sweep()
    assert not Notification.objects.filter(text__startswith="Напоминание").exists()


def test_the_feed_validates_with_vtimezone_and_valarm(org, client):
    """GIVEN an event with a reminder and one without WHEN the feed is fetched THEN icalendar
    parses it; times are in Europe/Moscow with a matching VTIMEZONE; the reminded event has a
    VALARM an hour before, the other none."""
    start = _future(5, 15)
    event_create(
        owner=org["seller"],
        title="С напоминанием",
        kind=EventKind.CALL,
        starts_at=start,
        reminder_minutes=60,
    )
    event_create(
        owner=org["seller"],
        title="Без напоминания",
        kind=EventKind.CALL,
        starts_at=start,
        reminder_minutes=None,
    )
    client.force_login(org["seller"])
    path = client.get("/crm/calendar/").context["feed_url"].split("testserver")[-1]
    client.logout()
    content = client.get(path).content
    calendar = Calendar.from_ical(content)
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["tzid"]) for z in zones] == ["Europe/Moscow"]
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    reminded = events["С напоминанием"]
    assert reminded["dtstart"].params["TZID"] == "Europe/Moscow"
    assert reminded.decoded("dtstart") == start
    alarms = reminded.walk("VALARM")
    assert len(alarms) == 1
    assert str(alarms[0]["action"]) == "DISPLAY"
    assert alarms[0].decoded("trigger") == -dt.timedelta(hours=1)
    assert not events["Без напоминания"].walk("VALARM")
    assert b"BEGIN:VTIMEZONE" in content and b"BEGIN:VALARM" in content
