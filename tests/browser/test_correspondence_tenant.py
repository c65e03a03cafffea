"""The tenant route in a real Chromium: the executor closes the letter, the director's review
beside him stays open «для сведения», and her objection reaches him. Desktop and phone."""

import pytest
from django.test import override_settings

from argo_docs.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.browser

SUBJECT = "Просьба продлить договор аренды офиса 305"


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        load_demo()


def _log_in(page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/tasks/")


def _open_task(page, text: str) -> None:
    page.get_by_test_id("task-row").filter(has_text=text).first.click()
    page.wait_for_url("**/tasks/*/")


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_tenant_letter_executed_while_the_directors_review_stays_open(
    browser, live_server, demo, screenshot
):
    """GIVEN the demo tenant letter on execution with the director reviewing beside the executor
    WHEN the executor answers «ответ не требуется» THEN the letter is «Исполнено»;
    the director still has her review, the card shows it «для сведения»;
    WHEN she objects with a comment THEN the executor is notified, and the card shows her
    objection, at 1366 px and at 375 px without sideways scrolling."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    base = live_server.url

    _log_in(page, base, "manager1")
    _open_task(page, SUBJECT)
    page.get_by_label("Ответ не требуется — письмо исполнено").check()
    page.get_by_label("Комментарий об исполнении").fill(
        "Договор продлён на год, допсоглашение у юриста."
    )
    page.get_by_role("button", name="Отправить решение").click()
    page.wait_for_url("**/tasks/")

    _log_in(page, base, "director")
    _open_task(page, SUBJECT)
    page.get_by_role("link", name=SUBJECT).click()
    page.wait_for_url("**/letters/incoming/*/")
    card_url = page.url
    assert page.get_by_test_id("letter-status").inner_text() == "Исполнено"
    assert "Анна Смирнова" in page.get_by_test_id("route-informational").inner_text()
    assert "для сведения" in page.get_by_test_id("review-mode").inner_text()
    _no_sideways_scroll(page, 1366)
    screenshot(page, "correspondence-tenant-card-desktop")

    page.get_by_test_id("my-tasks").get_by_role("link").first.click()
    page.wait_for_url("**/tasks/*/")
    page.get_by_label("Есть возражения").check()
    page.get_by_label("Комментарий").fill("Продлевать только после погашения долга за май.")
    screenshot(page, "correspondence-tenant-objection-desktop")
    page.get_by_role("button", name="Отправить решение").click()
    page.wait_for_url("**/tasks/")

    page.goto(card_url)
    sheet = page.get_by_test_id("route-sheet").inner_text()
    assert "Рассмотрено, есть возражения" in sheet and "погашения долга" in sheet
    assert page.get_by_test_id("letter-status").inner_text() == "Исполнено"

    _log_in(page, base, "manager1")
    page.goto(f"{base}/notifications/")
    assert "Возражения по письму" in page.content()
    assert "погашения долга" in page.content()

    # the administrator previews the tenant route: who executes, who reviews «для сведения»
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/?next=/admin/correspondence/routerule/")
    page.get_by_label("Имя пользователя").fill("admin")
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_test_id("route-preview-link").click()
    page.get_by_label("Юрлицо-адресат").select_option(label="ООО «Арго Офис»")
    page.get_by_label("Категория отправителя").select_option(label="Арендатор")
    page.get_by_label("Ответственный исполнитель").select_option(
        label="Петров Алексей — Менеджер по аренде"
    )
    page.get_by_role("button", name="Показать маршрут").click()
    preview = page.get_by_test_id("route-preview").inner_text()
    assert "Алексей Петров" in preview and "исполняет" in preview
    assert "Анна Смирнова" in preview and "(для сведения)" in preview
    screenshot(page, "correspondence-admin-route-preview")

    phone = browser.new_context(
        locale="ru-RU", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    mobile = phone.new_page()
    _log_in(mobile, base, "director")
    mobile.goto(card_url)
    mobile.get_by_test_id("phone-tabs").get_by_role("tab", name="Согласование").click()
    assert mobile.get_by_test_id("route-sheet-cards").is_visible()
    assert "погашения долга" in mobile.get_by_test_id("route-sheet-cards").inner_text()
    _no_sideways_scroll(mobile, 375)
    screenshot(mobile, "correspondence-tenant-card-phone")
    phone.close()
    context.close()
