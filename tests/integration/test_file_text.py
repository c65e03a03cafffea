"""File text for search: text layers and office formats read directly, scans recognised by
Tesseract (rus+eng) in the background job, the state shown on the card, failures retried then
reported; the document is found by words of its file."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from correspondence.testing import build_world, register
from search.query import search
from storage import validation as v
from storage.models import FileText, StoredFile, TextState
from storage.services import stored_file_create
from storage.text_extract import extract
from storage.text_jobs import MAX_ATTEMPTS, file_text_sweep

pytestmark = pytest.mark.django_db
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SCAN_TEXT = ["ПРЕТЕНЗИЯ", "Просим погасить задолженность", "по договору поставки"]


def scan_png(lines=SCAN_TEXT) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 36)
    image = Image.new("L", (1400, 90 * len(lines) + 80), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((60, 50 + 90 * i), line, font=font, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(300, 300))
    return buffer.getvalue()


def scan_pdf(lines=SCAN_TEXT) -> bytes:
    """An image-only PDF: one page holding the picture of the text, no text layer."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(scan_png(lines)), x=10, y=10, w=190)
    return bytes(pdf.output())


def _xml_zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def world(org):
    return build_world(org)


def _register_with(world, name, data, mime):
    stored = stored_file_create(
        upload=SimpleUploadedFile(name, data, content_type=mime), uploaded_by=world["office"]
    )
    letter = register(
        world["office"], entity=world["entity"], counterparty=world["tenant"], files=[stored]
    )
    return letter, stored


def _found(world, word):
    return [
        h.object_id for g in search(world["gendir"], word) if g.kind == "incoming" for h in g.hits
    ]


@pytest.mark.slow
def test_a_russian_png_scan_is_recognised_and_found(world, client):
    """GIVEN a letter registered with a PNG scan WHEN the sweep runs THEN the file shows
    «распознан» and the letter is found by a word of the scan in another form."""
    letter, stored = _register_with(world, "scan.png", scan_png(), "image/png")
    assert FileText.objects.get(stored_file=stored).state == TextState.PENDING
    client.force_login(world["office"])
    page = client.get(letter.get_absolute_url()).content.decode()
    assert 'data-state="pending"' in page
    assert _found(world, "задолженности") == []
    file_text_sweep()
    row = FileText.objects.get(stored_file=stored)
    assert row.state == TextState.DONE and row.method == "ocr"
    assert "задолженность" in row.text.lower()
    assert _found(world, "задолженности") == [letter.pk]
    assert _found(world, "претензией") == [letter.pk]
    page = client.get(letter.get_absolute_url()).content.decode()
    assert 'data-state="done"' in page


@pytest.mark.slow
def test_an_image_only_pdf_is_recognised_and_found(world):
    letter, stored = _register_with(world, "scan.pdf", scan_pdf(), "application/pdf")
    file_text_sweep()
    row = FileText.objects.get(stored_file=stored)
    assert row.state == TextState.DONE and row.method == "ocr", row.error
    assert _found(world, "поставка") == [letter.pk]


def test_a_pdf_text_layer_is_read_without_ocr(world):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("dejavu", fname=FONT)
    pdf.set_font("dejavu", size=12)
    pdf.multi_cell(w=0, text="Акт сверки взаимных расчётов за третий квартал")
    letter, stored = _register_with(world, "akt.pdf", bytes(pdf.output()), "application/pdf")
    file_text_sweep()
    row = FileText.objects.get(stored_file=stored)
    assert row.method == "pdf" and "сверки" in row.text
    assert _found(world, "расчеты") == [letter.pk]


def test_office_documents_give_their_text():
    docx = _xml_zip(
        {
            "word/document.xml": (
                "<w:document><w:body><w:p><w:r><w:t>Договор подряда</w:t></w:r></w:p>"
                "<w:p><w:r><w:t>Смета &amp; график</w:t></w:r></w:p></w:body></w:document>"
            )
        }
    )
    assert extract(docx, v.DOCX).text == "Договор подряда\nСмета & график"
    odt = _xml_zip(
        {
            "content.xml": (
                "<office:text><text:p>Служебная записка</text:p>"
                "<text:p>о ремонте</text:p></office:text>"
            )
        }
    )
    assert extract(odt, v.ODT).text == "Служебная записка\nо ремонте"
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Счёт", 12500, None])
    buffer = io.BytesIO()
    book.save(buffer)
    assert "Счёт 12500" in extract(buffer.getvalue(), v.XLSX).text


def test_a_broken_file_is_retried_then_reported(world, client):
    """GIVEN a file whose bytes are not a readable PDF WHEN the sweep has run MAX_ATTEMPTS times
    THEN it shows «не удалось» with the reason; registration was never blocked."""
    letter, stored = _register_with(world, "scan.pdf", scan_pdf(["X"]), "application/pdf")
    with stored.file.open("wb") as handle:
        handle.write(b"%PDF-1.4 broken")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        FileText.objects.filter(stored_file=stored).update(next_attempt_at="2000-01-01T00:00Z")
        file_text_sweep()
        row = FileText.objects.get(stored_file=stored)
        assert row.attempts == attempt and row.error
    assert row.state == TextState.FAILED
    client.force_login(world["office"])
    page = client.get(letter.get_absolute_url()).content.decode()
    assert 'data-state="failed"' in page and "PDF" in page
    assert StoredFile.objects.filter(pk=stored.pk).exists()
