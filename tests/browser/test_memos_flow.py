"""A memo from writing to execution in a real Chromium: an employee writes and submits it at
1366 px, the head approves on a phone at 375 px, the general director resolves at 1366 px,
the executor reports on a phone; screenshots of every page along the way."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from argo_docs.demo import DEMO_PASSWORD, load_demo
from memos.models import Memo, MemoStatus
from storage.testing import pdf_bytes

pytestmark = pytest.mark.browser
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 375, "height": 812}


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        load_demo()


def _page(browser, viewport):
    return browser.new_context(locale="ru-RU", viewport=viewport).new_page()


def _log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/tasks/")


def _no_sideways_scroll(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _open_task(page, text: str) -> None:
    page.get_by_test_id("task-row").filter(has_text=text).first.click()
    page.wait_for_url("**/tasks/*/")


def test_a_memo_from_writing_to_execution(browser, live_server, demo, screenshot, tmp_path):
    base = live_server.url
    desk, phone = _page(browser, DESKTOP), _page(browser, PHONE)

    # manager2 writes to the general director (chain: the business-centre director) and sends
    _log_in(desk, base, "manager2")
    desk.get_by_role("link", name="Записки").click()
    desk.get_by_test_id("memo-new").click()
    desk.get_by_label("Кому").select_option(label="Волков Сергей — Генеральный директор")
    desk.get_by_label("Тема").fill("О ремонте кондиционера в переговорной 2")
    desk.get_by_label("Текст").fill("Кондиционер не охлаждает. Прошу поручить ремонт до жары.")
    desk.get_by_label("Ознакомить").select_option(label="Иванова Ольга — Офис-менеджер")
    scan = tmp_path / "smeta.pdf"
    scan.write_bytes(pdf_bytes("smeta"))
    desk.get_by_label("Файлы").set_input_files(str(scan))
    screenshot(desk, "memo-form-desktop")
    desk.get_by_test_id("memo-save").click()
    desk.get_by_test_id("memo-submit").click()
    assert desk.get_by_test_id("memo-status").inner_text() == "На согласовании"
    number = desk.get_by_test_id("memo-number").inner_text()
    assert number.startswith("СЗ-") and "smeta.pdf" in desk.get_by_test_id("files").inner_text()
    assert "Анна Смирнова" in desk.get_by_test_id("route-waiting").inner_text()
    screenshot(desk, "memo-card-submitted-desktop")

    # the director approves on a phone
    _log_in(phone, base, "director")
    _open_task(phone, number)
    phone.get_by_label("Согласовать").check()
    screenshot(phone, "memo-approval-task-phone")
    _no_sideways_scroll(phone)
    phone.get_by_role("button", name="Отправить решение").click()
    phone.wait_for_url("**/tasks/")

    # the general director resolves on the desktop: two executors with deadlines
    _log_in(desk, base, "gendir")
    _open_task(desk, number)
    desk.get_by_label("Утвердить и дать резолюцию").check()
    desk.get_by_label("Резолюция").fill("Согласен. Вызвать сервис, счёт — в бухгалтерию.")
    due = timezone.localdate() + dt.timedelta(days=3)
    desk.get_by_label("Исполнитель 1", exact=True).select_option(
        label="Петров Алексей — Менеджер по аренде"
    )
    desk.get_by_label("Срок исполнителя 1").fill(due.isoformat())
    desk.get_by_label("Исполнитель 2", exact=True).select_option(
        label="Белова Марина — Главный бухгалтер"
    )
    desk.get_by_label("Срок исполнителя 2").fill((due + dt.timedelta(days=2)).isoformat())
    screenshot(desk, "memo-decision-desktop")
    desk.get_by_role("button", name="Принять решение").click()
    desk.wait_for_url("**/tasks/")
    assert "Служебная записка утверждена." in desk.content()
    memo = Memo.objects.get(number=number)
    desk.goto(f"{base}{memo.get_absolute_url()}")
    assert desk.get_by_test_id("memo-status").inner_text() == "На исполнении"
    assert "Согласен. Вызвать сервис" in desk.get_by_test_id("memo-resolution").inner_text()
    screenshot(desk, "memo-card-execution-desktop")

    # both executors report; the memo is «Исполнено», the office manager still has to read it
    for who in ("manager1", "accountant"):
        _log_in(phone, base, who)
        _open_task(phone, number)
        phone.get_by_label("Комментарий").fill("Сделано.")
        if who == "manager1":
            screenshot(phone, "memo-execution-task-phone")
        phone.get_by_role("button", name="Отправить отчёт").click()
        phone.wait_for_url("**/tasks/")
    assert Memo.objects.get(pk=memo.pk).status == MemoStatus.EXECUTED
    _log_in(phone, base, "manager2")
    phone.goto(f"{base}{memo.get_absolute_url()}")
    assert phone.get_by_test_id("memo-status").inner_text() == "Исполнено"
    assert "Ольга Иванова" in phone.get_by_test_id("route-waiting").inner_text()
    _no_sideways_scroll(phone)
    screenshot(phone, "memo-card-executed-phone")
    phone.goto(f"{base}/memos/")
    _no_sideways_scroll(phone)
    screenshot(phone, "memo-register-phone")

    _log_in(desk, base, "gendir")
    desk.goto(f"{base}/memos/")
    assert desk.get_by_test_id("register-row").count() == 6  # the demo five and this one
    screenshot(desk, "memo-register-desktop")
    desk.goto(f"{base}{memo.get_absolute_url()}?history=all#history")
    screenshot(desk, "memo-card-executed-desktop")

    # the demo's declined memo at the general director's desk, the returned one on its author's
    # phone (resubmitted with «что исправлено»)
    declined = Memo.objects.get(status=MemoStatus.DECLINED)
    desk.goto(f"{base}{declined.get_absolute_url()}")
    assert "Отклонена. Причина:" in desk.get_by_test_id("memo-resolution").inner_text()
    screenshot(desk, "memo-card-declined-desktop")
    returned = Memo.objects.get(status=MemoStatus.RETURNED)
    phone.goto(f"{base}{returned.get_absolute_url()}")
    assert "Укажите, с какой даты" in phone.get_by_test_id("route").inner_text()
    phone.get_by_test_id("revision-note-input").fill("С 1-го числа, 3 000 ₽ в месяц.")
    _no_sideways_scroll(phone)
    screenshot(phone, "memo-card-returned-phone")
    phone.get_by_test_id("memo-submit").click()
    assert phone.get_by_test_id("memo-status").inner_text() == "На согласовании"
    assert "С 1-го числа" in phone.get_by_test_id("revision-note").inner_text()

    # the same card for someone who chose English in the user menu (the browser's language
    # alone never switches the product: Russian staff often run an English Windows)
    from django.contrib.auth import get_user_model

    from argo_docs.services import user_language_set

    user_language_set(user=get_user_model().objects.get(username="gendir"), language="en")
    english = browser.new_context(locale="en-US", viewport=DESKTOP).new_page()
    english.goto(f"{base}/login/")
    english.locator("input[name=username]").fill("gendir")
    english.locator("input[name=password]").fill(DEMO_PASSWORD)
    english.locator("button[type=submit]").click()
    english.wait_for_url("**/tasks/")
    english.goto(f"{base}{memo.get_absolute_url()}")
    assert english.get_by_test_id("memo-status").inner_text() == "Executed"
    screenshot(english, "memo-card-english-desktop")
