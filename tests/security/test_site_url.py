"""Links in emails and calendar feeds point at the address the app really runs on."""

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from argo_docs.settings.env import site_url
from tests.factories import UserFactory


def test_site_url_defaults_to_the_run_scripts_port():
    """GIVEN no SITE_URL WHEN the app runs on the default port or on PORT=8101
    THEN links start with http://127.0.0.1:8000 or http://127.0.0.1:8101."""
    assert site_url(environ={}) == "http://127.0.0.1:8000"
    assert site_url(environ={"PORT": "8101"}) == "http://127.0.0.1:8101"


def test_an_explicit_site_url_wins_and_loses_its_trailing_slash():
    """GIVEN SITE_URL set by the admin WHEN read THEN it is used as given, without the slash."""
    environ = {"SITE_URL": " https://docs.example.com/ ", "PORT": "8101"}
    assert site_url(environ=environ) == "https://docs.example.com"


@pytest.mark.parametrize(
    "environ",
    [{"SITE_URL": "docs.example.com"}, {"PORT": "eighty"}, {"PORT": "0"}, {"PORT": "70000"}],
)
def test_a_bad_value_stops_startup_naming_the_variable(environ):
    """GIVEN a SITE_URL without a scheme or a PORT that is no port WHEN read
    THEN startup stops with a message naming the variable."""
    with pytest.raises(ImproperlyConfigured) as error:
        site_url(environ=environ)
    assert next(iter(environ)) in str(error.value)


@pytest.mark.django_db
def test_a_notification_email_links_to_the_running_site(
    settings, org, django_capture_on_commit_callbacks
):
    """GIVEN the app serving on port 8101 (SITE_URL derived from PORT) WHEN an instruction
    notifies its assignee by email (through the outbox, after the commit) THEN the link in the
    sent email starts with that address."""
    from tests.helpers import give

    settings.SITE_URL = site_url(environ={"PORT": "8101"})
    assignee = org["seller"]
    with django_capture_on_commit_callbacks(execute=True):
        give(org["sales_head"], assignee, "Подготовить справку")
    sent = [m for m in mail.outbox if assignee.email in m.to]
    assert sent, "the assignee got no email"
    assert "http://127.0.0.1:8101/" in sent[-1].body
    assert "127.0.0.1:8000" not in sent[-1].body


@pytest.mark.django_db
def test_calendar_feed_links_use_the_site_url(settings, client):
    """GIVEN a manager with a calendar event WHEN their calendar app fetches the feed
    THEN the event's link points at the running site."""
    import datetime as dt

    from django.utils import timezone

    from crm.services.calendar import event_create, feed_token_for
    from tests.factories import CounterpartyFactory

    settings.SITE_URL = "http://docs.example.com:8101"
    manager = UserFactory()
    company = CounterpartyFactory()
    event_create(
        owner=manager,
        company=company,
        title="Встреча",
        kind="meeting",
        starts_at=timezone.now() + dt.timedelta(days=1),
    )
    token = feed_token_for(manager)
    feed = client.get(f"/crm/calendar/feed/{token.token}.ics").content.decode()
    assert "http://docs.example.com:8101" + company.get_absolute_url() in feed.replace("\r\n ", "")
