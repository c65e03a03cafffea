"""The folder browser names a folder only to people who may open a file in it or below it, and
counts only what they may see (a folder name «Входящие / Продажи / ООО «Ромашка»» alone tells who
wrote to which department)."""

import pytest
from django.urls import reverse

from correspondence.selectors import letter_files
from correspondence.testing import build_world, pdf_upload, register
from storage import services
from storage.models import Folder
from tests.factories import employee


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def filed(org):
    """Two incoming letters registered by the office manager for the sales department, their
    scans filed under «Входящие / Продажи / <counterparty>»; a third letter's scan filed under
    «Входящие / Бухгалтерия / ООО «ЛифтСервис»»."""
    world = build_world(org)
    letters = [
        register(
            org["office"],
            entity=world["entity"],
            counterparty=world["tenant"],
            responsible=org["seller"],
            subject="О продлении аренды",
        ),
        register(
            org["office"],
            entity=world["entity"],
            counterparty=world["tenant"],
            responsible=org["seller"],
            subject="Об индексации",
        ),
    ]
    roma = services.folder_get_or_create_path(parts=["Входящие", "Продажи", world["tenant"].name])
    for letter in letters:
        for letter_file in letter_files(letter):
            services.folder_file(folder=roma, stored_file=letter_file.stored_file, subject=letter)
    other = register(
        org["office"],
        entity=world["entity"],
        counterparty=world["contractor"],
        responsible=org["office"],
        subject="Счёт за ремонт лифта",
    )
    accounting = services.folder_get_or_create_path(
        parts=["Входящие", "Бухгалтерия", world["contractor"].name]
    )
    for letter_file in letter_files(other):
        services.folder_file(folder=accounting, stored_file=letter_file.stored_file, subject=other)
    world["folders"] = {"roma": roma, "accounting": accounting}
    return world


def _rows(client, url) -> list[str]:
    html = client.get(url).content.decode()
    return [part.split("</span>")[0] for part in html.split('text-break fw-semibold">')[1:]]


@pytest.mark.django_db
def test_a_user_of_another_department_sees_no_folder_at_all(client, filed):
    """GIVEN an employee of the legal department with no part in these letters
    WHEN they open the folders THEN no folder is listed, and each folder's page answers 404."""
    outsider = employee("legal_clerk", filed["departments"]["legal"])
    client.force_login(outsider)
    root = client.get(reverse("storage:folder-root"))
    assert root.status_code == 200
    assert _rows(client, reverse("storage:folder-root")) == []
    assert "Доступных вам папок пока нет" in root.content.decode()
    for folder in Folder.objects.all():
        assert client.get(reverse("storage:folder", args=[folder.pk])).status_code == 404


@pytest.mark.django_db
def test_the_responsible_employee_sees_only_the_path_to_their_letters(client, filed):
    """GIVEN the seller responsible for the two tenant letters WHEN they browse
    THEN they see «Входящие» → «Продажи» → the tenant's folder with 2 files, never
    «Бухгалтерия», whose page is 404 for them; the counts are theirs: 2 files, 1 subfolder."""
    client.force_login(filed["seller"])
    assert _rows(client, reverse("storage:folder-root")) == ["Входящие"]
    incoming = Folder.objects.get(parent=None, name="Входящие")
    html = client.get(reverse("storage:folder", args=[incoming.pk])).content.decode()
    assert _rows(client, reverse("storage:folder", args=[incoming.pk])) == ["Продажи"]
    assert "подпапок: 1 · файлов: 2" in html
    assert "Бухгалтерия" not in html
    accounting = filed["folders"]["accounting"]
    assert client.get(reverse("storage:folder", args=[accounting.pk])).status_code == 404
    assert client.get(reverse("storage:folder", args=[accounting.parent_id])).status_code == 404
    roma = client.get(reverse("storage:folder", args=[filed["folders"]["roma"].pk]))
    assert roma.status_code == 200
    assert roma.content.decode().count('data-testid="file-row"') == 2


@pytest.mark.django_db
def test_the_general_director_sees_every_folder_with_full_counts(client, filed):
    """GIVEN the general director (sees all correspondence) WHEN they open «Входящие»
    THEN both departments are listed with their own counts."""
    client.force_login(filed["gendir"])
    incoming = Folder.objects.get(parent=None, name="Входящие")
    html = client.get(reverse("storage:folder", args=[incoming.pk])).content.decode()
    assert _rows(client, reverse("storage:folder", args=[incoming.pk])) == [
        "Бухгалтерия",
        "Продажи",
    ]
    assert "подпапок: 1 · файлов: 1" in html and "подпапок: 1 · файлов: 2" in html


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client, filed):
    """GIVEN nobody signed in WHEN a folder URL is opened THEN the login page is the answer."""
    for url in (
        reverse("storage:folder-root"),
        reverse("storage:folder", args=[filed["folders"]["roma"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_the_folder_listing_runs_a_constant_number_of_queries(
    client, filed, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    """GIVEN the tree WHEN it grows by 30 more counterparty folders with letters
    THEN the root and «Входящие» pages run no more queries than before."""
    client.force_login(filed["seller"])
    incoming = Folder.objects.get(parent=None, name="Входящие")
    url = reverse("storage:folder", args=[incoming.pk])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    stored = services.stored_file_create
    for n in range(30):
        folder = services.folder_get_or_create_path(parts=["Входящие", "Продажи", f"ООО «{n}»"])
        services.folder_file(
            folder=folder,
            stored_file=stored(upload=pdf_upload(f"{n}.pdf"), uploaded_by=filed["seller"]),
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(url).status_code == 200
