"""The mail intake against a real IMAP server (Dovecot started by the test on a free port).

Fifty messages arrive by IMAP APPEND: Cyrillic subjects and file names, an HTML-only letter, 8-bit
cp1251 and koi8-r bodies, a hostile attachment, one Message-ID twice, a reply to our sent letter.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from correspondence.models import OutgoingLetter
from correspondence.services.mail import BY_NUMBER, BY_OUTBOX, mail_matches
from correspondence.testing import build_world
from intake import polling
from intake.models import AfterProcessing, IntakeAttachment, IntakeItem, Mailbox, Security
from intake.services import mailbox_password_set
from intake.testing import DovecotServer, database_url, free_port, legacy_letter, letter
from storage.testing import EXE_BYTES, docx_bytes, pdf_bytes
from workflow.models import Notification

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Secret-42"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="module")
def dovecot_server():
    """One server for the module (it takes seconds to stop), with plain and TLS listeners."""
    with DovecotServer(tls=True) as server:
        yield server


@pytest.fixture
def dovecot(dovecot_server, request):
    """The server with a fresh mail user for this test (``dovecot.login``)."""
    login = f"office{len(dovecot_server.users) + 1}@argo.test"
    dovecot_server.add_user(login, PASSWORD)
    dovecot_server.login = login
    return dovecot_server


def make_mailbox(server: DovecotServer, **fields) -> Mailbox:
    mailbox = Mailbox(
        name=fields.pop("name", "Канцелярия"),
        host="127.0.0.1",
        port=server.port,
        username=server.login,
        **{"security": Security.NONE, **fields},
    )
    mailbox_password_set(mailbox=mailbox, password=PASSWORD)
    mailbox.full_clean()
    mailbox.save()
    return mailbox


def corpus(our_message_id: str, our_number: str) -> tuple[list[bytes], dict[str, str]]:
    """Fifty messages; returns them and the Message-IDs worth checking by name. Two answer our
    sent letter: one by the headers a mail client writes (In-Reply-To, our subject without the
    number), one from a webmail that drops them but quotes our number."""
    pdf = pdf_bytes("Pismo")
    messages = []
    for n in range(1, 31):
        messages.append(
            letter(
                subject=f"Письмо № {n}-12/2026 от 01.12.2026 о графике уборки",
                sender=f"Менеджер {n} <manager{n}@chistiy-gorod.ru>",
                message_id=f"<letter-{n}@chistiy-gorod.ru>",
                files=[(f"График уборки, корпус {n}.pdf", pdf, "application/pdf")],
            )
        )
    for n in range(5):
        messages.append(
            legacy_letter(
                subject=f"Акт сверки за ноябрь {n}",
                body="Уважаемые коллеги! Направляем акт сверки, просим подписать.",
                charset="windows-1251",
                message_id=f"<cp1251-{n}@zavod.ru>",
                attachment=(f"Акт сверки № {n}.pdf", pdf),
            )
        )
    for n in range(2):
        messages.append(
            legacy_letter(
                subject=f"Счёт на оплату {n}",
                body="Просим оплатить счёт до конца месяца.",
                charset="koi8-r",
                declare_charset=False,
                raw_subject=True,
                message_id=f"<koi8-{n}@zavod.ru>",
            )
        )
    for n in range(2):
        messages.append(
            legacy_letter(
                subject=f"Договор аренды {n}",
                body="Проект договора во вложении.",
                message_id=f"<outlook-{n}@tenant.ru>",
                attachment=(f"Договор аренды № {n} (проект).docx", docx_bytes()),
                attachment_name_style="rfc2047-in-quotes",
            )
        )
    messages.append(
        letter(
            subject="Приглашение на семинар",
            body="",
            html="<html><body><h1>Семинар</h1>"
            "<p>Приглашаем <b>офис-менеджеров</b>.</p></body></html>",
            message_id="<html-only@events.ru>",
        )
    )
    messages.append(
        letter(
            subject="Счёт и акт",
            message_id="<hostile@evil.ru>",
            files=[
                ("Счёт.pdf", EXE_BYTES, "application/pdf"),
                ("Акт.pdf", pdf, "application/pdf"),
            ],
        )
    )
    messages.append(
        letter(
            subject="Письмо № 1-12/2026 от 01.12.2026 о графике уборки",
            sender="Менеджер 1 <manager1@chistiy-gorod.ru>",
            message_id="<letter-1@chistiy-gorod.ru>",  # the same message delivered again
            files=[("График уборки, корпус 1.pdf", pdf, "application/pdf")],
        )
    )
    messages.append(
        letter(
            subject="Re: О продлении договора аренды",
            body="Согласны продлить договор на прежних условиях.",
            sender="Директор <director@severny-veter.ru>",
            message_id="<reply-1@severny-veter.ru>",
            in_reply_to=our_message_id,
        )
    )
    messages.append(
        letter(
            subject=f"Ответ на {our_number}",
            body="Подтверждаем получение.",
            sender="Секретарь <secretary.veter@gmail.com>",
            message_id="<reply-2@gmail.com>",
        )
    )
    while len(messages) < 50:
        n = len(messages)
        messages.append(
            letter(
                subject=f"Уведомление {n}",
                body=f"Текст уведомления {n}.",
                message_id=f"<n{n}@x.ru>",
            )
        )
    assert len(messages) == 50
    return messages, {
        "reply": "reply-1@severny-veter.ru",
        "webmail_reply": "reply-2@gmail.com",
        "hostile": "hostile@evil.ru",
    }


def _our_letter_sent_by_email(world, smtp) -> tuple[OutgoingLetter, str]:
    """An outgoing letter approved and sent by email through the outbox to a real SMTP server;
    returns it and the Message-ID the server received."""
    from correspondence.models import ChainMode, OutgoingApprovalSettings
    from correspondence.services import outgoing as services
    from correspondence.testing import control_in, stored_pdf
    from outbox.jobs import outbox_flush
    from workflow.routes.services import step_decide
    from workflow.selectors import tasks_of

    OutgoingApprovalSettings.objects.create(
        legal_entity=world["entity"], mode=ChainMode.DEPTH, depth=1
    )
    ours = services.outgoing_create(
        user=world["seller"],
        legal_entity=world["entity"],
        counterparty=world["tenant"],
        subject="О продлении договора аренды",
        text="Предлагаем продлить договор.",
        control_date=control_in(10),
        files=[stored_pdf(world["seller"], "Письмо о продлении.pdf")],
    )
    services.outgoing_submit(letter_id=ours.pk, user=world["seller"])
    approve = tasks_of(ours).get(kind="workflow.route_approve", status="open")
    step_decide(task_id=approve.pk, user=world["sales_head"], decision="approve")
    send = tasks_of(ours).get(kind=services.KIND_SEND, status="open")
    services.send_complete(
        task_id=send.pk,
        user=world["office"],
        data={"method": "email", "email": "director@severny-veter.ru"},
    )
    outbox_flush()
    (received,) = [r for r in smtp.handler.received if r.rcpt_tos == ["director@severny-veter.ru"]]
    return OutgoingLetter.objects.get(pk=ours.pk), received.message_id


def _poll_in_a_child_process(mailbox: Mailbox, media: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_SETTINGS_MODULE": "argo_docs.settings.test",
        "MEDIA_ROOT": str(media),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "intake_poll", "--mailbox", str(mailbox.pk)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.django_db(transaction=True)
def test_fifty_messages_survive_a_killed_worker_and_a_second_poll(org, dovecot, media, smtp):
    """GIVEN 50 messages in the mailbox (one Message-ID twice, one hostile attachment, one reply
    to our sent letter)
    WHEN a poll running in another process is killed with SIGKILL mid-batch, then the mailbox
    is polled again, and once more
    THEN there are 49 items, none twice; every message is marked processed on the server; the
    hostile file is refused and listed with the reason; the reply is matched to our letter."""
    world = build_world(org)
    ours, our_message_id = _our_letter_sent_by_email(world, smtp)
    messages, names = corpus(our_message_id, ours.reg_number)
    dovecot.append(dovecot.login, messages)
    mailbox = make_mailbox(dovecot)

    child = _poll_in_a_child_process(mailbox, media)
    deadline = time.monotonic() + 60
    while IntakeItem.objects.count() < 8:
        assert child.poll() is None, child.stdout.read().decode()
        assert time.monotonic() < deadline, "the child process stored nothing in a minute"
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    at_kill = IntakeItem.objects.count()
    unmarked_at_kill = dovecot.uids(dovecot.login, "UNKEYWORD $ArgoProcessed")
    assert 8 <= at_kill < 49, "the kill must land mid-batch"
    assert len(unmarked_at_kill) > 50 - at_kill - 1  # the rest is still waiting on the server

    second = polling.mailbox_poll(mailbox_id=mailbox.pk)
    third = polling.mailbox_poll(mailbox_id=mailbox.pk)

    assert second.error == "" and third.error == ""
    assert IntakeItem.objects.count() == 49
    assert second.created == 49 - at_kill
    assert second.duplicates == 1
    assert third.created == 0 and third.marked == 0
    assert dovecot.uids(dovecot.login, "UNKEYWORD $ArgoProcessed") == []
    assert len(dovecot.uids(dovecot.login, "UNSEEN")) == 50  # people still see them unread

    hostile = IntakeItem.objects.get(message_id=names["hostile"])
    refused = hostile.attachments.get(filename="Счёт.pdf")
    assert refused.stored_file is None
    assert "Счёт.pdf" in refused.refused_reason and "не принят" in refused.refused_reason
    assert hostile.attachments.get(filename="Акт.pdf").stored_file is not None

    reply = IntakeItem.objects.get(message_id=names["reply"])
    webmail = IntakeItem.objects.get(message_id=names["webmail_reply"])
    matches = mail_matches([reply, webmail])
    assert (matches[reply.pk].answers_outgoing, matches[reply.pk].answers_reason) == (
        ours,
        BY_OUTBOX,
    )
    assert matches[reply.pk].counterparty == world["tenant"]  # not by address: nobody knew it
    assert (matches[webmail.pk].answers_outgoing, matches[webmail.pk].answers_reason) == (
        ours,
        BY_NUMBER,
    )

    html = IntakeItem.objects.get(message_id="html-only@events.ru")
    assert html.body_from_html and "Приглашаем офис-менеджеров." in html.body_text
    koi8 = IntakeItem.objects.get(message_id="koi8-0@zavod.ru")
    assert koi8.subject == "Счёт на оплату 0"
    assert koi8.body_text == "Просим оплатить счёт до конца месяца."
    cp1251 = IntakeItem.objects.get(message_id="cp1251-0@zavod.ru")
    assert cp1251.body_text.startswith("Уважаемые коллеги!")
    assert cp1251.attachments.get(is_body=False).filename == "Акт сверки № 0.pdf"
    outlook = IntakeItem.objects.get(message_id="outlook-1@tenant.ru")
    assert outlook.attachments.get(is_body=False).filename == "Договор аренды № 1 (проект).docx"
    first = IntakeItem.objects.get(message_id="letter-1@chistiy-gorod.ru")
    assert first.subject == "Письмо № 1-12/2026 от 01.12.2026 о графике уборки"
    assert first.attachments.get(is_body=False).stored_file.original_name == (
        "График уборки, корпус 1.pdf"
    )
    # each stored file belongs to exactly one attachment: nothing was stored twice
    stored = IntakeAttachment.objects.exclude(stored_file=None)
    assert stored.count() == stored.values("stored_file").distinct().count()


def test_move_mode_moves_processed_messages_into_a_cyrillic_folder(org, dovecot, media):
    dovecot.append(dovecot.login, [letter(subject=f"Письмо {n}") for n in range(3)])
    mailbox = make_mailbox(
        dovecot, after_processing=AfterProcessing.MOVE, processed_folder="Обработано"
    )
    result = polling.mailbox_poll(mailbox_id=mailbox.pk)
    assert (result.created, result.error) == (3, "")
    assert dovecot.uids(dovecot.login) == []
    assert len(dovecot.uids(dovecot.login, folder="Обработано")) == 3
    assert polling.mailbox_poll(mailbox_id=mailbox.pk).created == 0


@pytest.mark.django_db(transaction=True)
def test_two_polls_of_one_mailbox_never_overlap(org, dovecot, media):
    """GIVEN a poll of the mailbox running in one thread WHEN a second thread polls it
    THEN the second returns at once as busy, and every message is taken once."""
    dovecot.append(dovecot.login, [letter(subject=f"Письмо {n}") for n in range(30)])
    mailbox = make_mailbox(dovecot)
    results = []
    started = threading.Event()

    def poll() -> None:
        started.set()
        try:
            results.append(polling.mailbox_poll(mailbox_id=mailbox.pk))
        finally:
            connection.close()

    first = threading.Thread(target=poll)
    first.start()
    started.wait()
    deadline = time.monotonic() + 30
    while not IntakeItem.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    second = polling.mailbox_poll(mailbox_id=mailbox.pk)
    first.join()
    assert second.busy
    assert results[0].created == 30
    assert IntakeItem.objects.count() == 30


def test_a_wrong_password_is_shown_notified_backed_off_and_nothing_is_lost(
    org, dovecot, media, django_user_model
):
    """GIVEN a mailbox with a wrong password and two messages waiting
    WHEN it is polled twice THEN the error is stored, the administrator is told once, the next
    attempt waits longer; AND after the password is fixed both messages arrive."""
    from intake.jobs import mailboxes_poll_due

    admin = django_user_model.objects.create_superuser("root", "root@argo.test", "x")
    dovecot.append(dovecot.login, [letter(subject="Первое"), letter(subject="Второе")])
    mailbox = make_mailbox(dovecot)
    mailbox_password_set(mailbox=mailbox, password="wrong-password")
    mailbox.save()

    first = polling.mailbox_poll(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    assert "отклонил логин или пароль" in first.error
    assert "wrong-password" not in mailbox.last_error
    assert mailbox.failure_count == 1
    backoff_1 = mailbox.next_attempt_at - mailbox.last_poll_at
    assert mailboxes_poll_due() == 0  # the back-off holds the next attempt
    polling.mailbox_poll(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    assert mailbox.failure_count == 2
    assert mailbox.next_attempt_at - mailbox.last_poll_at > backoff_1
    notes = Notification.objects.filter(recipient=admin)
    assert notes.count() == 1 and "Канцелярия" in notes.get().text

    mailbox_password_set(mailbox=mailbox, password=PASSWORD)
    mailbox.next_attempt_at = timezone.now()  # the back-off has passed
    mailbox.save(update_fields=["password_encrypted", "next_attempt_at"])
    assert mailboxes_poll_due() == 1  # the every-minute job polls it (inline in tests)
    mailbox.refresh_from_db()
    assert IntakeItem.objects.filter(mailbox=mailbox).count() == 2
    assert mailbox.last_error == "" and mailbox.failure_count == 0
    assert notes.count() == 2  # «снова читается»


@pytest.mark.parametrize(
    ("security", "which_port", "expected"),
    [
        (Security.SSL, "plain", "Ошибка TLS"),
        (Security.STARTTLS, "plain", "Сертификат сервера"),
        (Security.SSL, "tls", "Сертификат сервера"),
        (Security.NONE, "closed", "не принимает подключения"),
    ],
)
def test_connection_failures_are_stored_in_russian(
    org, dovecot, media, security, which_port, expected
):
    """GIVEN TLS against a plain port, STARTTLS on a server without it, a certificate nobody
    vouches for, or a port nobody listens on THEN the mailbox shows a Russian reason."""
    port = {"plain": dovecot.port, "tls": dovecot.tls_port, "closed": free_port()}[which_port]
    mailbox = make_mailbox(dovecot, security=security)
    mailbox.port = port
    mailbox.save(update_fields=["port"])
    result = polling.mailbox_poll(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    assert expected in result.error
    assert mailbox.last_error == result.error and mailbox.error_since is not None


@pytest.mark.parametrize("security", [Security.SSL, Security.STARTTLS])
def test_tls_with_a_trusted_company_certificate_works(org, dovecot, media, settings, security):
    """GIVEN the server's certificate trusted through ARGO_INTAKE_CA_FILE
    THEN both SSL (port 993 style) and STARTTLS (port 143 style) read the mailbox."""
    dovecot.append(dovecot.login, [letter(subject="Через TLS")])
    settings.ARGO_INTAKE_CA_FILE = dovecot.ca_file
    mailbox = make_mailbox(dovecot, security=security)
    mailbox.port = dovecot.tls_port if security == Security.SSL else dovecot.port
    mailbox.save(update_fields=["port"])
    result = polling.mailbox_poll(mailbox_id=mailbox.pk)
    assert (result.created, result.error) == (1, "")
