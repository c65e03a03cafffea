"""The week's call distribution seen by a manager (marks a call) and by her head (report)."""

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from argo_docs.demo import DEMO_PASSWORD, load_demo
from crm.services.distribution import distribution_run

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        load_demo()
    distribution_run()


def _log_in(context, base_url, username):
    page = context.new_page()
    page.goto(f"{base_url}/crm/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/crm/")
    return page


def test_manager_marks_a_call_and_the_head_sees_it(browser, live_server, demo, screenshot):
    """GIVEN this week's distribution WHEN manager1 opens «Прозвон» and marks the first
    company called with a result THEN it shows as called; the head of the business centre sees
    manager1 with one call made and the rest left."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 375, "height": 740})
    page = _log_in(context, live_server.url, "manager1")
    page.goto(f"{live_server.url}/crm/distribution/")
    items = page.get_by_test_id("call-item")
    total = items.count()
    assert total >= 1
    items.first.get_by_label("Результат звонка").fill("Продлевают аренду, перезвонить в марте")
    items.first.get_by_role("button", name="Позвонил").click()
    page.get_by_text("Звонок отмечен.").wait_for()
    assert "Продлевают аренду" in page.get_by_test_id("call-list").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "crm-call-list-phone")
    context.close()

    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 800})
    page = _log_in(context, live_server.url, "director")
    page.get_by_test_id("nav-crm").click()
    page.get_by_role("link", name="Прозвон").click()
    page.wait_for_url("**/crm/distribution/")
    row = page.get_by_test_id("distribution-row").filter(has_text="Алексей Петров")
    # the click returns before the report has loaded: wait for the row, then read its cells
    expect(row.locator("td")).to_have_count(4)
    assert row.locator("td").all_inner_texts()[2:] == [f"1 из {total}", str(total - 1)]
    screenshot(page, "crm-distribution-report")
    context.close()
