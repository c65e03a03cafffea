"""The control dashboard in a real Chromium on a desktop (1366 px) and a phone (375 px): the
figures, the charts drawn as SVG, a number that opens its list, no sideways scrolling on the
phone and no CSP violation."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

from argo_docs.demo import DEMO_PASSWORD, load_demo
from control.jobs import rollup_refresh
from workflow.models import Task

pytestmark = pytest.mark.browser

CSP_PROBE = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));
"""


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        load_demo()
    # some of the demo's open tasks overdue and held for weeks, so every section has figures
    now = timezone.now()
    for i, task in enumerate(Task.objects.filter(status="open").order_by("pk")[:8]):
        Task.objects.filter(pk=task.pk).update(
            due_at=now - dt.timedelta(days=i + 1) if i % 2 else now + dt.timedelta(days=1),
            created_at=now - dt.timedelta(days=20 + i),
        )
    rollup_refresh()  # the worker's run: the rollup of decisions and the dashboard's snapshots
    return get_user_model().objects.get(username="director")


def _open(browser, live_server, viewport, **extra):
    context = browser.new_context(locale="ru-RU", viewport=viewport, **extra)
    context.add_init_script(CSP_PROBE)
    page = context.new_page()
    page.goto(f"{live_server.url}/control/")
    page.get_by_label("Имя пользователя").fill("director")
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/control/")
    return context, page


def test_dashboard_on_desktop(browser, live_server, demo, screenshot):
    context, page = _open(browser, live_server, {"width": 1366, "height": 900})
    assert page.get_by_role("heading", name="Контроль исполнения").is_visible()
    assert page.get_by_test_id("type-row").count() >= 1
    assert page.locator("svg.control-chart").count() >= 1
    assert page.get_by_test_id("stuck-row").count() >= 1
    assert "Данные на" in page.get_by_test_id("figures-time").inner_text()
    screenshot(page, "control-dashboard-desktop")
    assert page.evaluate("window.__csp") == []
    page.get_by_test_id("count-overdue").first.click()
    page.wait_for_url("**/control/documents/**")
    assert page.get_by_test_id("control-row").count() >= 1
    screenshot(page, "control-list-desktop")
    context.close()


def test_dashboard_on_a_phone(browser, live_server, demo, screenshot):
    context, page = _open(
        browser, live_server, {"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    assert page.get_by_test_id("type-row").first.is_visible()
    chart = page.locator("svg.control-chart").first
    box = chart.bounding_box()
    assert box is not None and box["width"] <= 375
    # text in the chart stays legible: at least 10 px on screen
    size = page.evaluate(
        "() => document.querySelector('svg.control-chart text').getBoundingClientRect().height"
    )
    assert size >= 10
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "control-dashboard-phone")
    assert page.evaluate("window.__csp") == []
    context.close()
