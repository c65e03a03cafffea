"""Login throttling (django-axes): five wrong passwords lock the (username, address) pair for 15
minutes with one Russian message whether or not the user exists; an admin can unlock at once."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
LOCKED = "Слишком много неудачных попыток входа"
WRONG = "Неверное имя пользователя или пароль"


def _login(client, username, password, address="10.1.1.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _alert(response) -> str:
    html = response.content.decode()
    start = html.index('data-testid="login-locked"')
    return html[start : html.index("</div>", start)]


def _fail_five_times(client, username, address="10.1.1.1"):
    responses = [_login(client, username, "wrong-password", address) for _ in range(5)]
    for response in responses[:4]:
        assert response.status_code == 200 and WRONG in response.content.decode()
    return responses[4]


@pytest.mark.django_db
def test_five_failures_lock_the_user_out_even_with_the_right_password(client):
    """GIVEN an employee WHEN someone types a wrong password five times from one address
    THEN the fifth answer is the lockout page (429, Russian), and the right password from the
    same address is refused too: nobody is logged in."""
    UserFactory(username="office")
    fifth = _fail_five_times(client, "office")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()

    response = _login(client, "office", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not _logged_in(client)


@pytest.mark.django_db
def test_the_lockout_does_not_tell_whether_the_user_exists(client):
    """GIVEN one existing and one made-up username WHEN each gets five wrong passwords
    THEN both lockout pages carry the very same message."""
    UserFactory(username="lawyer")
    real = _fail_five_times(client, "lawyer")
    made_up = _fail_five_times(client, "no-such-person")
    assert real.status_code == made_up.status_code == 429
    assert _alert(real) == _alert(made_up)
    assert "15" in _alert(real)


@pytest.mark.django_db
def test_the_lock_is_per_username_and_address(client):
    """GIVEN a user locked out from one address WHEN the same user logs in from another
    address THEN that works: an attacker cannot lock the real user out of their own desk."""
    UserFactory(username="gendir")
    _fail_five_times(client, "gendir", address="10.6.6.6")
    response = _login(client, "gendir", PASSWORD, address="10.1.1.2")
    assert response.status_code == 302
    assert _logged_in(client)


@pytest.mark.django_db
def test_the_lock_ends_after_15_minutes(client):
    """GIVEN a locked-out user WHEN 14 minutes pass THEN they are still refused; WHEN 16 have
    passed THEN the right password logs them in."""
    UserFactory(username="seller")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _fail_five_times(client, "seller")
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert _login(client, "seller", PASSWORD).status_code == 429
    # the refused try above restarted the 15 minutes
    with time_machine.travel(start + dt.timedelta(minutes=14 + 16), tick=False):
        response = _login(client, "seller", PASSWORD)
    assert response.status_code == 302 and _logged_in(client)


@pytest.mark.django_db
def test_an_admin_unlocks_the_user_in_the_admin(client):
    """GIVEN a locked-out user WHEN an administrator opens «Попытки доступа» in the admin and
    deletes the attempt THEN the user logs in with the right password at once."""
    UserFactory(username="accountant")
    _fail_five_times(client, "accountant")
    assert _login(client, "accountant", PASSWORD).status_code == 429

    admin_client = client.__class__()
    admin_client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "accountant" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="accountant")
    delete_url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.filter(username="accountant").exists()

    response = _login(client, "accountant", PASSWORD)
    assert response.status_code == 302 and _logged_in(client)
