"""Dossiers of a counterparty, a project and a thread: visible documents only, in date order,
with «в ответ на»; the ZIP export checked file by file; the size limit; the requester only."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from correspondence.services.incoming.decisions import outgoing_reply_draft_create
from correspondence.testing import build_world, register
from search.dossier_export import dossier_exports_cleanup
from search.models import DossierExport, ExportState
from storage.services import stored_file_create
from storage.testing import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = build_world(org)
    from django.core.files.uploadedfile import SimpleUploadedFile

    scan = stored_file_create(
        upload=SimpleUploadedFile("претензия.pdf", pdf_bytes("Claim"), "application/pdf"),
        uploaded_by=w["office"],
    )
    w["incoming"] = register(
        w["office"],
        entity=w["entity"],
        counterparty=w["tenant"],
        subject="Претензия по аренде",
        received_on=timezone.localdate() - dt.timedelta(days=3),
        files=[scan],
    )
    w["reply"] = outgoing_reply_draft_create(
        letter=w["incoming"],
        user=w["office"],
        text="Ответ на претензию",
        files=[
            stored_file_create(
                upload=SimpleUploadedFile("ответ.pdf", pdf_bytes("Answer"), "application/pdf"),
                uploaded_by=w["office"],
            )
        ],
    )
    w["other"] = register(w["office"], entity=w["entity"], counterparty=w["contractor"])
    return w


def _url(code, pk):
    return reverse(f"search:dossier-{code}", args=[pk])


def test_counterparty_dossier_lists_visible_letters_in_date_order(client, world):
    client.force_login(world["office"])
    page = client.get(_url("counterparty", world["tenant"].pk)).content.decode()
    assert page.count('data-testid="dossier-row"') == 2
    assert page.index("Претензия по аренде") < page.index("Ответ на вх.")
    assert 'data-testid="dossier-reply"' in page and world["incoming"].get_absolute_url() in page
    assert "претензия.pdf" in page and "ответ.pdf" in page
    assert world["other"].reg_number not in page


def test_another_department_sees_an_empty_counterparty_dossier_and_no_thread(client, world):
    client.force_login(world["outsider"])
    page = client.get(_url("counterparty", world["tenant"].pk)).content.decode()
    assert 'data-testid="dossier-empty"' in page and "Претензия" not in page
    assert client.get(_url("thread", world["incoming"].thread_id)).status_code == 404
    response = client.post(reverse("search:dossier-counterparty-export", args=[world["tenant"].pk]))
    assert response.status_code == 302
    assert not DossierExport.objects.exists()


def test_period_filter(client, world):
    client.force_login(world["office"])
    today = timezone.localdate()
    page = client.get(
        _url("thread", world["incoming"].thread_id),
        {"date_from": (today - dt.timedelta(days=1)).isoformat()},
    ).content.decode()
    assert page.count('data-testid="dossier-row"') == 1 and "Ответ на вх." in page


def test_export_zip_holds_index_files_and_history(client, world):
    """GIVEN the tenant's dossier WHEN the registrar exports it THEN the job builds a ZIP with
    the index (xlsx, pdf), one folder per document with its files and its history PDF; only
    the requester may download it, and it is removed after 7 days."""
    client.force_login(world["office"])
    response = client.post(reverse("search:dossier-counterparty-export", args=[world["tenant"].pk]))
    export = DossierExport.objects.get()
    assert response["Location"] == reverse("search:export-detail", args=[export.pk])
    assert export.state == ExportState.DONE and export.done == 2
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="export-download"' in page
    download = client.get(reverse("search:export-download", args=[export.pk]))
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = sorted(archive.namelist())
    incoming_folder = f"001 {world['incoming'].reg_number.replace('/', '_')} — Претензия по аренде"
    assert f"{incoming_folder}/претензия.pdf" in names
    assert f"{incoming_folder}/история и лист согласования.pdf" in names
    reply_files = [n for n in names if n.startswith("002 ")]
    assert {n.rsplit("/", 1)[1] for n in reply_files} == {
        "ответ.pdf",
        "история и лист согласования.pdf",
    }
    assert "опись.xlsx" in names and "опись.pdf" in names
    assert len(names) == 6
    assert (
        archive.read(f"{incoming_folder}/претензия.pdf")
        == world["incoming"].letter_files.get().stored_file.file.open("rb").read()
    )
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(archive.read("опись.xlsx"))).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0][3] == f"{world['incoming'].reg_number} — Претензия по аренде"
    assert rows[1][3].endswith(world["reply"].subject)
    assert rows[1][6] == f"{world['incoming'].reg_number} — Претензия по аренде"  # «в ответ на»
    assert archive.read("опись.pdf").startswith(b"%PDF")
    history = archive.read(f"{incoming_folder}/история и лист согласования.pdf")
    assert history.startswith(b"%PDF")
    # someone else, even the general director, may not download it
    client.force_login(world["gendir"])
    assert client.get(reverse("search:export-download", args=[export.pk])).status_code == 404
    assert client.get(reverse("search:export-detail", args=[export.pk])).status_code == 404
    # kept 7 days, then the cleanup removes the row and the file
    path = export.file.path
    DossierExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert dossier_exports_cleanup() == 1
    assert not DossierExport.objects.exists()
    import os

    assert not os.path.exists(path)


def test_over_the_limit_is_refused_with_advice(client, world, settings):
    settings.ARGO_DOSSIER_MAX_DOCUMENTS = 1
    client.force_login(world["office"])
    response = client.post(
        reverse("search:dossier-counterparty-export", args=[world["tenant"].pk]), follow=True
    )
    page = response.content.decode()
    assert "Досье слишком большое" in page and "Сузьте период" in page
    assert not DossierExport.objects.exists()


def test_links_from_the_company_card_and_the_thread(client, world):
    client.force_login(world["office"])
    card = client.get(reverse("crm:company-detail", args=[world["tenant"].pk])).content.decode()
    assert _url("counterparty", world["tenant"].pk) in card
    thread = client.get(world["incoming"].thread.get_absolute_url()).content.decode()
    assert _url("thread", world["incoming"].thread_id) in thread
