"""Uploads are judged by their content and size, never by the name the uploader gave them."""

import pytest

from storage import testing as samples
from storage.validation import UploadRejected, validate_upload


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("скан.pdf", samples.pdf_bytes(), "application/pdf"),
        ("фото.jpg", samples.jpeg_bytes(), "image/jpeg"),
        ("фото.png", samples.png_bytes(), "image/png"),
        ("скан.tif", samples.tiff_bytes(), "image/tiff"),
        (
            "договор.docx",
            samples.docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "реестр.xlsx",
            samples.xlsx_bytes(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("письмо.odt", samples.odt_bytes(), "application/vnd.oasis.opendocument.text"),
        ("письмо.doc", samples.ole_bytes("WordDocument"), "application/msword"),
        ("смета.xls", samples.ole_bytes("Workbook"), "application/vnd.ms-excel"),
        ("письмо.rtf", rb"{\rtf1\ansi letter}", "application/rtf"),
        ("заметка.txt", "Письмо о поставке\n".encode(), "text/plain"),
        ("заметка.txt", "Письмо о поставке\n".encode("cp1251"), "text/plain"),
        # the extension does not matter: a PDF named .bin is still a PDF
        ("без расширения", samples.pdf_bytes(), "application/pdf"),
    ],
)
def test_office_documents_and_scans_are_accepted_by_content(name, data, mime):
    """GIVEN a scan or office document WHEN it is validated THEN its type is detected by content."""
    assert validate_upload(samples.upload(name, data)) == mime


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("договор.pdf", samples.EXE_BYTES),  # a renamed Windows executable
        ("скан.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 60),  # a Linux executable
        ("письмо.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("картинка.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("заметка.txt", b"<script>alert(1)</script>"),
        ("отчёт.pdf", b"#!/bin/sh\nrm -rf ~\n"),
        ("архив.zip", samples.zip_bytes()),
        ("макрос.docx", samples.docx_bytes(macros=True)),
        ("установка.doc", samples.ole_bytes("SummaryInformation")),  # an MSI-like container
        ("пустой.pdf", b""),
    ],
)
def test_anything_else_is_refused_whatever_its_extension(name, data):
    """GIVEN an executable, markup, script, archive or empty file, named like a document
    WHEN it is validated THEN it is refused with a Russian message naming the file."""
    with pytest.raises(UploadRejected) as error:
        validate_upload(samples.upload(name, data))
    assert f"«{name}»" in error.value.messages[0]


def test_size_limit_comes_from_settings(settings):
    """GIVEN a 1 MB limit WHEN a 1.5 MB PDF is validated THEN it is refused and the message says
    how large it is and what is allowed; a smaller one passes."""
    settings.ARGO_UPLOAD_MAX_MB = 1
    big = samples.pdf_bytes() + b"\n%" + b"x" * (1024 * 1024 + 512 * 1024)
    with pytest.raises(UploadRejected) as error:
        validate_upload(samples.upload("большой.pdf", big))
    message = error.value.messages[0]
    assert "слишком большой" in message and "1,0\xa0МБ" in message
    assert validate_upload(samples.upload("малый.pdf", samples.pdf_bytes())) == "application/pdf"


def test_default_size_limit_is_25_megabytes(settings):
    """GIVEN no ARGO_UPLOAD_MAX_MB setting WHEN a 26 MB file arrives THEN it is refused."""
    if hasattr(settings, "ARGO_UPLOAD_MAX_MB"):
        del settings.ARGO_UPLOAD_MAX_MB
    big = samples.pdf_bytes() + b"\n%" + b"x" * (26 * 1024 * 1024)
    with pytest.raises(UploadRejected):
        validate_upload(samples.upload("скан.pdf", big))
