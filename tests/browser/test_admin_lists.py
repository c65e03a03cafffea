"""Admin lists of the configuration fit the page at 1366 px: the rules list wraps its long
columns instead of running 1,800 px wide, and an empty condition says «любой»."""

import pytest
from django.test import override_settings

from argo_docs.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.browser

LISTS = [
    "/admin/contracts/approvalrule/",
    "/admin/correspondence/routerule/",
    "/admin/correspondence/extraapprover/",
    "/admin/contracts/contracttype/",
    "/admin/correspondence/registrationjournal/",
]


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        load_demo()


def test_configuration_lists_fit_a_1366_px_screen(browser, live_server, demo, screenshot):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Имя пользователя").fill("admin")
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    widths = {}
    for path in LISTS:
        page.goto(f"{live_server.url}{path}")
        widths[path] = page.evaluate(
            "[document.querySelector('#result_list').scrollWidth,"
            " document.querySelector('#changelist .results').clientWidth,"
            " document.documentElement.scrollWidth]"
        )
    screenshot(page, "admin-rules-list")
    page.goto(f"{live_server.url}/admin/contracts/approvalrule/")
    screenshot(page, "admin-approval-rules-desktop")
    assert "любой" in page.locator("#result_list").inner_text()
    for path, (table, area, document) in widths.items():
        assert document <= 1366, (path, widths)
        assert table <= area + 1, (path, widths)
    context.close()
