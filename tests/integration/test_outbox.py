"""The email outbox against a real SMTP server (aiosmtpd started by the tests): letters and
notifications are written in the business transaction and sent by the job, exactly once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_q.signals import pre_enqueue

from correspondence.models import (
    ChainMode,
    OutgoingApprovalSettings,
    OutgoingLetter,
    OutgoingStatus,
)
from correspondence.services import outgoing as services
from correspondence.testing import build_world, control_in
from outbox.jobs import BATCH_SIZE, STALE_AFTER, outbox_flush
from outbox.models import OutboxMessage, OutboxStatus
from outbox.selectors import message_by_message_id, messages_for
from outbox.services import FLUSH_JOB, MAX_ATTEMPTS, message_id_make, outbox_enqueue
from storage.services import stored_file_create
from storage.testing import docx_bytes, pdf_bytes, upload
from workflow.models import HistoryEntry, Notification
from workflow.routes.services import step_decide
from workflow.selectors import tasks_of
from workflow.services import notification_send

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(org):
    world = build_world(org)
    world["tenant"].email = "office@veter.example"
    world["tenant"].save(update_fields=["email"])
    OutgoingApprovalSettings.objects.create(
        legal_entity=world["entity"], mode=ChainMode.DEPTH, depth=1
    )
    return world


def _registered_letter(world):
    """An approved letter waiting for the office to send it, with two Cyrillic-named files."""
    seller = world["seller"]
    files = [
        stored_file_create(
            upload=upload("Письмо о продлении №1.pdf", pdf_bytes("Letter")), uploaded_by=seller
        ),
        stored_file_create(
            upload=upload("Смета — приложение.docx", docx_bytes()), uploaded_by=seller
        ),
    ]
    letter = services.outgoing_create(
        user=seller,
        legal_entity=world["entity"],
        counterparty=world["tenant"],
        subject="О продлении договора аренды «Северный ветер»",
        text="Просим продлить договор аренды на 11 месяцев.",
        control_date=control_in(10),
        files=files,
    )
    services.outgoing_submit(letter_id=letter.pk, user=seller)
    task = tasks_of(letter).get(kind="workflow.route_approve", status="open")
    step_decide(task_id=task.pk, user=world["sales_head"], decision="approve")
    letter = OutgoingLetter.objects.get(pk=letter.pk)
    assert letter.status == OutgoingStatus.REGISTERED
    return letter, files


def _send_by_email(client, world, letter, email="office@veter.example"):
    client.force_login(world["office"])
    return client.post(
        reverse("correspondence:outgoing-send", args=[letter.pk]),
        {"method": "email", "sent_on": timezone.localdate().isoformat(), "email": email},
    )


def _card(client, letter) -> str:
    return client.get(reverse("correspondence:outgoing-detail", args=[letter.pk])).content.decode()


def test_letter_goes_out_with_cyrillic_subject_and_attachments_after_the_request(
    client, world, smtp
):
    """GIVEN an approved letter with «Письмо о продлении №1.pdf» and «Смета — приложение.docx»
    WHEN the office sends it by email
    THEN the request only queues it (the server has nothing, the card says «в очереди»), the
    letter is «Отправлено»; the job then delivers one message whose Cyrillic subject and file
    names arrive intact with the exact bytes, under the Message-ID stored on the row, and the
    card says «отправлено <time>»; a reply's In-Reply-To finds the letter."""
    letter, files = _registered_letter(world)
    response = _send_by_email(client, world, letter)
    assert response.status_code == 302
    letter = OutgoingLetter.objects.get(pk=letter.pk)
    assert letter.status == OutgoingStatus.SENT and letter.email_sent_at is None
    assert smtp.handler.received == []
    html = _card(client, letter)
    assert 'data-status="pending"' in html and "в очереди" in html

    assert outbox_flush() >= 1
    carrying = [r for r in smtp.handler.received if r.rcpt_tos == ["office@veter.example"]]
    assert len(carrying) == 1
    received = carrying[0].message
    # Django folds a long encoded Subject right after the colon; the folding space is not text
    assert received["Subject"].strip() == f"{letter.reg_number} — {letter.subject}"
    attachments = {part.get_filename(): part.get_content() for part in received.iter_attachments()}
    assert attachments == {f.original_name: f.file.open("rb").read() for f in files}
    assert "Смета — приложение.docx" in attachments
    row = messages_for(letter).get()
    assert row.status == OutboxStatus.SENT and received["Message-ID"] == row.message_id
    assert row.message_id.endswith(f"@{settings.DEFAULT_FROM_EMAIL.split('@')[1].rstrip('>')}>")
    letter = OutgoingLetter.objects.get(pk=letter.pk)
    assert letter.email_sent_at == row.sent_at
    html = _card(client, letter)
    assert 'data-status="sent"' in html
    assert f"отправлено {timezone.localtime(row.sent_at):%d.%m.%Y %H:%M}" in html
    assert HistoryEntry.objects.filter(
        object_id=letter.pk, description__startswith="Почтовый сервер принял письмо"
    ).exists()
    assert message_by_message_id(row.message_id.strip("<>")).document == letter


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing(org, smtp):
    """GIVEN a transaction that writes a notification and a message, then fails
    THEN no row remains, no flush job was enqueued and the server receives nothing."""
    jobs = []

    def count(sender, task, **kwargs):
        jobs.append(task["func"])

    pre_enqueue.connect(count)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            notification_send(recipient=org["seller"], text="Новое задание")
            outbox_enqueue(to=["x@veter.example"], subject="Тема", body="Текст")
            raise RuntimeError("the business step failed")
    finally:
        pre_enqueue.disconnect(count)
    assert jobs == []
    assert not OutboxMessage.objects.exists() and not Notification.objects.exists()
    assert outbox_flush() == 0
    assert smtp.handler.received == []


def test_five_hundred_notifications_in_one_transaction_make_one_job(
    org, smtp, django_capture_on_commit_callbacks
):
    """GIVEN 500 notifications with email written in one transaction
    THEN one flush job is enqueued (not 500), and it delivers all 500 over one SMTP connection
    per batch; every notification's emailed_at is when the server accepted its message."""
    jobs = []

    def count(sender, task, **kwargs):
        jobs.append(task["func"])

    pre_enqueue.connect(count)
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            for i in range(500):
                notification_send(recipient=org["seller"], text=f"Уведомление {i}")
    finally:
        pre_enqueue.disconnect(count)
    assert jobs == [FLUSH_JOB]
    assert len(smtp.handler.received) == 500
    assert len(set(smtp.handler.message_ids())) == 500
    assert smtp.handler.connections == 500 // BATCH_SIZE
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    sent_at = dict(OutboxMessage.objects.values_list("document_id", "sent_at"))
    for notification in Notification.objects.all():
        assert notification.emailed_at == sent_at[notification.pk]


def _pending_messages(count: int) -> list[OutboxMessage]:
    """Rows as outbox_enqueue writes them, committed, without running the job (the test runs it
    in another process)."""
    return [
        OutboxMessage.objects.create(
            message_id=message_id_make(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[f"client{i}@veter.example"],
            subject=f"Письмо {i}",
            body="Текст",
            max_attempts=MAX_ATTEMPTS,
        )
        for i in range(count)
    ]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_job_killed_after_the_server_accepted_a_message_never_sends_it_twice(smtp):
    """GIVEN five queued messages and a worker process sending them
    WHEN the worker is killed (SIGKILL) while the server accepts the third message, before the
    worker could mark it sent
    THEN running the job again sends nothing at once (the claim is fresh); after the claim goes
    stale it sends the two never-tried messages, and leaves the interrupted one «ошибка» with a
    Russian explanation instead of sending it again: every Message-ID arrives exactly once."""
    rows = _pending_messages(5)
    script = textwrap.dedent(
        f"""
        import django
        django.setup()
        from django.test.utils import override_settings
        from outbox.jobs import outbox_flush
        with override_settings(**{smtp.django_settings()!r}):
            outbox_flush()
        """
    )
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "argo_docs.settings.test",
    }
    worker = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env)

    def kill_on_third(number: int) -> None:
        if number == 3:
            os.kill(worker.pid, signal.SIGKILL)
            time.sleep(0.2)  # the worker is gone before the server says 250

    smtp.handler.on_data = kill_on_third
    assert worker.wait(timeout=60) == -signal.SIGKILL
    smtp.handler.on_data = None
    assert len(smtp.handler.received) == 3  # the server kept the third one
    states = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert [states[r.pk] for r in rows] == ["sent", "sent", "sending", "sending", "sending"]

    assert outbox_flush() == 0  # a retry right away: the claim may still be alive
    with time_machine.travel(timezone.now() + STALE_AFTER + dt.timedelta(minutes=1)):
        assert outbox_flush() == 2
        assert outbox_flush() == 0
    ids = smtp.handler.message_ids()
    assert sorted(ids) == sorted(r.message_id for r in rows)  # each once
    interrupted = OutboxMessage.objects.get(pk=rows[2].pk)
    assert interrupted.status == OutboxStatus.FAILED
    assert "неизвестно, принял ли он письмо" in interrupted.last_error
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 4


def test_a_refusing_server_shows_a_russian_error_on_the_card_and_a_retry_succeeds(
    client, world, smtp
):
    """GIVEN a server that refuses the message with 550 5.7.1
    WHEN the office sends a letter by email and the job runs
    THEN the message is «ошибка» at once (5xx is final), the card shows the reason in Russian
    with the server's words and a retry form, the office is notified; after the server is
    fixed, «Отправить повторно» delivers the same Message-ID once."""
    letter, _files = _registered_letter(world)
    _send_by_email(client, world, letter)
    smtp.handler.refuse = "550 5.7.1 Message rejected as spam"
    outbox_flush()
    row = messages_for(letter).get()
    assert row.status == OutboxStatus.FAILED and row.attempts == 1
    assert row.last_error == (
        "Почтовый сервер отклонил письмо: отказано правилами сервера (доступ или фильтр спама). "
        "Ответ сервера: «550 5.7.1 Message rejected as spam»."
    )
    html = _card(client, letter)
    assert 'data-status="failed"' in html and "отказано правилами сервера" in html
    assert 'data-testid="email-retry-form"' in html
    assert Notification.objects.filter(
        recipient=world["office"], text__startswith=f"Письмо {letter.reg_number} не ушло"
    ).exists()

    smtp.handler.refuse = None
    response = client.post(
        reverse("correspondence:outgoing-email-retry", args=[letter.pk]),
        {"to": "office@veter.example"},
    )
    assert response.status_code == 302
    outbox_flush()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert [r.message_id for r in smtp.handler.received if r.rcpt_tos == row.to] == [row.message_id]
    html = _card(client, letter)
    assert 'data-status="sent"' in html and 'data-testid="email-retry-form"' not in html


def test_retry_is_for_the_secretary_and_the_sender_only(client, world, smtp):
    """GIVEN a failed message of a letter WHEN its author (who sees the card) asks to retry
    THEN it is refused with a message and nothing is queued; the form is not even shown."""
    letter, _files = _registered_letter(world)
    _send_by_email(client, world, letter)
    smtp.handler.refuse = "550 5.1.1 User unknown"
    outbox_flush()
    client.force_login(world["seller"])
    assert 'data-testid="email-retry-form"' not in _card(client, letter)
    client.post(reverse("correspondence:outgoing-email-retry", args=[letter.pk]), {"to": ""})
    assert messages_for(letter).get().status == OutboxStatus.FAILED
    client.force_login(world["outsider"])
    response = client.post(reverse("correspondence:outgoing-email-retry", args=[letter.pk]))
    assert response.status_code == 404


def test_temporary_failures_back_off_then_give_up_after_the_last_attempt(org, settings):
    """GIVEN no mail server listening
    THEN each run records a Russian reason and waits longer (1, 5, 15, 60, 180 minutes), the
    message stays «ожидает» until its last attempt, then becomes «ошибка»."""
    from tests.mailserver import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    message = outbox_enqueue(to="client@veter.example", subject="Тема", body="Текст")
    waits = []
    moment = timezone.now()
    for _attempt in range(MAX_ATTEMPTS):
        with time_machine.travel(moment, tick=False):
            outbox_flush()
        message.refresh_from_db()
        waits.append(round((message.next_attempt_at - moment).total_seconds() / 60))
        moment = message.next_attempt_at
    assert message.status == OutboxStatus.FAILED and message.attempts == MAX_ATTEMPTS
    assert waits == [1, 5, 15, 60, 180, 0]
    assert "не принимает соединения" in message.last_error


def test_recipient_refused_names_the_address_in_russian(org, smtp):
    """A 550 5.1.1 on RCPT names the address and says there is no such mailbox."""

    async def refuse_rcpt(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 <nobody@veter.example>: Recipient address rejected: User unknown"

    smtp.handler.handle_RCPT = refuse_rcpt
    message = outbox_enqueue(to="nobody@veter.example", subject="Тема", body="Текст")
    outbox_flush()
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.last_error.startswith(
        "Почтовый сервер отклонил адрес nobody@veter.example: нет такого почтового ящика."
    )
