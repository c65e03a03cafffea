"""A manager imports a file (a new industry, a bad row, the check before loading), edits a
company's card and adds a contact person; the head of sales previews and runs the week's
distribution and changes its settings. On a 1366 px desktop and on a 375 px phone."""

import io

import pytest
from django.test import override_settings
from openpyxl import Workbook

from argo_docs.demo import DEMO_PASSWORD, load_demo
from crm.models import Counterparty, DistributionWeek, Industry

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with override_settings(DEBUG=True):
        load_demo()


def _xlsx(path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Клиенты"
    sheet.append(["Организация", "ИНН", "Телефон", "Контактное лицо", "Сфера деятельности"])
    sheet.append(
        ["ООО «Торговый дом Нева»", "7840000555", "+7 812 555-05-05", "Ершова Нина", "Торговля"]
    )
    sheet.append(["ИП Фёдоров Семён Ильич", "784000055512", "+7 921 555-05-06", "", "Торговля"])
    sheet.append(["ООО «Лифтовик»", "12345", "", "", "ЖКХ"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def _log_in(context, base_url, username):
    page = context.new_page()
    page.goto(f"{base_url}/crm/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/crm/")
    return page


def _fits(page, width, name):
    if width <= 375:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_import_card_edit_and_distribution(
    browser, live_server, demo, screenshot, tmp_path, device
):
    base = live_server.url
    options = VIEWPORTS[device]
    width = options["viewport"]["width"]

    # --- the manager imports a file with a new industry and a bad row
    context = browser.new_context(locale="ru-RU", **options)
    page = _log_in(context, base, "manager1")
    page.goto(f"{base}/crm/import/")
    page.get_by_label("Файл").set_input_files(str(_xlsx(tmp_path / "клиенты.xlsx")))
    page.get_by_role("button", name="Загрузить").click()
    page.get_by_test_id("import-mapping-form").wait_for()
    detected = page.get_by_test_id("import-detected").inner_text()
    assert "книга Excel" in detected and "Клиенты" in detected
    assert page.get_by_label("Сфера деятельности", exact=True).input_value() == "4"
    page.get_by_label("Создавать новые сферы деятельности").check()
    page.get_by_label("Менеджер, если не указан").select_option(
        label="Петров Алексей — Менеджер по аренде"
    )
    _fits(page, width, "import-mapping")
    screenshot(page, f"crm-flow-import-mapping-{device}")
    page.get_by_role("button", name="Проверить файл").click()
    page.get_by_test_id("import-summary").wait_for()
    assert page.get_by_test_id("summary-create").inner_text() == "2"
    assert page.get_by_test_id("summary-errors").inner_text() == "1"
    assert "Торговля" in page.get_by_test_id("import-summary").inner_text()
    assert "10 или 12 цифр" in page.get_by_test_id("import-errors").inner_text()
    _fits(page, width, "import-preview")
    screenshot(page, f"crm-flow-import-preview-{device}")
    page.get_by_test_id("import-confirm").click()
    page.get_by_test_id("import-result").wait_for()
    assert "Создано компаний: 2" in page.get_by_test_id("import-result").inner_text()
    screenshot(page, f"crm-flow-import-done-{device}")
    trade = Industry.objects.get(name="Торговля")
    assert Counterparty.objects.filter(industry=trade).count() == 2

    # --- the manager finds the company by its phone and edits the card
    page.goto(f"{base}/crm/?q=8 812 555 05 05")
    page.get_by_role("link", name="ООО «Торговый дом Нева»").click()
    page.get_by_test_id("company-edit").click()
    page.get_by_label("Адрес").fill("Санкт-Петербург, Лиговский пр., 50")
    page.get_by_label("Эл. почта").fill("office@td-neva.example")
    page.get_by_label("Комментарий").fill("Интересуются офисом на 3-м этаже")
    _fits(page, width, "card-edit")
    screenshot(page, f"crm-flow-card-edit-{device}")
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_text("Карточка сохранена.").wait_for()
    fields = page.get_by_test_id("company-fields").inner_text()
    assert "Лиговский пр., 50" in fields and "office@td-neva.example" in fields
    page.get_by_role("link", name="Добавить", exact=True).click()
    page.get_by_label("ФИО").fill("Ершов Павел")
    page.get_by_label("Телефоны").fill("+7 921 000-11-22\n+7 812 555-05-07")
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_text("Контактное лицо сохранено.").wait_for()
    assert "+7 812 555-05-07" in page.get_by_test_id("contacts").inner_text()
    _fits(page, width, "card")
    screenshot(page, f"crm-flow-card-{device}")
    context.close()

    # --- the head of sales previews, runs the week and changes the settings
    context = browser.new_context(locale="ru-RU", **options)
    page = _log_in(context, base, "director")
    page.goto(f"{base}/crm/distribution/")
    preview = page.get_by_test_id("distribution-preview").inner_text()
    assert "Петров Алексей" in preview or "Алексей Петров" in preview
    _fits(page, width, "distribution")
    screenshot(page, f"crm-flow-distribution-{device}")
    page.get_by_test_id("run-now").click()
    page.get_by_test_id("run-form").wait_for()
    screenshot(page, f"crm-flow-distribution-run-{device}")
    page.get_by_label("Да, распределить компании на эту неделю").check()
    page.get_by_test_id("run-confirm").click()
    page.get_by_text("распределена: списков прозвона 2").wait_for()
    assert DistributionWeek.objects.count() == 1
    assert page.get_by_test_id("distribution-row").count() == 2
    page.get_by_label("Компаний на менеджера в неделю").fill("25")
    page.get_by_role("button", name="Сохранить настройки").click()
    page.get_by_text("Настройки прозвона сохранены.").wait_for()
    _fits(page, width, "distribution-after")
    screenshot(page, f"crm-flow-distribution-done-{device}")
    context.close()
