"""Company list and card, calendar page and the iCalendar feed: permissions and behaviour."""

import datetime as dt

import pytest
from django.utils import timezone
from icalendar import Calendar

from crm.models import (
    CalendarEvent,
    Counterparty,
    CounterpartyCategory,
    EventKind,
    Industry,
    ProcessingStatus,
)
from crm.services.calendar import event_create
from crm.services.pipeline import PIPELINE_REQUEST
from tests.factories import UserFactory
from workflow.models import Task


@pytest.fixture
def zhkh(db):
    return Industry.objects.create(name="ЖКХ", starts_pipeline=True)


def _companies(n, **kwargs):
    return Counterparty.objects.bulk_create(
        Counterparty(name=f"ООО «Компания {i:03}»", name_key=f"ооо компания {i:03}", **kwargs)
        for i in range(n)
    )


def test_company_list_permissions(org, client):
    """GIVEN the company list WHEN anonymous → login; a user without an employee profile → 404;
    an employee → the list."""
    _companies(2)
    assert client.get("/crm/").status_code == 302
    client.force_login(UserFactory(username="stranger"))
    assert client.get("/crm/").status_code == 404
    client.force_login(org["seller"])
    response = client.get("/crm/")
    assert response.status_code == 200
    assert "ООО «Компания 000»" in response.content.decode()


def test_company_list_filters(org, client, zhkh):
    """GIVEN companies of different statuses, industries, managers and categories
    WHEN the list is filtered THEN only the matching companies show."""
    Counterparty.objects.create(
        name="УК «Север»",
        industry=zhkh,
        responsible=org["seller"],
        inn="7801000001",
        category=CounterpartyCategory.CLIENT,
    )
    Counterparty.objects.create(name="ООО «Юг»", responsible=org["seller2"])
    Counterparty.objects.create(
        name="ООО «Запад»", status=ProcessingStatus.REFUSED, category=CounterpartyCategory.TENANT
    )
    client.force_login(org["seller"])

    def names(**params):
        response = client.get("/crm/", params)
        return sorted(c.name for c in response.context["page"].object_list)

    assert names(industry=zhkh.pk) == ["УК «Север»"]
    assert names(responsible=org["seller2"].pk) == ["ООО «Юг»"]
    assert names(status=ProcessingStatus.REFUSED) == ["ООО «Запад»"]
    assert names(category=CounterpartyCategory.CLIENT) == ["УК «Север»"]
    assert names(q="7801") == ["УК «Север»"]
    assert names(q="юг") == ["ООО «Юг»"]


@pytest.mark.parametrize("rows", [10, 60])
def test_company_list_runs_constant_queries(org, client, zhkh, rows, django_assert_max_num_queries):
    """GIVEN 10 or 60 companies with industries and managers THEN the page costs the same
    number of queries."""
    _companies(rows, industry=zhkh, responsible=org["seller"])
    client.force_login(org["seller"])
    with django_assert_max_num_queries(16):
        response = client.get("/crm/")
    assert response.status_code == 200


def test_company_card_take_into_work_starts_the_pipeline(org, client, zhkh):
    """GIVEN an imported ЖКХ company on the card WHEN the seller presses «Взять в обработку»
    THEN the status shows «В обработке» and the request is in the card's task list."""
    company = Counterparty.objects.create(
        name="УК «Север»",
        industry=zhkh,
        responsible=org["seller"],
        category=CounterpartyCategory.CLIENT,
    )
    client.force_login(org["seller"])
    page = client.get(f"/crm/companies/{company.pk}/").content.decode()
    assert "Взять в обработку" in page
    response = client.post(f"/crm/companies/{company.pk}/take/", follow=True)
    page = response.content.decode()
    assert "В обработке" in page
    assert "Назначена ли встреча?" in page
    assert Task.objects.filter(kind=PIPELINE_REQUEST).count() == 1


def test_company_card_refuses_other_managers_company(org, client, zhkh):
    """GIVEN seller's company WHEN seller2 opens the card THEN she sees it without the
    button, and a forged POST is refused with a message."""
    company = Counterparty.objects.create(
        name="УК «Север»",
        industry=zhkh,
        responsible=org["seller"],
        category=CounterpartyCategory.CLIENT,
    )
    client.force_login(org["seller2"])
    page = client.get(f"/crm/companies/{company.pk}/").content.decode()
    assert "Взять в обработку" not in page
    response = client.post(f"/crm/companies/{company.pk}/take/", follow=True)
    assert "Вы не можете работать с этой компанией." in response.content.decode()
    company.refresh_from_db()
    assert company.status == ProcessingStatus.IMPORTED
    assert client.get("/crm/companies/999999/").status_code == 404


def test_communication_is_logged_and_bad_input_is_kept(org, client):
    """GIVEN the card WHEN the seller records a call THEN it is in the log and the last
    communication date is set; WHEN she gives a future date THEN an error and her text stays."""
    company = Counterparty.objects.create(name="ООО «Юг»", responsible=org["seller"])
    client.force_login(org["seller"])
    url = f"/crm/companies/{company.pk}/communication/"
    response = client.post(url, {"kind": "call", "summary": "Договорились о встрече"}, follow=True)
    assert "Договорились о встрече" in response.content.decode()
    company.refresh_from_db()
    assert company.last_communication_at is not None
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"kind": "call", "occurred_at": future, "summary": "Мой текст"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Коммуникация не может быть в будущем." in page
    assert "Мой текст" in page


def test_calendar_week_and_month_show_own_events_only(org, client):
    """GIVEN an event of the seller and one of seller2 this week
    WHEN the seller opens the week and the month views THEN only her event shows."""
    now = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    event_create(
        owner=org["seller"], title="Встреча: УК «Север»", kind=EventKind.MEETING, starts_at=now
    )
    event_create(owner=org["seller2"], title="Чужая встреча", kind=EventKind.MEETING, starts_at=now)
    assert client.get("/crm/calendar/").status_code == 302
    client.force_login(org["seller"])
    for view in ("week", "month"):
        page = client.get("/crm/calendar/", {"view": view}).content.decode()
        assert "Встреча: УК «Север»" in page
        assert "Чужая встреча" not in page


def test_ical_feed_is_valid_and_secret(org, client):
    """GIVEN two events of the seller WHEN a calendar app (no session) fetches her feed URL
    THEN it parses as iCalendar with both events and their times; a wrong token is 404; after
    «Создать новую ссылку» the old URL stops working."""
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    company = Counterparty.objects.create(name="УК «Север»")
    event_create(
        owner=org["seller"],
        title="Звонок: УК «Север»",
        kind=EventKind.CALL,
        starts_at=start,
        company=company,
    )
    event_create(
        owner=org["seller"],
        title="Встреча: УК «Север»",
        kind=EventKind.MEETING,
        starts_at=start + dt.timedelta(hours=3),
    )
    event_create(owner=org["seller2"], title="Чужое", kind=EventKind.CALL, starts_at=start)
    client.force_login(org["seller"])
    feed_url = client.get("/crm/calendar/").context["feed_url"]
    path = feed_url.split("testserver")[-1]
    client.logout()
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert [str(e["summary"]) for e in events] == ["Звонок: УК «Север»", "Встреча: УК «Север»"]
    assert events[0].decoded("dtstart") == start
    assert events[0].decoded("dtend") == start + dt.timedelta(minutes=30)
    assert f"/crm/companies/{company.pk}/" in str(events[0]["url"])
    assert len({str(e["uid"]) for e in events}) == 2
    assert client.get("/crm/calendar/feed/wrong-token.ics").status_code == 404
    client.force_login(org["seller"])
    client.post("/crm/calendar/feed/regenerate/")
    client.logout()
    assert client.get(path).status_code == 404
    assert CalendarEvent.objects.count() == 3


def test_card_shows_system_entries_of_the_contact_control(org, client):
    """GIVEN a client whose contact check opened a service deal (a system action)
    WHEN the manager opens the card THEN the deal and the «Система» history entry show."""
    import time_machine

    from crm.services.contact import contact_control_schedule_missing
    from workflow.jobs import timers_sweep

    company = Counterparty.objects.create(
        name="ООО «Тихий клиент»", category=CounterpartyCategory.CLIENT, responsible=org["seller"]
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=91)):
        contact_control_schedule_missing()
        timers_sweep()
    client.force_login(org["seller"])
    page = client.get(f"/crm/companies/{company.pk}/").content.decode()
    assert "Связаться с клиентом: ООО «Тихий клиент»" in page
    assert "Система" in page
    assert "Открыта" in page


def test_calendar_is_for_employees_only(org, client):
    """GIVEN a user without an employee profile WHEN she opens the calendar THEN 404."""
    client.force_login(UserFactory(username="stranger"))
    assert client.get("/crm/calendar/").status_code == 404


@pytest.mark.parametrize(
    "model",
    [
        "counterparty",
        "industry",
        "crmsettings",
        "communication",
        "deal",
        "calendarevent",
        "distributionweek",
        "callassignment",
        "companyimport",
    ],
)
def test_admin_pages_open(org, client, zhkh, model):
    """GIVEN an administrator WHEN she opens each CRM admin list and the add/edit form
    THEN they render (the protected status is read-only there)."""
    from crm.models import CrmSettings

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    CrmSettings.load()
    company = Counterparty.objects.create(name="ООО «Юг»", industry=zhkh)
    assert client.get(f"/admin/crm/{model}/").status_code == 200
    if model == "counterparty":
        page = client.get(f"/admin/crm/counterparty/{company.pk}/change/")
        assert page.status_code == 200
        assert 'name="status"' not in page.content.decode()
    if model == "crmsettings":
        response = client.post(
            "/admin/crm/crmsettings/1/change/",
            {
                "contact_control_days": 60,
                "reminder_minutes": 30,
                "distribution_quota": 25,
                "distribution_weekday": 0,
                "distribution_time": "09:00",
                "distribution_categories": ["client", "tenant"],
                "contact_task_working_days": 5,
            },
        )
        assert response.status_code == 302
        assert CrmSettings.load().contact_control_days == 60
