"""An employee browses the folder tree with a real Chromium, on desktop and on a phone."""

import pytest

from storage import registry, services
from storage import testing as samples
from tests.factories import UserFactory
from workflow.models import Task

pytestmark = pytest.mark.browser

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory


@pytest.fixture
def tree(transactional_db, settings, tmp_path):
    """Входящие / Продажи / ООО «Ромашка» with two letters' scans of the reader and one of
    someone else; Входящие / Бухгалтерия holds only someone else's letter; Исходящие / Продажи
    holds one more letter of the reader. A Task stands in for a letter (visible to its
    assignee)."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def visible(user, ids):
        return Task.objects.filter(pk__in=ids, assignee=user).values_list("pk", flat=True)

    registry.register_subject_visibility(Task, visible)
    reader = UserFactory(username="reader", first_name="Ирина", last_name="Смирнова")
    other = UserFactory(username="other", first_name="Олег", last_name="Петров")
    folder = services.folder_get_or_create_path(parts=["Входящие", "Продажи", "ООО «Ромашка»"])
    accounting = services.folder_get_or_create_path(parts=["Входящие", "Бухгалтерия"])
    outgoing = services.folder_get_or_create_path(parts=["Исходящие", "Продажи"])
    for number, owner, name, where in [
        (15, reader, "Письмо ООО «Ромашка» о продлении аренды офиса №15.pdf", folder),
        (16, reader, "Акт сверки за 1 квартал.pdf", folder),
        (17, other, "Претензия конфиденциальная.pdf", folder),
        (18, other, "Счёт бухгалтерии.pdf", accounting),
        (19, reader, "Ответ ООО «Ромашка».pdf", outgoing),
    ]:
        letter = Task.objects.create(
            kind="workflow.instruction",
            title=f"Вх-{number} от ООО «Ромашка»",
            assignee=owner,
            created_by=other,
        )
        stored = services.stored_file_create(
            upload=samples.upload(name, samples.pdf_bytes()), uploaded_by=other
        )
        services.folder_file(folder=where, stored_file=stored, subject=letter)
    yield {"reader": reader, "folder": folder}
    registry.unregister_subject_visibility(Task)


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/files/folders/")
    assert "/login/" in page.url
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/files/folders/")


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_employee_walks_down_the_tree_and_downloads_a_scan(browser, live_server, tree, screenshot):
    """GIVEN the folder tree WHEN the reader opens «Папки» and walks Входящие → Продажи →
    ООО «Ромашка» THEN breadcrumbs show the way, their letters' scans are listed with the
    letters, the other letter's scan is not, and a scan downloads under its Cyrillic name."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _log_in(page, live_server.url, "reader")
    assert page.get_by_role("heading", name="Папки с документами").is_visible()
    assert page.get_by_test_id("folder-row").count() == 2
    screenshot(page, "storage-root-desktop")
    page.get_by_test_id("folder-row").filter(has_text="Входящие").click()
    page.get_by_test_id("folder-row").filter(has_text="Продажи").click()
    page.get_by_test_id("folder-row").filter(has_text="ООО «Ромашка»").click()
    crumbs = page.get_by_test_id("breadcrumbs")
    assert crumbs.inner_text().split("\n") == ["Папки", "Входящие", "Продажи", "ООО «Ромашка»"]
    rows = page.get_by_test_id("file-row")
    assert rows.count() == 2
    assert "Вх-15 от ООО «Ромашка»" in rows.filter(has_text="№15").inner_text()
    assert "Претензия" not in page.content()
    screenshot(page, "storage-folder-desktop")

    with page.expect_download() as info:
        rows.filter(has_text="Акт сверки").get_by_test_id("file-download").click()
    download = info.value
    assert download.suggested_filename == "Акт сверки за 1 квартал.pdf"
    assert download.path().read_bytes().startswith(b"%PDF-")

    crumbs.get_by_role("link", name="Входящие").click()
    page.get_by_role("heading", name="Входящие").wait_for()
    # «Бухгалтерия» holds only a letter the reader may not open: it is not even listed
    rows = page.get_by_test_id("folder-row")
    assert rows.count() == 1 and "Продажи" in rows.inner_text()
    assert "Бухгалтерия" not in page.content()
    assert "файлов: 2" in rows.inner_text()
    context.close()


def test_folder_is_usable_on_a_phone(browser, live_server, tree, screenshot):
    """GIVEN a 375 px wide phone WHEN the reader opens the counterparty folder
    THEN the long file names wrap, nothing scrolls sideways, the breadcrumbs are visible."""
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    _log_in(page, live_server.url, "reader")
    assert _no_sideways_scroll(page)
    screenshot(page, "storage-root-phone")
    page.goto(f"{live_server.url}/files/folders/{tree['folder'].pk}/")
    assert page.get_by_test_id("breadcrumbs").is_visible()
    assert page.get_by_test_id("file-row").count() == 2
    assert _no_sideways_scroll(page)
    screenshot(page, "storage-folder-phone")
    context.close()
