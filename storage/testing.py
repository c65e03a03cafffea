"""Sample files for tests of storage and of the document apps that upload files."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 43 + b"\x80\x00"
    b"\x00\x00\x0e\x1f\xba\x0e\x00\xb4\t\xcd!\xb8\x01L\xcd!This program cannot be run in DOS mode."
)


def pdf_bytes(text: str = "Письмо") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text.encode("ascii", "replace").decode())
    return bytes(pdf.output())


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="JPEG")
    return buffer.getvalue()


def tiff_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (4, 4), 255).save(buffer, format="TIFF")
    return buffer.getvalue()


def _zip(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes(*, macros: bool = False) -> bytes:
    main = (
        "application/vnd.ms-word.document.macroEnabled.main+xml"
        if macros
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    )
    members: dict[str, str | bytes] = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
        ),
        "word/document.xml": "<w:document/>",
    }
    if macros:
        members["word/vbaProject.bin"] = b"\x00" * 16
    return _zip(members)


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def odt_bytes() -> bytes:
    return _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})


def zip_bytes() -> bytes:
    return _zip({"setup.exe": EXE_BYTES})


def ole_bytes(stream: str) -> bytes:
    """An OLE2 container whose directory names ``stream`` (WordDocument, Workbook, or an MSI's)."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
    return header + stream.encode("utf-16-le") + b"\x00" * 64


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    """An uploaded file as a browser would send it (the declared type is not trusted)."""
    return SimpleUploadedFile(name, data, content_type=content_type)
