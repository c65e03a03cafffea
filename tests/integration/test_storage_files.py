"""Storing uploads, building folder paths, filing, and the permission-checked download."""

import hashlib
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.urls import reverse

from storage import registry, services
from storage import testing as samples
from storage.models import Folder, FolderEntry, StoredFile
from storage.validation import UploadRejected
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files_on_disk(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


@pytest.fixture
def subject_checks():
    """Tests register a visibility rule for a stand-in document type (ContentType of User)."""
    registered = []

    def allow(model, fn):
        registry.register_subject_visibility(model, fn)
        registered.append(model)

    yield allow
    for model in registered:
        registry.unregister_subject_visibility(model)


def test_upload_is_stored_under_a_generated_name_with_its_sha256(db, media):
    """GIVEN a PDF named by a careless user WHEN it is stored
    THEN it lies under files/YYYY/MM/<uuid>.pdf, keeps its original name for people, and the
    sha256, size and detected type are recorded."""
    user = UserFactory()
    data = samples.pdf_bytes()
    stored = services.stored_file_create(
        upload=samples.upload("../../Письмо №5 от 01.02.pdf", data, "text/html"),
        uploaded_by=user,
    )
    stored.refresh_from_db()
    assert stored.original_name == "Письмо №5 от 01.02.pdf"
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    assert stored.content_type == "application/pdf"
    parts = stored.file.name.split("/")
    assert parts[0] == "files" and len(parts) == 4 and parts[3].endswith(".pdf")
    assert len(parts[3]) == len("0123456789abcdef0123456789abcdef.pdf")
    assert (media / stored.file.name).read_bytes() == data


def test_stored_extension_follows_the_content_not_the_name(db, media):
    """GIVEN a PNG named «скан» without extension WHEN stored THEN it is saved as .png and
    shown as «скан.png»."""
    stored = services.stored_file_create(
        upload=samples.upload("скан", samples.png_bytes()), uploaded_by=UserFactory()
    )
    assert stored.file.name.endswith(".png")
    assert stored.original_name == "скан.png"


def test_a_refused_upload_writes_nothing(db, media):
    """GIVEN an executable renamed to .pdf WHEN it is stored THEN it is refused, no row, no file."""
    with pytest.raises(UploadRejected):
        services.stored_file_create(
            upload=samples.upload("счёт.pdf", samples.EXE_BYTES), uploaded_by=UserFactory()
        )
    assert not StoredFile.objects.exists()
    assert _files_on_disk(media) == []


def test_no_orphan_file_when_the_callers_transaction_rolls_back(db, media, settings):
    """GIVEN a document app that stores a file and then fails in the same transaction
    WHEN the transaction rolls back THEN no row remains, and the orphan sweep deletes the file
    (after its grace period) while a committed file is kept."""
    from storage.jobs import orphan_files_sweep

    user = UserFactory()
    kept = services.stored_file_create(
        upload=samples.upload("нужный.pdf", samples.pdf_bytes()), uploaded_by=user
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        services.stored_file_create(
            upload=samples.upload("ненужный.pdf", samples.pdf_bytes("x")), uploaded_by=user
        )
        raise RuntimeError("the letter could not be registered")
    assert StoredFile.objects.count() == 1
    assert len(_files_on_disk(media)) == 2
    assert orphan_files_sweep(grace_seconds=3600) == 0  # too fresh: may belong to a live upload
    assert orphan_files_sweep(grace_seconds=0) == 1
    assert _files_on_disk(media) == [media / kept.file.name]


def test_inner_failure_deletes_the_written_file_at_once(db, media, monkeypatch):
    """GIVEN the database refuses the row after the bytes were written
    WHEN storing THEN the error propagates and no file stays on disk."""

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database is gone")

    monkeypatch.setattr(StoredFile, "save", broken_save)
    with pytest.raises(RuntimeError):
        services.stored_file_create(
            upload=samples.upload("письмо.pdf", samples.pdf_bytes()), uploaded_by=UserFactory()
        )
    assert _files_on_disk(media) == []


def test_folder_path_is_created_once_and_reused(db):
    """GIVEN no folders WHEN the path Входящие / Продажи / ООО «Ромашка» is asked twice
    THEN three folders exist, nested, with a readable path, and the second call reuses them."""
    first = services.folder_get_or_create_path(parts=["Входящие", "Продажи", "ООО «Ромашка»"])
    second = services.folder_get_or_create_path(parts=[" Входящие", "Продажи ", "ООО  «Ромашка»"])
    assert first == second
    assert Folder.objects.count() == 3
    assert first.path == "Входящие / Продажи / ООО «Ромашка»"
    assert first.parent.parent.name == "Входящие" and first.parent.parent.parent is None
    services.folder_get_or_create_path(parts=["Исходящие", "Продажи"])
    assert Folder.objects.filter(name="Продажи").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_jobs_creating_the_same_path_at_once_make_one_folder_each_level():
    """GIVEN two jobs filing into the same new counterparty folder at the same moment
    WHEN both create the path THEN one folder per level exists and both got the same folder."""
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            barrier.wait(timeout=5)
            with transaction.atomic():
                folder = services.folder_get_or_create_path(
                    parts=["Входящие", "Бухгалтерия", "АО «Вектор»"]
                )
            results.append(folder.pk)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert Folder.objects.count() == 3
    assert Folder.objects.filter(parent__isnull=True, name="Входящие").count() == 1


def test_filing_twice_files_once(db, media):
    """GIVEN a stored file WHEN it is filed into the same folder twice, the second time with its
    document THEN one entry exists, linked to the document."""
    user = UserFactory()
    stored = services.stored_file_create(
        upload=samples.upload("письмо.pdf", samples.pdf_bytes()), uploaded_by=user
    )
    folder = services.folder_get_or_create_path(parts=["Входящие", "Продажи"])
    entry, created = services.folder_file(folder=folder, stored_file=stored, label="Вх-1")
    again, created_again = services.folder_file(
        folder=folder, stored_file=stored, label="Вх-1 (повтор)", subject=user
    )
    assert created and not created_again
    assert again.pk == entry.pk
    assert FolderEntry.objects.count() == 1
    again.refresh_from_db()
    assert again.label == "Вх-1" and again.subject == user


def _stored(user):
    return services.stored_file_create(
        upload=samples.upload("Письмо ООО «Ромашка» №5.pdf", samples.pdf_bytes()),
        uploaded_by=user,
    )


def test_download_anonymous_is_sent_to_login(client, db, media):
    """GIVEN a stored file WHEN an anonymous visitor asks for it THEN they are sent to log in."""
    stored = _stored(UserFactory())
    response = client.get(reverse("storage:download", args=[stored.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_download_forbidden_is_404(client, db, media):
    """GIVEN a file uploaded by someone else and linked to nothing the user may see
    WHEN the user asks for it THEN 404 (nobody learns the file exists)."""
    stored = _stored(UserFactory())
    client.force_login(UserFactory())
    assert client.get(reverse("storage:download", args=[stored.pk])).status_code == 404
    assert client.get(reverse("storage:download", args=[stored.pk + 1000])).status_code == 404


def test_download_allowed_streams_with_the_cyrillic_name(client, db, media):
    """GIVEN the uploader WHEN they download THEN the bytes come through Django as an attachment
    whose header carries the Cyrillic name (RFC 5987), never a media URL."""
    user = UserFactory()
    stored = _stored(user)
    client.force_login(user)
    response = client.get(reverse("storage:download", args=[stored.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (media / stored.file.name).read_bytes()
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('Письмо ООО «Ромашка» №5.pdf')}" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_download_inline_for_pdf_but_never_for_office_files(client, db, media):
    """GIVEN a PDF and a DOCX WHEN asked with ?inline=1 THEN the PDF opens inline, the DOCX is
    still an attachment."""
    user = UserFactory()
    client.force_login(user)
    pdf = _stored(user)
    docx = services.stored_file_create(
        upload=samples.upload("договор.docx", samples.docx_bytes()), uploaded_by=user
    )
    url = reverse("storage:download", args=[pdf.pk]) + "?inline=1"
    assert client.get(url)["Content-Disposition"].startswith("inline;")
    url = reverse("storage:download", args=[docx.pk]) + "?inline=1"
    assert client.get(url)["Content-Disposition"].startswith("attachment;")


def test_download_allowed_by_a_registered_check_and_by_a_visible_document(
    client, db, media, subject_checks
):
    """GIVEN a reader who is not the uploader
    WHEN a document app's check allows them THEN they download;
    WHEN instead the file is filed under a document they may see THEN they download too;
    a superuser always may."""
    owner, reader = UserFactory(), UserFactory()
    stored = _stored(owner)
    url = reverse("storage:download", args=[stored.pk])
    client.force_login(reader)
    assert client.get(url).status_code == 404

    def check(user, stored_file):
        return user == reader and stored_file.pk == stored.pk

    registry.register_download_check(check)
    try:
        assert client.get(url).status_code == 200
    finally:
        registry.unregister_download_check(check)
    assert client.get(url).status_code == 404

    folder = services.folder_get_or_create_path(parts=["Входящие"])
    services.folder_file(folder=folder, stored_file=stored, subject=owner)
    subject_checks(type(owner), lambda user, ids: ids if user == reader else [])
    assert client.get(url).status_code == 200
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(url).status_code == 200
    assert ContentType.objects.get_for_model(owner)  # the stand-in subject type is real


def test_media_is_not_served_by_url(client, db, media):
    """GIVEN a stored file WHEN someone guesses its media path THEN nothing is served."""
    user = UserFactory()
    stored = _stored(user)
    client.force_login(user)
    assert client.get(f"/media/{stored.file.name}").status_code == 404
    assert client.get(f"/{stored.file.name}").status_code == 404
