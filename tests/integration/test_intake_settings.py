"""Mailbox settings: the password never shows, is stored encrypted, or comes from the
environment; a mailbox can be described by ARGO_INTAKE_IMAP_* variables."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from intake.models import Mailbox, Security
from intake.passwords import PasswordUnavailable, password_of
from intake.setup import mailbox_from_env

SECRET = "Пароль-Ящика-42"


@pytest.fixture
def admin_client_logged(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@argo.test", "x")
    client.force_login(admin)
    return client


def _form(**overrides):
    data = {
        "name": "Канцелярия",
        "is_active": "on",
        "host": "imap.example.ru",
        "port": "993",
        "security": "ssl",
        "username": "office@example.ru",
        "password": SECRET,
        "password_env": "",
        "folder": "INBOX",
        "after_processing": "flag",
        "processed_flag": "$ArgoProcessed",
        "processed_folder": "Обработано",
    }
    data.update(overrides)
    return data


def test_the_admin_stores_the_password_encrypted_and_never_shows_it(admin_client_logged, db):
    response = admin_client_logged.post(reverse("admin:intake_mailbox_add"), _form())
    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert SECRET not in mailbox.password_encrypted
    assert password_of(mailbox) == SECRET
    page = admin_client_logged.get(reverse("admin:intake_mailbox_change", args=[mailbox.pk]))
    html = page.content.decode()
    assert SECRET not in html and mailbox.password_encrypted not in html
    assert "сохранён (зашифрован)" in html
    # saving again without a password keeps the stored one
    admin_client_logged.post(
        reverse("admin:intake_mailbox_change", args=[mailbox.pk]), _form(password="")
    )
    assert password_of(Mailbox.objects.get()) == SECRET


def test_the_admin_refuses_a_mailbox_it_could_never_read(admin_client_logged, db):
    response = admin_client_logged.post(
        reverse("admin:intake_mailbox_add"),
        _form(password="", after_processing="move", processed_folder="", processed_flag="a b"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Укажите пароль" in str(errors["password"])
    assert "Укажите папку" in str(errors["processed_folder"])
    assert not Mailbox.objects.exists()


def test_the_password_may_come_from_the_environment(db, monkeypatch):
    mailbox = Mailbox(host="h", username="u", password_env="ARGO_TEST_MAILBOX_PASSWORD")
    with pytest.raises(PasswordUnavailable, match="ARGO_TEST_MAILBOX_PASSWORD"):
        password_of(mailbox)
    monkeypatch.setenv("ARGO_TEST_MAILBOX_PASSWORD", SECRET)
    assert password_of(mailbox) == SECRET


def test_a_changed_key_asks_for_the_password_again(db, settings):
    from intake.services import mailbox_password_set

    mailbox = Mailbox(host="h", username="u")
    mailbox_password_set(mailbox=mailbox, password=SECRET)
    settings.SECRET_KEY = "another-secret-key-for-this-test-0123456789-abcdefghijklmnop"
    with pytest.raises(PasswordUnavailable, match="введите пароль заново"):
        password_of(mailbox)


def test_a_mailbox_from_environment_variables(db, org):
    env = {
        "ARGO_INTAKE_IMAP_HOST": "imap.yandex.ru",
        "ARGO_INTAKE_IMAP_USER": "office@argo.example",
        "ARGO_INTAKE_IMAP_SECURITY": "starttls",
        "ARGO_INTAKE_LEGAL_ENTITY": "БЦ",
    }
    mailbox = mailbox_from_env(env)
    assert (mailbox.host, mailbox.port, mailbox.security) == (
        "imap.yandex.ru",
        143,
        Security.STARTTLS,
    )
    assert mailbox.password_env == "ARGO_INTAKE_IMAP_PASSWORD" and not mailbox.password_encrypted
    assert mailbox.default_legal_entity.code == "БЦ"
    again = mailbox_from_env({**env, "ARGO_INTAKE_IMAP_PORT": "1143"})
    assert again.pk == mailbox.pk and again.port == 1143
    assert mailbox_from_env({}) is None
    with pytest.raises(ImproperlyConfigured):
        mailbox_from_env({**env, "ARGO_INTAKE_IMAP_SECURITY": "tls13"})


def test_polling_and_the_purge_are_scheduled_by_the_migrations(db):
    from django_q.models import Schedule

    poll = Schedule.objects.get(name="intake.mailboxes_poll_due")
    assert (poll.func, poll.schedule_type, poll.minutes) == (
        "intake.jobs.mailboxes_poll_due",
        Schedule.MINUTES,
        1,
    )
    purge = Schedule.objects.get(name="intake.dismissed_items_purge")
    assert (purge.func, purge.schedule_type) == (
        "intake.jobs.dismissed_items_purge",
        Schedule.DAILY,
    )
