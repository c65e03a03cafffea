"""«Входящая почта» in a real Chromium: the office manager registers letters that arrived by
email, on a 1366 px desktop and a 375 px phone."""

import pytest
from django.test import override_settings
from django.utils import timezone

from argo_docs.demo import DEMO_PASSWORD, load_demo
from correspondence.models import IncomingLetter, LetterFile
from intake.models import IntakeItem, ItemStatus
from workflow import calendar

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with override_settings(DEBUG=True):
        load_demo()


def _log_in(page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/tasks/")


def _log_in_admin(page, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Имя пользователя").fill("admin")
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state()


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_office_registers_mail_on_desktop_and_phone(browser, live_server, demo, screenshot):
    """GIVEN four messages in the queue (an act from a known contractor, a legacy cp1251 letter,
    an invoice with a hostile file, an HTML advert)
    WHEN the office manager opens the act from the navigation counter, picks the control date
    and the executor and registers it; then on a phone registers the invoice and hides the advert
    THEN each letter carries the message's file, the hostile file is listed as refused and never
    attached, the advert sits under «Не корреспонденция», and the counter goes down."""
    control = calendar.add_working_days(timezone.localdate(), 7).isoformat()
    base = live_server.url
    desktop = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
    page = desktop.new_page()
    _log_in(page, base, "office")
    assert page.get_by_test_id("nav-mail-count").inner_text() == "4"
    page.get_by_role("button", name="Входящие").click()
    page.get_by_role("link", name="Входящая почта").click()
    page.wait_for_url("**/letters/mail/")
    rows = page.get_by_test_id("mail-row")
    assert rows.count() == 4
    screenshot(page, "mail-queue-desktop")

    page.get_by_role("link", name="Акт выполненных работ").click()
    page.wait_for_url("**/letters/mail/*/")
    assert "ООО «ЛифтСервис»" in page.get_by_test_id("counterparty-chosen").inner_text()
    assert page.get_by_label("Исходящий номер отправителя").input_value() == "45/11"
    assert page.get_by_label("Тема").input_value().startswith("Акт выполненных работ")
    assert page.get_by_label("Акт № 45-11 (ноябрь).pdf").is_checked()
    page.get_by_label("Контрольный срок").fill(control)
    page.get_by_label("Ответственный исполнитель").select_option(
        label="Петров Алексей — Менеджер по аренде"
    )
    _no_sideways_scroll(page, 1366)
    screenshot(page, "mail-item-desktop")
    page.get_by_role("button", name="Зарегистрировать", exact=True).click()
    page.wait_for_url("**/letters/mail/")
    assert "Письмо зарегистрировано под номером" in page.locator(".alert-success").inner_text()
    assert page.get_by_test_id("mail-row").count() == 3
    assert page.get_by_test_id("nav-mail-count").inner_text() == "3"
    screenshot(page, "mail-queue-after-desktop")
    page.locator(".alert-success").get_by_role("link").click()
    page.wait_for_url("**/letters/incoming/*/")
    assert "Акт № 45-11 (ноябрь).pdf" in page.get_by_test_id("letter-files").inner_text()
    desktop.close()

    phone = browser.new_context(
        locale="ru-RU", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    mobile = phone.new_page()
    _log_in(mobile, base, "office")
    mobile.goto(f"{base}/letters/mail/")
    _no_sideways_scroll(mobile, 375)
    screenshot(mobile, "mail-queue-phone")
    mobile.get_by_role("link", name="Счёт на оплату").click()
    mobile.wait_for_url("**/letters/mail/*/")
    refused = mobile.get_by_test_id("mail-refused").inner_text()
    assert "Счёт.pdf" in refused and "не принят" in refused
    assert mobile.get_by_label("Акт.pdf").is_checked()
    # the sender is unknown: the manager finds the counterparty herself
    mobile.get_by_test_id("counterparty-search").fill("Чистый")
    mobile.get_by_test_id("counterparty-results").get_by_role("button").first.click()
    mobile.get_by_test_id("counterparty-chosen").wait_for()
    mobile.get_by_label("Контрольный срок").fill(control)
    _no_sideways_scroll(mobile, 375)
    screenshot(mobile, "mail-item-phone")
    mobile.get_by_role("button", name="Зарегистрировать", exact=True).click()
    mobile.wait_for_url("**/letters/mail/")

    mobile.get_by_role("link", name="Скидки до 40%").click()
    mobile.wait_for_url("**/letters/mail/*/")
    mobile.get_by_test_id("mail-dismiss").click()
    mobile.wait_for_url("**/letters/mail/")
    mobile.get_by_role("link", name="Не корреспонденция").click()
    assert "Скидки до 40%" in mobile.get_by_test_id("mail-list").inner_text()
    _no_sideways_scroll(mobile, 375)
    screenshot(mobile, "mail-dismissed-phone")
    phone.close()

    # the administrator sets up a mailbox: the password is typed once and never shown again
    admin = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
    admin_page = admin.new_page()
    _log_in_admin(admin_page, base)
    admin_page.goto(f"{base}/admin/intake/mailbox/add/")
    admin_page.locator("#id_name").fill("Канцелярия")
    admin_page.locator("#id_host").fill("imap.example.ru")
    admin_page.locator("#id_username").fill("office@example.ru")
    admin_page.locator("#id_password").fill("Секрет-42")
    admin_page.get_by_role("button", name="Сохранить и продолжить редактирование").click()
    admin_page.wait_for_url("**/admin/intake/mailbox/*/change/")
    assert "Секрет-42" not in admin_page.content()
    assert "сохранён (зашифрован)" in admin_page.content()
    screenshot(admin_page, "mail-admin-mailbox-desktop")
    admin.close()

    invoice = IntakeItem.objects.get(subject__startswith="Счёт на оплату")
    assert invoice.status == ItemStatus.REGISTERED
    letter = IncomingLetter.objects.get(pk=invoice.document_id)
    names = [f.stored_file.original_name for f in LetterFile.objects.filter(incoming=letter)]
    assert names == ["Акт.pdf"]
    assert IntakeItem.objects.filter(status=ItemStatus.NEW).count() == 1
