"""What a secretary sees when the mail server refuses a letter, and what a registrar sees when
a form with files is refused: in a real Chromium at 1366 px and 375 px."""

import pytest
from django.test import override_settings

from argo_docs.demo import DEMO_PASSWORD, load_demo
from correspondence.models import IncomingLetter, OutgoingLetter, OutgoingStatus
from correspondence.services import outgoing as services
from correspondence.services.incoming import KIND_EXECUTE, REPLY_NEEDED, execute_complete
from outbox.jobs import outbox_flush
from outbox.models import OutboxStatus
from outbox.selectors import messages_for
from storage.models import StagedFile
from storage.testing import EXE_BYTES, pdf_bytes
from workflow.routes.services import step_decide
from workflow.selectors import tasks_of

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        load_demo()


@pytest.fixture
def approved_reply(demo):
    """manager1's reply to the tenant's letter, approved up the chain and waiting to be sent."""
    incoming = IncomingLetter.objects.get(subject="Просьба продлить договор аренды офиса 305")
    task = tasks_of(incoming).get(kind=KIND_EXECUTE, status="open")
    execute_complete(
        task_id=task.pk,
        user=task.assignee,
        data={"decision": REPLY_NEEDED, "reply_text": "Согласны продлить.", "reply_files": []},
    )
    letter = OutgoingLetter.objects.get(in_reply_to=incoming)
    services.outgoing_submit(letter_id=letter.pk, user=letter.author)
    while (letter := OutgoingLetter.objects.get(pk=letter.pk)).status == OutgoingStatus.APPROVAL:
        step = tasks_of(letter).get(kind="workflow.route_approve", status="open")
        step_decide(task_id=step.pk, user=step.assignee, decision="approve")
    return letter


def _log_in(page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/tasks/")


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_refused_email_shows_on_the_card_and_is_sent_again(
    browser, live_server, approved_reply, smtp, screenshot
):
    """GIVEN a mail server that refuses the address (550 5.1.1)
    WHEN the office sends the approved letter by email
    THEN the card says «ошибка» with the Russian reason and offers to send again with a
    corrected address; after correcting it the card says «отправлено»."""
    smtp.handler.refuse = "550 5.1.1 <office@severny-veter.example>: User unknown"
    context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    base = live_server.url
    card_url = f"{base}{approved_reply.get_absolute_url()}"
    _log_in(page, base, "office")
    page.goto(card_url)
    page.get_by_test_id("send-submit").click()
    page.wait_for_url(card_url)
    delivery = page.get_by_test_id("email-delivery")
    assert delivery.get_attribute("data-status") == "failed"
    assert "нет такого почтового ящика" in page.get_by_test_id("email-error").inner_text()
    page.get_by_test_id("email-delivery").scroll_into_view_if_needed()
    screenshot(page, "outgoing-email-failed-desktop")

    phone = browser.new_context(locale="ru-RU", viewport={"width": 375, "height": 800})
    mobile = phone.new_page()
    _log_in(mobile, base, "office")
    mobile.goto(card_url)
    _no_sideways_scroll(mobile, 375)
    screenshot(mobile, "outgoing-email-failed-phone")
    phone.close()

    smtp.handler.refuse = None
    page.get_by_label("Адрес получателя").fill("director@severny-veter.example")
    page.get_by_test_id("email-retry").click()
    page.wait_for_url(card_url)
    assert page.get_by_test_id("email-delivery").get_attribute("data-status") == "sent"
    screenshot(page, "outgoing-email-sent-desktop")
    message = messages_for(approved_reply).get()
    assert message.status == OutboxStatus.SENT
    assert [r.rcpt_tos for r in smtp.handler.received if r.message_id == message.message_id] == [
        ["director@severny-veter.example"]
    ]
    assert outbox_flush() == 0
    context.close()


def test_a_refused_registration_keeps_the_good_scan_for_the_retry(
    browser, live_server, demo, tmp_path, screenshot
):
    """GIVEN the registration form with a PDF and an .exe disguised as a PDF, no subject
    THEN the form names the fake, lists the good scan as already chosen; WHEN the subject is
    added and the form sent again without picking files THEN the letter has that scan."""
    good = tmp_path / "Скан письма.pdf"
    good.write_bytes(pdf_bytes("Scan"))
    fake = tmp_path / "счёт.pdf"
    fake.write_bytes(EXE_BYTES)
    base = live_server.url
    for width in (1366, 375):
        context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": 900})
        page = context.new_page()
        _log_in(page, base, "office")
        page.goto(f"{base}/letters/incoming/new/")
        page.get_by_label("Адресат (наше юрлицо)").select_option(label="ООО «Арго Офис»")
        page.get_by_test_id("counterparty-search").fill("МЧС")
        page.get_by_test_id("counterparty-results").get_by_role("button").first.click()
        page.get_by_test_id("counterparty-chosen").wait_for()
        page.get_by_label("Контрольный срок").fill("2099-12-31")
        page.get_by_label("Файлы (сканы)").set_input_files([str(good), str(fake)])
        page.get_by_role("button", name="Зарегистрировать", exact=True).click()
        page.wait_for_load_state()
        assert "счёт.pdf" in page.content() and "не принят" in page.content()
        staged = page.get_by_test_id("staged-files")
        assert "Скан письма.pdf" in staged.inner_text()
        page.get_by_test_id("staged-files").scroll_into_view_if_needed()
        if width == 375:
            _no_sideways_scroll(page, 375)
        screenshot(page, f"incoming-form-kept-files-{'phone' if width == 375 else 'desktop'}")
        page.get_by_label("Тема").fill(f"Предписание ({width})")
        page.get_by_role("button", name="Зарегистрировать", exact=True).click()
        page.wait_for_url("**/letters/incoming/*/")
        assert "Скан письма.pdf" in page.get_by_test_id("letter-files").inner_text()
        context.close()
    assert not StagedFile.objects.exists()
