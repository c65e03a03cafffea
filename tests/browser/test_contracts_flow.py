"""An expense contract goes all the way in a real Chromium: created by a manager, prepared by the
document specialist, returned once by the lawyer, resubmitted with «что исправлено», approved by
three approvers in two groups, the invoice and the contract signed. Screenshots of the route
preview, the card (1366 and 375 px), kanban and KPI."""

import pytest
from django.test import override_settings

from argo_docs.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        load_demo()


@pytest.fixture
def as_user(browser, live_server):
    contexts = []

    def open_as(username: str, *, width: int = 1280, height: int = 900):
        context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/tasks/")
        page.get_by_label("Имя пользователя").fill(username)
        page.get_by_label("Пароль").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url("**/tasks/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def _decide(page, card_url: str, choice: str, comment: str = "") -> None:
    page.goto(card_url)
    task = page.get_by_test_id("my-task").first
    task.get_by_label(choice).check()
    if comment:
        task.get_by_label("Комментарий").fill(comment)
    task.get_by_role("button").click()
    page.wait_for_load_state()
    assert page.get_by_text("сохранено").first.is_visible()


def test_expense_contract_from_draft_to_active(as_user, live_server, demo, screenshot):
    """GIVEN the theatre demo (head + lawyer in group 1, chief accountant in group 2)
    WHEN a manager creates and submits an expense contract, the lawyer returns it once, it is
    resubmitted, all three approve and the general director signs the invoice and the contract
    THEN the card shows «Действует», two rounds on the approval sheet, and the kanban and KPI
    reflect it."""
    manager = as_user("manager1")
    manager.get_by_test_id("nav-contracts").click()
    manager.get_by_role("link", name="Все договоры").click()
    manager.get_by_role("link", name="Новый договор").last.click()
    manager.get_by_role("link", name="Расходный: закупка").click()
    manager.get_by_label("Категория предмета").select_option(label="Оборудование")
    manager.get_by_label("Предмет договора").fill("Микрофоны для малой сцены")
    manager.get_by_label("Поиск контрагента").fill("Сценические")
    manager.locator("#id_counterparty option", has_text="выберите из найденных").wait_for(
        state="attached"
    )
    manager.locator("#id_counterparty").select_option(label="ООО «Сценические технологии»")
    manager.get_by_label("Сумма, ₽").fill("240000")
    manager.get_by_label("Источник финансирования").select_option(label="Бюджетные средства")
    manager.get_by_label("Номер счёта").fill("СТ-204")
    manager.get_by_role("button", name="Сохранить").click()
    name = manager.get_by_test_id("contract-name").inner_text()
    assert "ООО «Сценические технологии» — Микрофоны для малой сцены" in name
    card_url = manager.url

    manager.get_by_role("link", name="Отправить на согласование").click()
    manager.get_by_role("button", name="Подтвердить и отправить").wait_for()
    # preparation, group 1 (head and lawyer), group 2 (accountant), invoice and contract signing
    assert manager.get_by_test_id("route-group").count() == 5
    assert manager.get_by_test_id("route-step").count() == 6
    screenshot(manager, "contracts-route-preview")
    manager.get_by_role("button", name="Подтвердить и отправить").click()
    assert manager.get_by_test_id("contract-status").inner_text() == "Подготовка документоведом"

    docspec = as_user("docspec")
    _decide(docspec, card_url, "Договор подготовлен")
    lawyer = as_user("lawyer")
    _decide(lawyer, card_url, "Вернуть на доработку", "Приложите спецификацию микрофонов")
    assert lawyer.get_by_text("Решение «Возвращено на доработку» сохранено.").is_visible()

    manager.goto(card_url)
    assert manager.get_by_test_id("contract-status").inner_text() == "На доработке"
    manager.get_by_role("link", name="Отправить повторно").click()
    manager.get_by_role("button", name="Подтвердить и отправить").click()
    assert manager.get_by_text("Напишите, что исправлено").first.is_visible()
    manager.get_by_label("Что исправлено").fill("Приложил спецификацию микрофонов")
    manager.get_by_role("button", name="Подтвердить и отправить").click()
    assert (
        manager.get_by_test_id("revision-note")
        .inner_text()
        .endswith("Приложил спецификацию микрофонов")
    )
    _decide(docspec, card_url, "Договор подготовлен")

    director = as_user("director")
    _decide(director, card_url, "Согласовать")
    _decide(lawyer, card_url, "Согласовать", "Спецификация приложена")
    accountant = as_user("accountant", width=1366)
    accountant.goto(card_url)
    assert "Приложил спецификацию микрофонов" in accountant.get_by_test_id("my-task").inner_text()
    screenshot(accountant, "contracts-card-approver")
    _decide(accountant, card_url, "Согласовать")

    gendir = as_user("gendir")
    gendir.goto(card_url)
    assert gendir.get_by_test_id("contract-status").inner_text() == "Подписание счёта"
    _decide(gendir, card_url, "Счёт подписан")
    _decide(gendir, card_url, "Договор подписан")
    assert gendir.get_by_test_id("contract-status").inner_text() == "Действует"

    manager = as_user("manager1", width=1366)
    manager.goto(card_url)
    route = manager.get_by_test_id("route")
    assert route.get_by_test_id("route-round").inner_text() == "круг 2"
    route.get_by_text("Круг 1: Возвращён на доработку").click()  # opens round 1
    assert "Приложите спецификацию микрофонов" in route.inner_text()
    screenshot(manager, "contracts-card")

    phone = as_user("manager1", width=375, height=800)
    phone.goto(card_url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert not phone.get_by_test_id("route-step-card").first.is_visible()  # «Документ» first
    phone.get_by_test_id("phone-tabs").get_by_role("tab", name="Согласование").click()
    assert phone.get_by_test_id("route-step-card").first.is_visible()
    screenshot(phone, "contracts-card-phone")

    manager.goto(f"{live_server.url}/contracts/kanban/")
    manager.get_by_label("Тип договора").select_option(label="Расходный: закупка")
    manager.get_by_role("button", name="Показать").click()
    active = manager.locator('[data-testid="kanban-column"][data-stage="active"]')
    assert "Микрофоны для малой сцены" in active.inner_text()
    screenshot(manager, "contracts-kanban")

    gendir.goto(f"{live_server.url}/contracts/kpi/")
    assert gendir.get_by_test_id("kpi-person").count() == 3  # lawyer, director, accountant
    assert "Орлова Елена" in gendir.get_by_test_id("kpi-people").inner_text() or (
        "Елена Орлова" in gendir.get_by_test_id("kpi-people").inner_text()
    )
    screenshot(gendir, "contracts-kpi")

    for path, name in (("/contracts/kanban/", "kanban"), ("/contracts/", "list")):
        phone.goto(f"{live_server.url}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, path
        screenshot(phone, f"contracts-{name}-phone")
