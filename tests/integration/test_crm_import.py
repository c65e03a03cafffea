"""Company import wizard (R7): both formats, both encodings, bad rows, re-import, speed."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from crm.models import (
    CompanyImport,
    Counterparty,
    CounterpartyCategory,
    ImportState,
    Industry,
    ProcessingStatus,
)

HEADER = ["Наименование", "ИНН", "Телефон", "Контактное лицо", "E-mail"]
ROWS = [
    ["ООО «Теплосеть»", "7801000001", "+7 812 000-00-01", "Иванов Иван", "info@teplo.example"],
    ["ТСЖ «Южное»", "", "+7 812 000-00-02", "Сёмина Ольга", ""],
    ["УК «Дом-Сервис»", "7801000003", "", "Пётр Кузьмин", ""],
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def zhkh(db):
    return Industry.objects.create(name="ЖКХ", starts_pipeline=True)


def _csv(rows, *, encoding, delimiter):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def _xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _run_wizard(client, name, content, *, industry=None, responsible=None, mapping=None):
    response = client.post(
        "/crm/import/", {"file": SimpleUploadedFile(name, content)}, follow=False
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    company_import = CompanyImport.objects.latest("id")
    response = client.get(response["Location"])
    assert response.status_code == 200
    data = {
        "col_name": "0",
        "col_inn": "1",
        "col_kpp": "",
        "col_phone": "2",
        "col_email": "4",
        "col_address": "",
        "col_contact_person": "3",
        "initial_status": ProcessingStatus.IMPORTED,
        "category": CounterpartyCategory.CLIENT,
        "industry": industry.pk if industry else "",
        "responsible": responsible.pk if responsible else "",
    }
    data.update(mapping or {})
    response = client.post(f"/crm/import/{company_import.pk}/mapping/", data)
    assert response.status_code == 302
    company_import.refresh_from_db()
    return company_import, response


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("база.csv", _csv([HEADER, *ROWS], encoding="utf-8", delimiter=";")),
        ("база.csv", _csv([HEADER, *ROWS], encoding="cp1251", delimiter=",")),
        ("база.csv", _csv([HEADER, *ROWS], encoding="cp1251", delimiter=";")),
        ("база.xlsx", _xlsx([HEADER, *ROWS])),
    ],
    ids=["csv-utf8-semicolon", "csv-cp1251-comma", "csv-cp1251-semicolon", "xlsx"],
)
def test_import_reads_each_format_and_encoding(org, client, zhkh, name, content):
    """GIVEN a file of three companies (UTF-8 or Windows-1251 CSV, «;» or «,», or Excel)
    WHEN the seller uploads it, sees the preview, maps columns, picks ЖКХ and herself
    THEN three companies exist with Cyrillic intact, status «Импортирован», industry ЖКХ."""
    client.force_login(org["seller"])
    response = client.post("/crm/import/", {"file": SimpleUploadedFile(name, content)})
    mapping_url = response["Location"]
    page = client.get(mapping_url).content.decode()
    assert "ТСЖ «Южное»" in page  # the preview shows the first rows, decoded
    company_import, response = _run_wizard(
        client, name, content, industry=zhkh, responsible=org["seller"]
    )
    assert company_import.state == ImportState.DONE
    assert company_import.created_count == 3
    southern = Counterparty.objects.get(name="ТСЖ «Южное»")
    assert southern.contact_person == "Сёмина Ольга"
    assert southern.industry == zhkh and southern.responsible == org["seller"]
    assert southern.get_status_display() == "Импортирован"
    assert Counterparty.objects.get(inn="7801000001").email == "info@teplo.example"
    result = client.get(response["Location"]).content.decode()
    assert "Создано компаний: 3" in result


def test_bad_rows_are_reported_by_number_and_good_rows_imported(org, client):
    """GIVEN a file with an empty name (row 3), a 5-digit INN (row 4) and a broken e-mail
    (row 5) WHEN imported THEN the two good rows are created and the page lists rows 3, 4, 5
    with the reason."""
    rows = [
        HEADER,
        ["ООО «Хорошая»", "7801000010", "", "", ""],
        ["", "7801000011", "", "", ""],
        ["ООО «Плохой ИНН»", "12345", "", "", ""],
        ["ООО «Плохая почта»", "", "", "", "не-почта"],
        ["ООО «Тоже хорошая»", "", "", "", ""],
    ]
    client.force_login(org["seller"])
    company_import, response = _run_wizard(
        client, "x.csv", _csv(rows, encoding="utf-8", delimiter=";")
    )
    assert company_import.created_count == 2
    assert [e["row"] for e in company_import.errors] == [3, 4, 5]
    page = client.get(response["Location"]).content.decode()
    assert "не указано наименование" in page
    assert "ИНН должен состоять из 10 или 12 цифр" in page
    assert "неверный адрес эл. почты" in page


def test_reimport_creates_no_duplicates(org, client):
    """GIVEN a file already imported WHEN the same companies come again (names in other case
    and quotes, INN the same) THEN nothing new is created; they count as already present."""
    client.force_login(org["seller"])
    content = _csv([HEADER, *ROWS], encoding="utf-8", delimiter=";")
    _run_wizard(client, "a.csv", content)
    again = [
        HEADER,
        ["ООО Теплосеть (новое название)", "7801000001", "", "", ""],
        ['тсж "южное"', "", "", "", ""],
        ["УК «Дом-Сервис»", "7801000003", "", "", ""],
    ]
    company_import, _response = _run_wizard(
        client, "b.csv", _csv(again, encoding="utf-8", delimiter=";")
    )
    assert company_import.created_count == 0
    assert company_import.duplicate_count == 3
    assert Counterparty.objects.count() == 3


def test_two_thousand_rows_import_with_bulk_writes(org, client):
    """GIVEN 2,000 rows WHEN imported THEN all are created with a handful of queries (bulk
    inserts in batches, duplicates looked up in one query per key kind), not one per row.
    The wall time is measured by bench/crm_import.py, not asserted here."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [HEADER] + [[f"ООО «Компания {i}»", f"78{i:08d}", "", "", ""] for i in range(2000)]
    client.force_login(org["seller"])
    with CaptureQueriesContext(connection) as queries:
        company_import, _response = _run_wizard(client, "big.xlsx", _xlsx(rows))
    assert company_import.created_count == 2000
    assert Counterparty.objects.count() == 2000
    assert len(queries) < 80, len(queries)


def test_wrong_file_is_refused_with_a_message(org, client):
    """GIVEN a PDF, or a file named .xlsx that is not Excel WHEN uploaded THEN a Russian
    message on the form, nothing stored."""
    client.force_login(org["seller"])
    response = client.post("/crm/import/", {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")})
    assert "Поддерживаются только файлы .xlsx и .csv." in response.content.decode()
    response = client.post("/crm/import/", {"file": SimpleUploadedFile("a.xlsx", b"not excel")})
    assert "Файл не похож на книгу Excel" in response.content.decode()
    assert not CompanyImport.objects.exists()


def test_import_permissions(org, client):
    """GIVEN the wizard WHEN anonymous → login; the registrar (no manager role, no team) → 404;
    another manager cannot open someone's upload."""
    assert client.get("/crm/import/").status_code == 302
    client.force_login(org["office"])
    assert client.get("/crm/import/").status_code == 404
    client.force_login(org["seller"])
    client.post(
        "/crm/import/",
        {
            "file": SimpleUploadedFile(
                "a.csv", _csv([HEADER, *ROWS], encoding="utf-8", delimiter=";")
            )
        },
    )
    company_import = CompanyImport.objects.get()
    client.force_login(org["seller2"])
    assert client.get(f"/crm/import/{company_import.pk}/mapping/").status_code == 404
    assert client.get(f"/crm/import/{company_import.pk}/").status_code == 404


def test_progress_fragment_for_htmx_polling(org, client):
    """GIVEN a queued import (a worker has not picked it yet) WHEN the page polls with htmx
    THEN it gets the progress fragment that keeps polling; once done the fragment stops."""
    client.force_login(org["seller"])
    client.post(
        "/crm/import/",
        {
            "file": SimpleUploadedFile(
                "a.csv", _csv([HEADER, *ROWS], encoding="utf-8", delimiter=";")
            )
        },
    )
    company_import = CompanyImport.objects.get()
    CompanyImport.objects.filter(pk=company_import.pk).update(
        state=ImportState.RUNNING, total_rows=4, processed_rows=1
    )
    response = client.get(f"/crm/import/{company_import.pk}/", HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert 'hx-trigger="every 1s"' in fragment and "25%" in fragment
    CompanyImport.objects.filter(pk=company_import.pk).update(state=ImportState.DONE)
    fragment = client.get(f"/crm/import/{company_import.pk}/", HTTP_HX_REQUEST="true").content
    assert b"hx-trigger" not in fragment
