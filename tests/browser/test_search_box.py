"""The navigation search box on a desktop (1366 px) and a phone (375 px), with a real Chromium."""

import pytest
from django.test import override_settings

from argo_docs.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        load_demo()


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/tasks/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/tasks/")


def _search_from_nav(page, text: str) -> None:
    box = page.get_by_test_id("nav-search").get_by_role("searchbox")
    assert box.is_visible()  # on a phone too: the box is outside the collapsed menu
    box.fill(text)
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")


@pytest.mark.parametrize(("width", "height", "name"), [(1366, 800, "desktop"), (375, 740, "phone")])
def test_search_box_finds_a_letter_by_another_word_form(
    browser, live_server, demo, screenshot, width, height, name
):
    """GIVEN the demo organisation WHEN the office manager types «лифтов» in the navigation
    search box THEN the results page lists the letter about the lift repair, highlighted, and
    nothing overflows sideways."""
    phone = width < 500
    context = browser.new_context(
        locale="ru-RU",
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    _log_in(page, live_server.url, "office")
    _search_from_nav(page, "ремонт лифтов")
    group = page.locator("[data-testid=search-group][data-kind=incoming]")
    hit = group.get_by_test_id("search-hit").first
    assert "Акт выполненных работ по ремонту лифта" in hit.inner_text()
    assert hit.locator("mark").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"search-{name}")
    hit.get_by_role("link").first.click()
    page.wait_for_url("**/letters/**")
    context.close()


@pytest.mark.parametrize(("width", "height", "name"), [(1366, 800, "desktop"), (375, 740, "phone")])
def test_counterparty_dossier_and_its_export(
    browser, live_server, demo, screenshot, width, height, name
):
    """GIVEN the demo WHEN the office manager opens a counterparty's card, then its dossier, and
    exports it THEN the letters are listed in date order and the ZIP is offered for download."""
    from crm.models import Counterparty

    company = Counterparty.objects.get(name="ООО «ЛифтСервис»")
    phone = width < 500
    context = browser.new_context(
        locale="ru-RU",
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    _log_in(page, live_server.url, "office")
    page.goto(f"{live_server.url}{company.get_absolute_url()}")
    page.get_by_test_id("company-dossier").click()
    page.wait_for_url("**/search/dossier/counterparty/**")
    rows = page.get_by_test_id("dossier-row")
    assert rows.count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"dossier-{name}")
    page.get_by_role("button", name="Выгрузить досье").click()
    page.wait_for_url("**/search/exports/**")
    download_link = page.get_by_test_id("export-download")
    download_link.wait_for()
    screenshot(page, f"dossier-export-{name}")
    with page.expect_download() as info:
        download_link.click()
    assert info.value.suggested_filename.endswith(".zip")
    context.close()
