"""«Входящая почта»: the queue, the prefilled registration from a message, «Не корреспонденция»,
the 30-day purge, permissions, the navigation counter and the query budget."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from correspondence.models import IncomingLetter, LetterFile, OutgoingLetter
from correspondence.services.mail import mail_item_register, mail_matches
from correspondence.testing import build_world, control_in, register
from intake.models import IntakeItem, ItemStatus, Mailbox
from intake.services import dismissed_items_purge, item_dismiss, item_store
from intake.testing import letter
from storage.models import StoredFile
from storage.testing import pdf_bytes
from workflow.models import HistoryEntry

_uids = itertools.count(1)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(org, media):
    return build_world(org)


@pytest.fixture
def mailbox(world):
    return Mailbox.objects.create(
        name="Канцелярия",
        host="imap.example.ru",
        username="office@argo.test",
        password_env="ARGO_TEST_UNUSED",
        default_legal_entity=world["entity"],
    )


def deliver(mailbox, raw: bytes) -> IntakeItem:
    item, outcome = item_store(mailbox=mailbox, uid_validity=1, uid=next(_uids), raw=raw)
    assert outcome == "created"
    return item


def tenant_letter(world, mailbox, **kwargs) -> IntakeItem:
    world["tenant"].email = "info@severny-veter.ru"
    world["tenant"].save(update_fields=["email"])
    return deliver(
        mailbox,
        letter(
            subject=kwargs.pop("subject", "Fwd: Претензия № 77-12/2026 от 30.11.2026"),
            sender="Бухгалтерия <INFO@severny-veter.ru>",
            files=kwargs.pop(
                "files", [("Претензия по оплате.pdf", pdf_bytes("claim"), "application/pdf")]
            ),
            **kwargs,
        ),
    )


def post_register(client, item, data):
    response = client.post(reverse("correspondence:mail-item", args=[item.pk]), data)
    errors = response.context["form"].errors if response.status_code == 200 else None
    assert response.status_code == 302, errors
    return response


def _register_data(world, item, **overrides) -> dict:
    stored = [a for a in item.attachments.all() if a.stored_file_id]
    data = {
        "legal_entity": world["entity"].pk,
        "counterparty": world["tenant"].pk,
        "subject": "Претензия",
        "summary": "",
        "received_on": timezone.localdate().isoformat(),
        "control_date": control_in(5).isoformat(),
        "responsible": world["seller"].pk,
        # as the form proposes: the documents, or the message text when there are none
        "mail_files": [a.stored_file_id for a in stored if not a.is_body]
        or [a.stored_file_id for a in stored],
    }
    data.update(overrides)
    return data


# --- permissions ---------------------------------------------------------------------------------


def test_anonymous_outsider_and_registrar(client, world, mailbox):
    """GIVEN a message in the queue WHEN the anonymous, an employee without the registrar role
    and the office manager open the queue and the message
    THEN login, 403 / 404 (the message is not revealed), and the pages."""
    item = tenant_letter(world, mailbox)
    queue = reverse("correspondence:mail-queue")
    page = reverse("correspondence:mail-item", args=[item.pk])
    for url in (queue, page):
        assert client.get(url).status_code == 302
    client.force_login(world["outsider"])
    assert client.get(queue).status_code == 403
    assert client.get(page).status_code == 404
    for action in ("mail-item-dismiss", "mail-item-restore"):
        assert client.post(reverse(f"correspondence:{action}", args=[item.pk])).status_code == 404
    file_id = item.attachments.exclude(stored_file=None).first().stored_file_id
    assert client.get(reverse("storage:download", args=[file_id])).status_code == 404
    client.force_login(world["office"])
    assert client.get(queue).status_code == 200
    assert client.get(page).status_code == 200
    assert client.get(reverse("storage:download", args=[file_id])).status_code == 200


# --- the queue -----------------------------------------------------------------------------------


def test_queue_lists_new_messages_with_their_guesses(client, world, mailbox):
    item = tenant_letter(world, mailbox)
    hostile = deliver(
        mailbox,
        letter(
            subject="Счёт", files=[("Счёт.pdf", b"MZ\x90\x00" + b"\x00" * 64, "application/pdf")]
        ),
    )
    client.force_login(world["office"])
    page = client.get(reverse("correspondence:mail-queue")).content.decode()
    assert item.subject in page and hostile.subject in page
    assert "ООО «Северный ветер»" in page  # the counterparty guessed from the address
    assert "1 файл не принят" in page
    assert 'data-testid="nav-mail-count">2<' in page


def test_queue_runs_a_constant_number_of_queries(
    client, world, mailbox, django_assert_max_num_queries
):
    """GIVEN 3, then 25 messages from known and unknown senders WHEN the queue is opened
    THEN the number of queries does not grow with the messages."""
    for n in range(3):
        tenant_letter(world, mailbox, subject=f"Re: Исх-{n} письмо")
    client.force_login(world["office"])
    url = reverse("correspondence:mail-queue")
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    for n in range(22):
        deliver(mailbox, letter(subject=f"Письмо {n}", sender=f"x{n}@firm{n}.ru"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_failing_mailbox_is_shown_on_the_queue(client, world, mailbox):
    from intake.services import mailbox_failure_record

    mailbox_failure_record(mailbox_id=mailbox.pk, error="Сервер отклонил логин или пароль.")
    client.force_login(world["office"])
    page = client.get(reverse("correspondence:mail-queue")).content.decode()
    assert "Ящик «Канцелярия» не читается" in page
    assert "Сервер отклонил логин или пароль." in page
    assert "Письма остаются на сервере" in page


def test_navigation_counter_is_capped(client, world, mailbox, django_assert_max_num_queries):
    for n in range(101):
        IntakeItem.objects.create(
            mailbox=mailbox, uid_validity=1, uid=10_000 + n, message_id=f"m{n}"
        )
    client.force_login(world["office"])
    page = client.get(reverse("workflow:inbox")).content.decode()
    assert 'data-testid="nav-mail-count">99+<' in page
    queue = client.get(reverse("correspondence:mail-queue")).content.decode()
    assert 'data-testid="mail-new-count">99+<' in queue
    client.force_login(world["seller"])
    assert "nav-mail-count" not in client.get(reverse("workflow:inbox")).content.decode()


# --- registering from a message ------------------------------------------------------------------


def test_the_form_is_prefilled_from_the_message(client, world, mailbox):
    item = tenant_letter(world, mailbox)
    client.force_login(world["office"])
    response = client.get(reverse("correspondence:mail-item", args=[item.pk]))
    form = response.context["form"]
    assert form.initial["subject"] == "Претензия № 77-12/2026 от 30.11.2026"
    assert form.initial["sender_number"] == "77-12/2026"
    assert form.initial["sender_date"] == dt.date(2026, 11, 30) or timezone.localdate() < dt.date(
        2026, 11, 30
    )
    assert form.initial["legal_entity"] == world["entity"].pk
    assert response.context["counterparty"] == world["tenant"]
    page = response.content.decode()
    assert "Претензия по оплате.pdf" in page and 'name="mail_files"' in page
    assert "адрес отправителя в CRM" in page


def test_registering_attaches_the_message_files_and_links_the_item(client, world, mailbox):
    """GIVEN a message with a PDF WHEN the office manager picks the route fields and registers
    THEN the letter has the PDF, the message leaves the queue linked to the letter, and the
    letter's history says it came by email."""
    item = tenant_letter(world, mailbox)
    client.force_login(world["office"])
    response = client.post(
        reverse("correspondence:mail-item", args=[item.pk]), _register_data(world, item)
    )
    assert response.status_code == 302 and response.url == reverse("correspondence:mail-queue")
    letter_ = IncomingLetter.objects.get()
    names = [f.stored_file.original_name for f in LetterFile.objects.filter(incoming=letter_)]
    assert names == ["Претензия по оплате.pdf"]
    item = IntakeItem.objects.get(pk=item.pk)
    assert item.status == ItemStatus.REGISTERED and item.document == letter_
    assert HistoryEntry.objects.filter(
        object_id=letter_.pk, description__startswith="Поступило по электронной почте"
    ).exists()
    queue = client.get(reverse("correspondence:mail-queue")).content.decode()
    assert item.subject not in queue
    done = client.get(reverse("correspondence:mail-item", args=[item.pk])).content.decode()
    assert letter_.reg_number in done


def test_a_message_without_files_registers_its_own_text(client, world, mailbox):
    item = deliver(
        mailbox,
        letter(subject="Просьба", body="Просим продлить договор.", sender="a@severny-veter.ru"),
    )
    body_file = item.attachments.get(is_body=True)
    client.force_login(world["office"])
    form = client.get(reverse("correspondence:mail-item", args=[item.pk])).context["form"]
    assert form.initial["mail_files"] == [body_file.stored_file_id]
    client.post(
        reverse("correspondence:mail-item", args=[item.pk]),
        _register_data(world, item, mail_files=[body_file.stored_file_id]),
    )
    stored = LetterFile.objects.get(incoming=IncomingLetter.objects.get()).stored_file
    assert stored.original_name == "Текст письма.txt"
    with stored.file.open("rb") as handle:
        assert "Просим продлить договор." in handle.read().decode("utf-8")


def test_unticked_files_stay_out_and_a_refused_form_keeps_everything(client, world, mailbox):
    item = tenant_letter(
        world,
        mailbox,
        files=[
            ("Претензия.pdf", pdf_bytes("a"), "application/pdf"),
            ("Реклама.pdf", pdf_bytes("b"), "application/pdf"),
        ],
    )
    claim, advert = item.attachments.filter(is_body=False).order_by("position")
    client.force_login(world["office"])
    url = reverse("correspondence:mail-item", args=[item.pk])
    refused = client.post(
        url, _register_data(world, item, control_date="", mail_files=[claim.stored_file_id])
    )
    assert refused.status_code == 200 and not IncomingLetter.objects.exists()
    page = refused.content.decode()
    assert f'value="{claim.stored_file_id}" id="mail_file_{claim.pk}" checked' in page
    assert f'value="{advert.stored_file_id}" id="mail_file_{advert.pk}">' in page
    client.post(url, _register_data(world, item, mail_files=[claim.stored_file_id]))
    files = LetterFile.objects.filter(incoming=IncomingLetter.objects.get())
    assert [f.stored_file_id for f in files] == [claim.stored_file_id]


def test_a_file_of_another_message_cannot_be_smuggled_in(client, world, mailbox):
    """GIVEN two messages WHEN the form of one is posted with the other's file id, or the
    service is called with it THEN the file is refused or ignored, never attached."""
    item = tenant_letter(world, mailbox)
    other = tenant_letter(world, mailbox, subject="Другое")
    foreign = other.attachments.get(is_body=False).stored_file_id
    client.force_login(world["office"])
    url = reverse("correspondence:mail-item", args=[item.pk])
    response = client.post(url, _register_data(world, item, mail_files=[foreign]))
    assert response.status_code == 200 and "mail_files" in response.context["form"].errors
    assert not IncomingLetter.objects.exists()
    own = item.attachments.get(is_body=False).stored_file_id
    letter_ = mail_item_register(
        item_id=item.pk,
        user=world["office"],
        mail_file_ids=[own, foreign],
        legal_entity=world["entity"],
        counterparty=world["tenant"],
        subject="Претензия",
        received_on=timezone.localdate(),
        control_date=control_in(5),
    )
    attached = set(
        LetterFile.objects.filter(incoming=letter_).values_list("stored_file_id", flat=True)
    )
    assert attached == {own}


def test_a_reply_to_our_letter_is_proposed_as_its_answer(client, world, mailbox):
    first = register(world["office"], entity=world["entity"], counterparty=world["tenant"])
    ours = OutgoingLetter.objects.create(
        legal_entity=world["entity"],
        counterparty=world["tenant"],
        subject="О продлении",
        author=world["seller"],
        executor=world["seller"],
        thread=first.thread,
        reg_number="Исх-0007/БЦ/2026",
        sent_on=timezone.localdate(),  # only letters sent to the counterparty may be answered
    )
    item = deliver(
        mailbox,
        letter(subject="RE: Исх-0007/БЦ/2026 — О продлении", sender="someone@gmail.com"),
    )
    client.force_login(world["office"])
    form = client.get(reverse("correspondence:mail-item", args=[item.pk])).context["form"]
    assert form.initial["answers_outgoing"] == ours.pk
    assert form.initial["counterparty"] == world["tenant"].pk
    post_register(client, item, _register_data(world, item, answers_outgoing=ours.pk))
    answer = IncomingLetter.objects.exclude(pk=first.pk).get()
    assert answer.answers_outgoing == ours and answer.thread == first.thread


def test_two_people_registering_one_message_make_one_letter(transactional_db, world, mailbox):
    """GIVEN one message WHEN two office managers register it at the same moment from two tabs
    THEN one letter is registered and the other is told the message is already registered."""
    from correspondence.forms_mail import MailRegisterForm

    item = tenant_letter(world, mailbox)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt() -> None:
        try:
            fresh = IntakeItem.objects.prefetch_related("attachments").get(pk=item.pk)
            match = mail_matches([fresh])[fresh.pk]
            data = QueryDict(mutable=True)
            for key, value in _register_data(world, fresh).items():
                data.setlist(key, value if isinstance(value, list) else [value])
            form = MailRegisterForm(data, user=world["office"], item=fresh, match=match)
            assert form.is_valid(), form.errors
            barrier.wait(timeout=10)
            try:
                mail_item_register(item_id=item.pk, user=world["office"], **form.service_kwargs())
                outcomes.append("registered")
            except Exception as refused:  # noqa: BLE001 - the refusal is the outcome we check
                outcomes.append(str(refused))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["registered", "Это письмо уже зарегистрировано."]
    assert IncomingLetter.objects.count() == 1
    assert LetterFile.objects.count() == 1


# --- not correspondence --------------------------------------------------------------------------


def test_not_correspondence_hides_keeps_and_restores(client, world, mailbox):
    item = deliver(mailbox, letter(subject="Скидки на канцтовары", sender="promo@shop.ru"))
    client.force_login(world["office"])
    response = client.post(reverse("correspondence:mail-item-dismiss", args=[item.pk]))
    assert response.status_code == 302
    queue = reverse("correspondence:mail-queue")
    assert 'data-testid="mail-row"' not in client.get(queue).content.decode()
    hidden = client.get(queue, {"tab": "dismissed"}).content.decode()
    assert "Скидки на канцтовары" in hidden and "удалится" in hidden
    client.post(reverse("correspondence:mail-item-restore", args=[item.pk]))
    assert "Скидки на канцтовары" in client.get(queue).content.decode()


def test_dismissed_messages_are_purged_after_30_days_with_their_files(
    world, mailbox, django_capture_on_commit_callbacks
):
    old = deliver(
        mailbox, letter(subject="Старая реклама", files=[("a.pdf", pdf_bytes(), "application/pdf")])
    )
    recent = deliver(mailbox, letter(subject="Свежая реклама"))
    kept = tenant_letter(world, mailbox)
    for item in (old, recent):
        item_dismiss(item_id=item.pk, user=world["office"])
    IntakeItem.objects.filter(pk=old.pk).update(decided_at=timezone.now() - dt.timedelta(days=31))
    old_files = list(old.attachments.values_list("stored_file_id", flat=True))
    paths = [f.file.path for f in StoredFile.objects.filter(pk__in=old_files)]
    with django_capture_on_commit_callbacks(execute=True):
        assert dismissed_items_purge() == 1
    assert not IntakeItem.objects.filter(pk=old.pk).exists()
    assert not StoredFile.objects.filter(pk__in=old_files).exists()
    assert IntakeItem.objects.filter(pk__in=[recent.pk, kept.pk]).count() == 2
    import os

    assert paths and not any(os.path.exists(p) for p in paths)


def test_a_scan_added_by_hand_survives_a_refused_form(client, world, mailbox):
    """GIVEN a message WHEN the manager adds a scan of her own but forgets the control date
    THEN the refused form keeps the scan (staged), and the next submission registers the
    letter with the message's file and the scan."""
    from correspondence.testing import pdf_upload

    item = tenant_letter(world, mailbox)
    client.force_login(world["office"])
    url = reverse("correspondence:mail-item", args=[item.pk])
    refused = client.post(
        url, {**_register_data(world, item, control_date=""), "files": [pdf_upload("скан.pdf")]}
    )
    assert refused.status_code == 200
    token = refused.context["form"].fields["files_staged"].widget.token
    assert token and "скан.pdf" in refused.content.decode()
    post_register(client, item, {**_register_data(world, item), "files_staged": token})
    names = sorted(
        f.stored_file.original_name
        for f in LetterFile.objects.filter(incoming=IncomingLetter.objects.get())
    )
    assert names == ["Претензия по оплате.pdf", "скан.pdf"]


def test_refused_files_are_counted_in_proper_russian(client, world, mailbox):
    bad = b"MZ\x90\x00" + b"\x00" * 64
    deliver(
        mailbox,
        letter(
            subject="Вирусы",
            files=[(f"файл{n}.pdf", bad + bytes([n]), "application/pdf") for n in range(2)],
        ),
    )
    client.force_login(world["office"])
    page = client.get(reverse("correspondence:mail-queue")).content.decode()
    assert "2 файла не принято" in page
