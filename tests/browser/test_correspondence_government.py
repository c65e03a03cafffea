"""The whole government-body path of an incoming letter in a real Chromium, desktop and phone."""

import pytest
from django.test import override_settings
from django.utils import timezone

from argo_docs.demo import DEMO_PASSWORD, load_demo
from storage.testing import pdf_bytes
from workflow import calendar

pytestmark = pytest.mark.browser

SUBJECT = "О внеплановой проверке системы оповещения"


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        load_demo()


@pytest.fixture
def pdf_file(tmp_path):
    path = tmp_path / "mchs-predpisanie.pdf"
    path.write_bytes(pdf_bytes("MChS"))
    return path


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


def test_government_letter_from_registration_to_reply_draft(
    browser, live_server, demo, pdf_file, screenshot
):
    """GIVEN the demo organisation
    WHEN the office manager registers a letter from МЧС with a PDF, the general director adds a
    co-executor, the lawyer approves and the executor answers «нужен ответ»
    THEN the card shows «Ответ готовится», every participant, and the linked outgoing draft."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = live_server.url

    # 1. The office manager registers the letter.
    _log_in(page, base, "office")
    page.get_by_role("button", name="Входящие").click()
    page.get_by_role("link", name="Зарегистрировать входящее").click()
    page.get_by_label("Адресат (наше юрлицо)").select_option(label="ООО «Арго Офис»")
    page.get_by_test_id("counterparty-search").fill("МЧС")
    page.get_by_test_id("counterparty-results").get_by_role("button").first.click()
    page.get_by_test_id("counterparty-chosen").wait_for()
    assert "МЧС" in page.get_by_test_id("counterparty-chosen").inner_text()
    page.get_by_label("Исходящий номер отправителя").fill("78-12-999")
    page.get_by_label("Тема").fill(SUBJECT)
    page.get_by_label("Краткое содержание").fill("Требуют документы до контрольного срока.")
    control = calendar.add_working_days(timezone.localdate(), 7)
    page.get_by_label("Контрольный срок").fill(control.isoformat())
    page.get_by_label("Ответственный исполнитель").select_option(
        label="Петров Алексей — Менеджер по аренде"
    )
    page.get_by_label("Файлы (сканы)").set_input_files(str(pdf_file))
    screenshot(page, "correspondence-form-desktop")
    page.get_by_role("button", name="Зарегистрировать", exact=True).click()
    page.wait_for_url("**/letters/incoming/*/")
    assert page.get_by_test_id("letter-status").inner_text() == "На рассмотрении"
    assert "mchs-predpisanie.pdf" in page.get_by_test_id("letter-files").inner_text()
    card_url = page.url
    number = page.get_by_test_id("letter-number").inner_text()

    # 2. The general director adds a co-executor in his resolution.
    _log_in(page, base, "gendir")
    _open_task(page, SUBJECT)
    page.get_by_label("Резолюция").fill("Подготовить ответ вместе с бухгалтерией.")
    page.get_by_label("Соисполнители").select_option(label="Белова Марина — Главный бухгалтер")
    screenshot(page, "correspondence-resolution-desktop")
    page.get_by_role("button", name="Вынести резолюцию").click()
    page.wait_for_url("**/tasks/")

    # 3. The lawyer reviews: an objection needs a comment, then it goes on to the executor.
    _log_in(page, base, "lawyer")
    _open_task(page, SUBJECT)
    page.get_by_label("Есть возражения").check()
    page.get_by_role("button", name="Отправить решение").click()
    assert "Напишите комментарий" in page.get_by_test_id("decision-form").inner_text()
    page.get_by_label("Комментарий").fill("Приложить акт проверки 2025 года.")
    screenshot(page, "correspondence-review-objection-desktop")
    page.get_by_role("button", name="Отправить решение").click()
    page.wait_for_url("**/tasks/")
    assert "Решение «Рассмотрено, есть возражения» сохранено." in page.content()

    # 4. The executor, told of the objection, answers: a reply is needed.
    _log_in(page, base, "manager1")
    _open_task(page, SUBJECT)
    assert "Приложить акт проверки 2025 года." in page.content()  # in the task's description
    page.get_by_label("Нужен ответ — подготовить исходящее письмо").check()
    page.get_by_label("Текст ответа").fill("Документы по системе оповещения прилагаем.")
    page.get_by_label("Файл ответа").set_input_files(str(pdf_file))
    screenshot(page, "correspondence-execute-desktop")
    page.get_by_role("button", name="Отправить решение").click()
    # the executor lands on the reply draft, with the task to send it for approval
    page.wait_for_url("**/letters/outgoing/*/")
    assert "Подготовить и отправить на согласование ответ" in (
        page.get_by_test_id("my-tasks").inner_text()
    )

    page.goto(f"{base}/letters/incoming/?sort=counterparty")
    screenshot(page, "correspondence-register-desktop")
    page.goto(card_url)
    assert page.get_by_test_id("letter-status").inner_text() == "Ответ готовится"
    assert "Марина Белова" in page.get_by_test_id("co-executors").inner_text()
    stages = page.get_by_test_id("route-stages").locator("li").all_inner_texts()
    assert [text.split(":")[-1].strip() for text in stages] == [
        "Резолюция",
        "Рассмотрение",
        "Исполнение",
    ]
    sheet = page.get_by_test_id("route-sheet").inner_text()
    assert "Рассмотрено, есть возражения" in sheet and "Приложить акт проверки" in sheet
    participants = page.get_by_test_id("participants").inner_text()
    for who in ("Сергей Волков", "Елена Орлова", "Алексей Петров", "Марина Белова"):
        assert who in participants
    page.set_viewport_size({"width": 1366, "height": 900})
    _no_sideways_scroll(page, 1366)
    screenshot(page, "correspondence-card-desktop")
    page.get_by_test_id("history-toggle").get_by_role("link").click()
    page.wait_for_url("**history=all*")
    assert "назначено" in page.get_by_test_id("timeline").inner_text()
    page.goto(card_url)
    page.get_by_test_id("reply-link").get_by_role("link").click()
    page.wait_for_url("**/letters/outgoing/*/")
    assert page.get_by_test_id("outgoing-status").inner_text() == "Черновик"
    assert number.split("№ ")[-1] in page.get_by_test_id("in-reply-to").inner_text()
    assert "прилагаем" in page.get_by_test_id("outgoing-text").inner_text()

    # 5. The same form and card on a 375 px phone.
    phone = browser.new_context(
        locale="ru-RU", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    mobile = phone.new_page()
    _log_in(mobile, base, "office")
    mobile.goto(f"{base}/letters/incoming/new/")
    _no_sideways_scroll(mobile, 375)
    screenshot(mobile, "correspondence-form-phone")
    # a sender not in the CRM yet is created inline and chosen
    mobile.get_by_test_id("counterparty-search").fill("Фонд капремонта")
    mobile.get_by_text("Ничего не найдено").wait_for()
    mobile.get_by_text("Нет в списке? Создать нового контрагента").click()
    mobile.get_by_label("Наименование").fill("НО «Фонд капитального ремонта СПб»")
    mobile.get_by_label("Категория").select_option(label="Государственный орган")
    mobile.get_by_role("button", name="Создать и выбрать").click()
    chosen = mobile.get_by_test_id("counterparty-chosen")
    chosen.wait_for()
    assert "Фонд капитального ремонта" in chosen.inner_text()
    _no_sideways_scroll(mobile, 375)
    screenshot(mobile, "correspondence-form-phone-new-counterparty")
    mobile.goto(card_url)
    assert mobile.get_by_test_id("letter-status").inner_text() == "Ответ готовится"
    _no_sideways_scroll(mobile, 375)
    screenshot(mobile, "correspondence-card-phone")
    mobile.goto(f"{base}/letters/incoming/")
    _no_sideways_scroll(mobile, 375)
    screenshot(mobile, "correspondence-register-phone")
    phone.close()
    context.close()
