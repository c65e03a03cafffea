"""Daily flows in a real Chromium at 1366 and 375 px: the executor's «Нужен ответ» lands on the
reply draft with its task; task pages show the document's files with a preview; the reply fields
appear only with «Нужен ответ»; the letter card on a phone is three tabs; the contracts board
reaches every column, searches and keeps its filters."""

import pytest
from django.test import override_settings

from argo_docs.demo import DEMO_PASSWORD, load_demo
from storage.testing import pdf_bytes

pytestmark = pytest.mark.browser

SUBJECT = "Просьба продлить договор аренды офиса 305"
SIZES = {"desktop": (1366, 900), "phone": (375, 760)}


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        load_demo()


@pytest.fixture
def as_user(browser, live_server):
    contexts = []

    def open_as(username: str, size: str):
        width, height = SIZES[size]
        context = browser.new_context(
            locale="ru-RU", viewport={"width": width, "height": height}, is_mobile=size == "phone"
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Имя пользователя").fill(username)
        page.get_by_label("Пароль").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url("**/tasks/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def _fits(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_executor_answers_from_the_task_page_and_lands_on_the_draft(
    as_user, demo, screenshot, size
):
    """GIVEN the manager's execution task on the tenant letter WHEN he opens it THEN the scan is
    listed and previewed and the reply fields are hidden; WHEN he chooses «Нужен ответ» THEN
    they appear; WHEN he sends the reply THEN he is on the draft, with his task «Подготовить и
    отправить на согласование ответ» on it."""
    page = as_user("manager1", size)
    page.get_by_test_id("task-row").filter(has_text=SUBJECT).first.click()
    page.wait_for_url("**/tasks/*/")
    files = page.get_by_test_id("task-files")
    assert "severny-veter-prodlenie.pdf" in files.inner_text()
    assert page.get_by_test_id("task-file-preview").count() == 1
    reply_text = page.get_by_label("Текст ответа")
    assert not reply_text.is_visible()
    _fits(page)
    screenshot(page, f"daily-task-page-files-{size}")

    page.get_by_label("Нужен ответ — подготовить исходящее письмо").check()
    assert reply_text.is_visible()
    reply_text.fill("Согласны продлить договор на 11 месяцев на прежних условиях.")
    page.get_by_label("Файл ответа").set_input_files(
        {"name": "otvet.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Otvet")}
    )
    screenshot(page, f"daily-task-page-reply-{size}")
    page.get_by_role("button", name="Отправить решение").click()
    page.wait_for_url("**/letters/outgoing/*/")
    tasks = page.get_by_test_id("my-tasks")
    assert "Подготовить и отправить на согласование ответ" in tasks.inner_text()
    _fits(page)
    screenshot(page, f"daily-reply-draft-{size}")


def test_the_letter_card_on_a_phone_is_three_tabs(as_user, demo, screenshot, live_server):
    """GIVEN the director's letter card on a phone THEN «Документ» shows first without the
    history; WHEN «История» is tapped THEN the history shows and the fields hide."""
    from correspondence.models import IncomingLetter

    letter = IncomingLetter.objects.get(subject=SUBJECT)
    page = as_user("director", "phone")
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    tabs = page.get_by_test_id("phone-tabs")
    assert tabs.is_visible()
    assert page.get_by_test_id("letter-fields").is_visible()
    assert not page.locator("#history").is_visible()
    screenshot(page, "daily-letter-card-tabs-document-phone")
    tabs.get_by_role("tab", name="История").click()
    assert page.locator("#history").is_visible()
    assert not page.get_by_test_id("letter-fields").is_visible()
    screenshot(page, "daily-letter-card-tabs-history-phone")
    tabs.get_by_role("tab", name="Согласование").click()
    assert page.get_by_test_id("participants").is_visible()
    _fits(page)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_kanban_column_is_reachable_and_the_board_searches(
    as_user, demo, screenshot, size, live_server
):
    """GIVEN the board of all types WHEN opened THEN the page itself never scrolls sideways, the
    board does, and its last column can be scrolled into view; WHEN searched THEN the words
    stay in the form."""
    page = as_user("gendir", size)
    page.goto(f"{live_server.url}/contracts/kanban/")
    assert "все типы" in page.locator("h1").inner_text()
    board = page.get_by_test_id("kanban")
    columns = page.get_by_test_id("kanban-column")
    assert columns.count() >= 6
    _fits(page)
    screenshot(page, f"daily-kanban-{size}")
    last = columns.last
    last.scroll_into_view_if_needed()
    box, frame = last.bounding_box(), board.bounding_box()
    assert box["x"] >= frame["x"] - 1 and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    screenshot(page, f"daily-kanban-last-column-{size}")
    page.get_by_label("Поиск", exact=True).fill("микрофон")
    page.get_by_role("button", name="Показать").click()
    page.wait_for_load_state()
    assert page.get_by_label("Поиск", exact=True).input_value() == "микрофон"
    _fits(page)
