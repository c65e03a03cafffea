"""A reply letter through a two-level approval chain with one return, then sending by email,
in a real Chromium at desktop and phone widths."""

import pytest
from django.core import mail
from django.test import override_settings

from argo_docs.demo import DEMO_PASSWORD, load_demo
from correspondence.models import IncomingLetter, IncomingStatus, OutgoingLetter, OutgoingStatus
from correspondence.services.incoming import KIND_EXECUTE, REPLY_NEEDED, execute_complete
from workflow.selectors import tasks_of

pytestmark = pytest.mark.browser


@pytest.fixture
def reply(transactional_db):
    """The demo organisation, and manager1's decision «нужен ответ» on the tenant's letter."""
    with override_settings(DEBUG=True):
        load_demo()
    incoming = IncomingLetter.objects.get(subject="Просьба продлить договор аренды офиса 305")
    task = tasks_of(incoming).get(kind=KIND_EXECUTE, status="open")
    execute_complete(
        task_id=task.pk,
        user=task.assignee,
        data={
            "decision": REPLY_NEEDED,
            "reply_text": "Согласны продлить договор на прежних условиях.",
            "reply_files": [],
        },
    )
    return OutgoingLetter.objects.get(in_reply_to=incoming)


def _log_in(page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/tasks/")


def _decide(page, base: str, username: str, decision: str, comment: str = "", shot=None) -> None:
    _log_in(page, base, username)
    page.get_by_test_id("task-row").filter(has_text="Ответ на вх.").first.click()
    page.wait_for_url("**/tasks/*/")
    page.get_by_label(decision).check()
    if comment:
        page.get_by_label("Комментарий").fill(comment)
    if shot:
        shot(page, "outgoing-approval-task")
    page.get_by_role("button", name="Отправить решение").click()
    page.wait_for_url("**/tasks/")


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_reply_goes_through_two_levels_with_one_return_then_is_sent(
    browser, live_server, reply, screenshot
):
    """GIVEN manager1's reply draft (chain: director, then the general director)
    WHEN manager1 submits it, the director approves, the general director returns it with a
    comment, manager1 edits and resubmits, both approve, and the office sends it by email
    THEN the card shows the number, both rounds of the approval sheet with the return comment,
    the sent message, and the incoming letter is «Исполнено»."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = live_server.url
    card_url = f"{base}{reply.get_absolute_url()}"

    _log_in(page, base, "manager1")
    page.goto(card_url)
    page.get_by_test_id("outgoing-submit").click()
    page.wait_for_url(card_url)
    assert page.get_by_test_id("outgoing-status").inner_text() == "На согласовании"

    _decide(page, base, "director", "Согласовать")
    _decide(page, base, "gendir", "Вернуть на доработку", "Укажите срок продления", screenshot)

    _log_in(page, base, "manager1")
    page.get_by_test_id("task-row").filter(has_text="Доработать:").first.click()
    page.wait_for_url("**/tasks/*/")
    assert "Укажите срок продления" in page.content()
    page.goto(card_url)
    assert "Укажите срок продления" in page.get_by_test_id("route").inner_text()
    page.get_by_test_id("outgoing-edit").click()
    page.get_by_label("Текст письма").fill("Согласны продлить договор на 11 месяцев.")
    page.get_by_test_id("outgoing-save").click()
    page.wait_for_url(card_url)
    page.get_by_test_id("revision-note-input").fill("Указал срок: 11 месяцев.")
    page.get_by_test_id("outgoing-submit").click()
    page.wait_for_url(card_url)

    _decide(page, base, "director", "Согласовать")
    _decide(page, base, "gendir", "Согласовать", "Согласовано")

    _log_in(page, base, "office")
    page.goto(card_url)
    assert page.get_by_label("Эл. почта получателя").input_value() == (
        "office@severny-veter.example"
    )
    page.get_by_test_id("send-submit").click()
    page.wait_for_url(card_url)
    assert page.get_by_test_id("outgoing-status").inner_text() == "Отправлено"
    delivery = page.get_by_test_id("email-delivery")
    assert "office@severny-veter.example" in delivery.inner_text()
    assert delivery.get_attribute("data-status") == "sent"  # the job ran after the commit
    route = page.get_by_test_id("route").inner_text()
    assert "круг 2" in route and "Круг 1: Возвращён на доработку" in route
    screenshot(page, "outgoing-card-desktop")

    letter = OutgoingLetter.objects.get(pk=reply.pk)
    assert letter.status == OutgoingStatus.SENT and letter.reg_number
    assert letter.text == "Согласны продлить договор на 11 месяцев."
    assert IncomingLetter.objects.get(pk=reply.in_reply_to_id).status == IncomingStatus.DONE
    assert any(m.to == ["office@severny-veter.example"] for m in mail.outbox)

    page.goto(f"{base}/letters/outgoing/")
    screenshot(page, "outgoing-register-desktop")

    phone = browser.new_context(locale="ru-RU", viewport={"width": 375, "height": 800})
    mobile = phone.new_page()
    _log_in(mobile, base, "manager1")
    mobile.goto(card_url)
    _no_sideways_scroll(mobile, 375)
    screenshot(mobile, "outgoing-card-phone")
    mobile.goto(f"{base}/letters/outgoing/")
    _no_sideways_scroll(mobile, 375)
    screenshot(mobile, "outgoing-register-phone")
    mobile.goto(f"{base}/letters/outgoing/new/")
    _no_sideways_scroll(mobile, 375)
    screenshot(mobile, "outgoing-form-phone")
    phone.close()
    context.close()
