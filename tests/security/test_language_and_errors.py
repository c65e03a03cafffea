"""Russian by default whatever the browser asks for; English only by the user's own choice, kept
for that user; Russian error pages in the product's layout."""

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.views import defaults

from argo_docs.models import UserPreference
from tests.factories import UserFactory

ENGLISH_BROWSER = "en-US,en;q=0.9"


@pytest.mark.django_db
def test_an_english_browser_still_gets_the_russian_product(client):
    """GIVEN an employee whose Windows and browser are English WHEN they open the login page
    and, signed in, their inbox THEN both are Russian."""
    login = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    assert "Имя пользователя" in login.content.decode()
    assert login["Content-Language"] == "ru"
    client.force_login(UserFactory())
    inbox = client.get(reverse("workflow:inbox"), HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    html = inbox.content.decode()
    assert "Мои задания" in html and "My tasks" not in html
    assert '<html lang="ru">' in html


@pytest.mark.django_db
def test_a_user_switches_to_english_and_the_choice_stays_with_them(client):
    """GIVEN an employee WHEN they pick English in the user menu THEN they land back on the
    same page in English; WHEN they log in again from another browser (Russian one) THEN it is
    still English; WHEN they switch back THEN Russian again. Another user stays Russian."""
    user = UserFactory()
    client.force_login(user)
    inbox = client.get(reverse("workflow:inbox")).content.decode()
    assert 'data-testid="language-form"' in inbox and 'value="en"' in inbox

    response = client.post(
        reverse("language-set"), {"language": "en", "next": "/letters/incoming/"}
    )
    assert response.status_code == 302 and response["Location"] == "/letters/incoming/"
    assert UserPreference.objects.get(user=user).language == "en"
    assert "My tasks" in client.get(reverse("workflow:inbox")).content.decode()

    other_browser = client.__class__()
    other_browser.force_login(user)
    page = other_browser.get(reverse("workflow:inbox"), HTTP_ACCEPT_LANGUAGE="ru")
    assert "My tasks" in page.content.decode()
    assert page["Content-Language"] == "en"

    colleague = client.__class__()
    colleague.force_login(UserFactory())
    assert "Мои задания" in colleague.get(reverse("workflow:inbox")).content.decode()

    client.post(reverse("language-set"), {"language": "ru", "next": "/tasks/"})
    assert "Мои задания" in client.get(reverse("workflow:inbox")).content.decode()


@pytest.mark.django_db
def test_the_language_switch_is_a_csrf_protected_post(client):
    """GIVEN a signed-in employee WHEN a foreign page makes their browser post the switch
    without the form's token, or tries a GET, or names an unknown language or a foreign
    redirect THEN nothing changes and nobody is sent off-site."""
    from django.test import Client

    user = UserFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(reverse("language-set"), {"language": "en"}).status_code == 403
    assert strict.get(reverse("language-set")).status_code == 405
    client.force_login(user)
    response = client.post(
        reverse("language-set"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert not UserPreference.objects.filter(user=user).exists()


def test_anonymous_visitors_get_russian(client, db):
    """GIVEN nobody signed in and an English browser WHEN an unknown page is opened
    THEN the 404 page is Russian."""
    with override_settings(DEBUG=False):
        response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_error_pages_are_russian_and_in_the_product_layout(client):
    """GIVEN production settings WHEN a signed-in employee hits a missing letter (404), a
    foreign form without a CSRF token (403), THEN the pages are Russian, carry the navigation
    of the product and a way back to the tasks."""
    from django.test import Client

    user = UserFactory()
    client.force_login(user)
    missing = client.get("/letters/incoming/999999/")
    html = missing.content.decode()
    assert missing.status_code == 404
    assert "Страница не найдена" in html and "Not Found" not in html
    assert 'class="navbar' in html and reverse("workflow:inbox") in html

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    forbidden = strict.post(reverse("language-set"), {"language": "en"})
    assert forbidden.status_code == 403
    assert "Форма устарела" in forbidden.content.decode()
    assert "CSRF verification failed" not in forbidden.content.decode()


def test_400_and_403_pages_are_russian(rf: RequestFactory, db):
    """GIVEN Django's own 400 and 403 handlers WHEN they render THEN the pages are Russian."""
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    bad = defaults.bad_request(request, Exception("broken"))
    assert bad.status_code == 400 and "Неверный запрос" in bad.content.decode()
    denied = defaults.permission_denied(request, Exception("no"))
    assert denied.status_code == 403 and "Доступ запрещён" in denied.content.decode()


def test_500_page_renders_without_a_database_or_a_request(rf: RequestFactory):
    """GIVEN the database is down (no database access allowed in this test at all) WHEN the
    500 handler renders THEN the page is Russian, in the product's look, and made no query."""
    response = defaults.server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Ошибка на сервере" in html and "Server Error" not in html
    assert "bootstrap.min.css" in html and "navbar" in html
