"""The incoming register's counterparty filter (picked by name, sent by id) and the message for
a wrong date, in a real Chromium on a desktop and on a phone."""

import pytest
from django.test import override_settings

from argo_docs.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        load_demo()


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/letters/incoming/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/letters/incoming/")


@pytest.mark.parametrize(("width", "name"), [(1366, "desktop"), (375, "phone")])
def test_counterparty_filter_and_wrong_date(browser, live_server, demo, screenshot, width, name):
    """GIVEN the general director on the incoming register WHEN she types «северный» in
    «Контрагент», picks the company and applies THEN the URL carries its id, every row is that
    company's, and the chosen name stays in the filter; a wrong date in the URL is reported in
    Russian instead of being ignored."""
    context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": 900})
    page = context.new_page()
    _log_in(page, live_server.url, "gendir")
    page.get_by_text("Фильтры").click()
    page.get_by_test_id("register-counterparty-search").fill("северный")
    first = page.get_by_test_id("register-counterparty-results").locator("button").first
    chosen = first.inner_text().split("·")[0].strip()
    first.click()
    assert page.get_by_test_id("register-counterparty-chosen").inner_text() == chosen
    page.get_by_role("button", name="Применить").click()
    page.wait_for_url("**counterparty=*")
    assert page.get_by_test_id("register-counterparty-chosen").inner_text() == chosen
    body = page.locator("main").inner_text()
    assert "Северный ветер" in chosen and "Вх-0002/БЦ/2026" in body
    assert "Вх-0003/БЦ/2026" not in body  # another company's letter is filtered out
    screenshot(page, f"register-counterparty-{name}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

    page.goto(f"{live_server.url}/letters/incoming/?date_from=31.02.2026")
    assert "Дата не распознана" in page.get_by_test_id("filter-errors").inner_text()
    screenshot(page, f"register-wrong-date-{name}")
    context.close()
