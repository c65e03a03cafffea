"""The office manager logs in with a real Chromium and works in the inbox, on desktop and phone."""

import pytest
from django.test import override_settings

from argo_docs.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        load_demo()


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/tasks/")
    assert "/login/" in page.url  # every page but login needs a session
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/tasks/")


def test_office_manager_logs_in_and_completes_a_task(browser, live_server, demo, screenshot):
    """GIVEN the demo organisation WHEN the office manager logs in
    THEN she lands in «Мои задания» in Russian with her instruction, opens it, reports it done,
    and it leaves her inbox."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _log_in(page, live_server.url, "office")
    assert page.get_by_role("heading", name="Мои задания").is_visible()
    row = page.get_by_test_id("task-row").filter(has_text="Подготовить реестр входящих писем")
    assert row.is_visible()
    assert page.get_by_test_id("nav-task-count").inner_text() == "1"
    screenshot(page, "inbox-desktop")

    row.click()
    page.get_by_label("Отчёт об исполнении").fill("Реестр в общей папке")
    screenshot(page, "task-desktop")
    page.get_by_role("button", name="Выполнено").click()
    page.wait_for_url("**/tasks/")
    assert page.get_by_text("выполнено", exact=False).first.is_visible()
    assert page.get_by_test_id("inbox-empty").is_visible()
    context.close()


def test_inbox_is_usable_on_a_phone(browser, live_server, demo, screenshot):
    """GIVEN a 375 px wide phone screen WHEN the manager opens the inbox
    THEN the overdue task is visible and highlighted, nothing overflows sideways, and the menu
    opens from the toggler."""
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    _log_in(page, live_server.url, "manager1")
    row = page.get_by_test_id("task-row").first
    assert "task-overdue" in row.get_attribute("class")
    assert "Просрочено" in row.inner_text()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375
    screenshot(page, "inbox-phone")
    assert not page.get_by_role("link", name="Уведомления").is_visible()
    page.get_by_role("button", name="Меню").click()
    page.get_by_role("link", name="Уведомления").wait_for(state="visible")
    page.locator("#mainNav.show:not(.collapsing)").wait_for()
    screenshot(page, "inbox-phone-menu")
    context.close()
