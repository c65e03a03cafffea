"""The folder browser, the filing job and the admin of the storage app."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_q.models import Schedule

from storage import jobs, registry, services
from storage import testing as samples
from storage.models import Folder, FolderEntry
from tests.factories import UserFactory
from workflow.models import Task

PATH = ["Входящие", "Продажи", "ООО «Ромашка»"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def tasks_visible_to_assignee():
    """A stand-in document type: a workflow Task is visible to its assignee only."""

    def visible(user, ids):
        return Task.objects.filter(pk__in=ids, assignee=user).values_list("pk", flat=True)

    registry.register_subject_visibility(Task, visible)
    yield
    registry.unregister_subject_visibility(Task)


@pytest.fixture
def folders_visible_to_all():
    """Another stand-in document type with a page of its own (Folder has get_absolute_url)."""
    registry.register_subject_visibility(Folder, lambda user, ids: ids)
    yield
    registry.unregister_subject_visibility(Folder)


def _task(assignee, title):
    creator = UserFactory()
    return Task.objects.create(
        kind="workflow.instruction", title=title, assignee=assignee, created_by=creator
    )


def _file(user, name="письмо.pdf"):
    return services.stored_file_create(
        upload=samples.upload(name, samples.pdf_bytes()), uploaded_by=user
    )


def _filed(folder, user, subject, name="письмо.pdf", label=""):
    entry, _ = services.folder_file(
        folder=folder, stored_file=_file(user, name), subject=subject, label=label
    )
    return entry


def test_folder_pages_need_a_login(client, db):
    """GIVEN an anonymous visitor WHEN they open the folders THEN they are sent to log in."""
    folder = services.folder_get_or_create_path(parts=PATH)
    for url in (reverse("storage:folder-root"), reverse("storage:folder", args=[folder.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_root_lists_the_top_folders_and_an_unknown_folder_is_404(client, db):
    """GIVEN «Входящие» and «Исходящие», each holding a file the employee uploaded
    WHEN they open /files/folders/ THEN both are listed with links; a folder id that does not
    exist gives 404."""
    user = UserFactory()
    _filed(services.folder_get_or_create_path(parts=PATH), user, None)
    outgoing = services.folder_get_or_create_path(parts=["Исходящие"])
    _filed(outgoing, user, None)
    client.force_login(user)
    page = client.get(reverse("storage:folder-root")).content.decode()
    assert "Входящие" in page and "Исходящие" in page
    assert reverse("storage:folder", args=[outgoing.pk]) in page
    assert "Продажи" not in page  # only the top level
    assert client.get(reverse("storage:folder", args=[999999])).status_code == 404


def test_empty_tree_says_so(client, db):
    """GIVEN no folders WHEN the root is opened THEN a Russian explanation is shown."""
    client.force_login(UserFactory())
    assert (
        "Доступных вам папок пока нет"
        in client.get(reverse("storage:folder-root")).content.decode()
    )


def test_folder_shows_breadcrumbs_and_only_files_of_documents_the_user_may_see(
    client, db, tasks_visible_to_assignee
):
    """GIVEN a counterparty folder with a letter of the reader, a letter of someone else, and a
    file the reader uploaded without a document
    WHEN the reader opens it THEN breadcrumbs lead back to «Входящие» and «Продажи», the reader's
    letter and own file are listed with size and document, the other letter is not."""
    reader, other = UserFactory(), UserFactory()
    folder = services.folder_get_or_create_path(parts=PATH)
    _filed(folder, other, _task(reader, "Вх-15 от ООО «Ромашка»"), "Письмо 15.pdf")
    _filed(folder, other, _task(other, "Вх-16 секретное"), "Секрет 16.pdf")
    _filed(folder, reader, None, "Моя заметка.pdf")
    client.force_login(reader)
    response = client.get(reverse("storage:folder", args=[folder.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    sales = folder.parent
    assert f'href="{reverse("storage:folder", args=[sales.pk])}"' in page
    assert f'href="{reverse("storage:folder", args=[sales.parent.pk])}"' in page
    assert "Письмо 15.pdf" in page and "Вх-15 от ООО «Ромашка»" in page
    assert "Моя заметка.pdf" in page
    assert "Секрет 16" not in page
    assert "КБ" in page or "байт" in page


def test_a_linked_document_with_a_page_is_a_link(client, db, folders_visible_to_all):
    """GIVEN a file filed with a document that has its own page WHEN listed THEN the document
    name links to that page, and the file name links to the checked download."""
    reader = UserFactory()
    folder = services.folder_get_or_create_path(parts=PATH)
    document = services.folder_get_or_create_path(parts=["Документ-заглушка"])
    entry = _filed(folder, UserFactory(), document)
    client.force_login(reader)
    page = client.get(reverse("storage:folder", args=[folder.pk])).content.decode()
    assert f'href="{document.get_absolute_url()}"' in page
    assert f'href="{entry.stored_file.get_download_url()}"' in page
    assert "/media/" not in page


def test_folder_page_runs_a_constant_number_of_queries(client, db, tasks_visible_to_assignee):
    """GIVEN a folder with 3 visible files and subfolders, then with 25
    WHEN the page is opened THEN the number of queries is the same."""
    reader = UserFactory()
    folder = services.folder_get_or_create_path(parts=PATH)
    services.folder_get_or_create_path(parts=[*PATH, "2025"])
    client.force_login(reader)
    url = reverse("storage:folder", args=[folder.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        _filed(folder, UserFactory(), _task(reader, f"Вх-{i}"), f"п{i}.pdf")
    services.folder_get_or_create_path(parts=[*PATH, "2026"])
    few = count()
    for i in range(3, 25):
        _filed(folder, UserFactory(), _task(reader, f"Вх-{i}"), f"п{i}.pdf")
    for year in ("2023", "2024"):
        services.folder_get_or_create_path(parts=[*PATH, year])
    many = count()
    assert few == many
    page = client.get(url).content.decode()
    assert page.count('data-testid="file-row"') == 25


def test_filing_job_creates_the_path_and_running_it_twice_files_once(db, tasks_visible_to_assignee):
    """GIVEN two stored files of a letter WHEN the filing job runs twice
    THEN the counterparty folder exists under the department, holds both files once, linked."""
    user = UserFactory()
    letter = _task(user, "Вх-20")
    files = [_file(user, "a.pdf"), _file(user, "b.pdf")]
    ct = ContentType.objects.get_for_model(Task)
    args = ([f.pk for f in files], PATH, ct.pk, letter.pk, "Вх-20")
    assert jobs.file_into_folder(*args) == 2
    assert jobs.file_into_folder(*args) == 0
    folder = Folder.objects.get(path="Входящие / Продажи / ООО «Ромашка»")
    entries = FolderEntry.objects.filter(folder=folder)
    assert entries.count() == 2
    assert {e.subject for e in entries} == {letter}
    assert {e.label for e in entries} == {"Вх-20"}


def test_filing_job_survives_a_deleted_file_and_a_deleted_document(db):
    """GIVEN a job for a file that was deleted and a document that is gone
    WHEN it runs THEN the remaining file is filed without a link and nothing fails."""
    user = UserFactory()
    kept = _file(user)
    ct = ContentType.objects.get_for_model(Task)
    assert (
        jobs.file_into_folder([kept.pk, 999999], ["Исходящие", "Продажи"], ct.pk, 999999, "") == 1
    )
    entry = FolderEntry.objects.get()
    assert entry.stored_file == kept and entry.object_id is None


def test_enqueue_helper_runs_the_job(db):
    """GIVEN the queue (synchronous in tests) WHEN a document app enqueues filing twice
    THEN the file is filed once into the path."""
    user = UserFactory()
    stored = _file(user)
    letter = _task(user, "Исх-3")
    services.folder_filing_enqueue(stored_files=[stored], parts=PATH, subject=letter, label="Исх-3")
    services.folder_filing_enqueue(stored_files=[stored], parts=PATH, subject=letter, label="Исх-3")
    assert (
        FolderEntry.objects.filter(folder__path=" / ".join(PATH), object_id=letter.pk).count() == 1
    )


def test_orphan_sweep_is_scheduled_daily(db):
    """GIVEN a migrated database THEN the orphan-file sweep is scheduled once a day."""
    schedule = Schedule.objects.get(name="storage.orphan_files_sweep")
    assert schedule.func == "storage.jobs.orphan_files_sweep" and schedule.schedule_type == "D"


def test_admin_is_read_only(client, db):
    """GIVEN a superuser WHEN they open storage in the admin THEN files and folders are listed
    and viewable, but cannot be added (files come from uploads, folders from filing)."""
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    stored = _file(admin_user, "Акт сверки.pdf")
    folder = services.folder_get_or_create_path(parts=PATH)
    services.folder_file(folder=folder, stored_file=stored)
    client.force_login(admin_user)
    listing = client.get(reverse("admin:storage_storedfile_changelist")).content.decode()
    assert "Акт сверки.pdf" in listing
    detail = client.get(
        reverse("admin:storage_storedfile_change", args=[stored.pk])
    ).content.decode()
    assert stored.get_download_url() in detail and stored.sha256 in detail
    assert "/media/" not in detail
    assert client.get(reverse("admin:storage_folder_change", args=[folder.pk])).status_code == 200
    assert client.get(reverse("admin:storage_folder_add")).status_code == 403
    assert client.get(reverse("admin:storage_storedfile_add")).status_code == 403
