"""A manager imports a small Excel file, takes a ЖКХ company into work, answers the pipeline's
request with «call» and then «meeting», and sees both events in her calendar (real Chromium)."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from openpyxl import Workbook

from argo_docs.demo import DEMO_PASSWORD, load_demo
from crm.models import Counterparty
from workflow.jobs import timers_sweep

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with override_settings(DEBUG=True):
        load_demo()


def _xlsx(path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Организация", "ИНН", "Телефон", "Контактное лицо"])
    sheet.append(["ООО «УК Лиговский»", "7840000777", "+7 812 555-00-77", "Соколов Пётр"])
    sheet.append(["ТСЖ «Фонтанка 12»", "", "+7 812 555-00-12", "Алексеева Вера"])
    workbook.save(path)
    return path


def _log_in(page, base_url, username):
    page.goto(f"{base_url}/crm/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/crm/")


def _open_request(page, base_url):
    page.goto(f"{base_url}/tasks/")
    page.get_by_test_id("task-row").filter(has_text="Назначена ли встреча?").first.click()
    page.get_by_test_id("decision-form").wait_for()


def test_import_take_into_work_call_then_meeting_in_calendar(
    browser, live_server, demo, screenshot, tmp_path
):
    """GIVEN the demo (ЖКХ flagged for the pipeline) WHEN manager1 imports two ЖКХ companies
    from .xlsx, takes one into work, answers «next call tomorrow 11:00», and after the call time
    answers «meeting the day after at 15:00» THEN the company is «Назначена встреча» and the
    week view of her calendar shows the call and the meeting; the feed link is there."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = live_server.url
    _log_in(page, base, "manager1")

    # import
    page.get_by_role("link", name="Импорт из файла").click()
    page.get_by_label("Файл").set_input_files(str(_xlsx(tmp_path / "жкх.xlsx")))
    page.get_by_role("button", name="Загрузить").click()
    page.get_by_test_id("import-preview").wait_for()
    assert "ТСЖ «Фонтанка 12»" in page.get_by_test_id("import-preview").inner_text()
    page.get_by_label("Сфера, если не указана").select_option(label="ЖКХ")
    page.get_by_label("Менеджер, если не указан").select_option(
        label="Петров Алексей — Менеджер по аренде"
    )
    screenshot(page, "crm-import-mapping")
    page.get_by_role("button", name="Проверить файл").click()
    page.get_by_test_id("import-confirm").click()
    page.get_by_test_id("import-result").wait_for()
    assert "Создано компаний: 2" in page.get_by_test_id("import-result").inner_text()
    screenshot(page, "crm-import-done")

    # take into work
    page.goto(f"{base}/crm/?q=Лиговский")
    page.get_by_role("link", name="ООО «УК Лиговский»").click()
    assert page.get_by_test_id("company-status").inner_text() == "Импортирован"
    page.get_by_role("button", name="Взять в обработку").click()
    assert page.get_by_test_id("company-status").inner_text() == "В обработке"
    screenshot(page, "crm-company-in-progress")

    # answer 1: schedule the next call
    call_at = (timezone.localtime() + dt.timedelta(days=1)).replace(
        hour=11, minute=0, second=0, microsecond=0
    )
    meeting_at = call_at + dt.timedelta(days=1, hours=4)
    _open_request(page, base)
    page.get_by_label("Запланировать следующий звонок").check()
    page.get_by_label("Дата и время").fill(call_at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Комментарий").fill("Секретарь: директор будет завтра")
    screenshot(page, "crm-request-call")
    page.get_by_role("button", name="Ответить").click()
    page.wait_for_url("**/tasks/")
    assert page.get_by_test_id("task-row").filter(has_text="Назначена ли встреча?").count() == 0

    # the call time passes: the timer sweep brings the request back
    with time_machine.travel(call_at + dt.timedelta(minutes=5), tick=False):
        timers_sweep()

    # answer 2: the meeting date
    _open_request(page, base)
    page.get_by_label("Записать дату встречи / следующего этапа").check()
    page.get_by_label("Дата и время").fill(meeting_at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Ответить").click()
    page.wait_for_url("**/tasks/")
    company = Counterparty.objects.get(inn="7840000777")
    assert company.get_status_display() == "Назначена встреча"

    # the calendar shows both events
    for when, title in (
        (call_at, "Звонок: ООО «УК Лиговский»"),
        (meeting_at, "Встреча: ООО «УК Лиговский»"),
    ):
        page.goto(f"{base}/crm/calendar/?view=week&date={when:%Y-%m-%d}")
        event = page.get_by_test_id("calendar-event").filter(has_text=title)
        assert event.is_visible()
        assert f"{when:%H:%M}" in event.inner_text()
    screenshot(page, "crm-calendar-week")
    assert "/crm/calendar/feed/" in page.get_by_test_id("feed-url").input_value()
    page.goto(f"{base}/crm/calendar/?view=month&date={meeting_at:%Y-%m-%d}")
    assert (
        page.get_by_test_id("calendar-event")
        .filter(has_text="Встреча: ООО «УК Лиговский»")
        .is_visible()
    )
    screenshot(page, "crm-calendar-month")
    page.goto(company.get_absolute_url() and f"{base}{company.get_absolute_url()}")
    assert page.get_by_test_id("company-status").inner_text() == "Назначена встреча"
    screenshot(page, "crm-company-meeting")
    context.close()


def test_company_pages_fit_a_phone(browser, live_server, demo, screenshot):
    """GIVEN a 375 px phone WHEN the manager opens the company list, a card and the calendar
    THEN nothing overflows sideways."""
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    _log_in(page, live_server.url, "manager1")
    company = Counterparty.objects.get(inn="7841000101")
    for name, url in (
        ("crm-list-phone", "/crm/"),
        ("crm-card-phone", company.get_absolute_url()),
        ("crm-calendar-phone", "/crm/calendar/"),
        ("crm-calendar-month-phone", "/crm/calendar/?view=month"),
    ):
        page.goto(f"{live_server.url}{url}")
        screenshot(page, name)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
    context.close()
