"""Getting the text out of a stored file: the PDF text layer (pypdf), DOCX, XLSX, ODT/ODS and
plain text directly; scans (PNG, JPEG, TIFF and PDFs whose pages are only images) through
Tesseract with its Russian and English models (pytesseract). Errors are raised as
``ExtractionError`` with a Russian reason shown on the document card."""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from storage import validation as v

OCR_LANGUAGES = "rus+eng"
OCR_TIMEOUT = 120  # seconds per image
OCR_MAX_SIDE = 5000  # pixels: larger scans are reduced first (Tesseract's time grows fast)
MIN_TEXT_LAYER = 20  # characters per PDF below which the pages are treated as scans
MAX_TEXT = 1_000_000
_TAGS = re.compile(r"<[^>]+>")
_BLANKS = re.compile(r"[ \t\r\f\v]+")


class ExtractionError(Exception):
    """The text could not be read; ``str(error)`` is the Russian reason."""


@dataclass
class Extracted:
    text: str
    method: str  # pdf, ocr, docx, xlsx, odf, text, none


def _tidy(text: str) -> str:
    lines = (_BLANKS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)[:MAX_TEXT]


def _xml_text(xml: bytes, paragraph_tags: tuple[str, ...]) -> str:
    text = xml.decode("utf-8", "replace")
    for tag in paragraph_tags:
        text = text.replace(tag, "\n" + tag)
    return html.unescape(_TAGS.sub(" ", text))


def _zip_member(data: bytes, name: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read(name)
    except (zipfile.BadZipFile, KeyError) as error:
        raise ExtractionError(_("файл повреждён: %(error)s") % {"error": error}) from error


def _docx(data: bytes) -> str:
    return _xml_text(_zip_member(data, "word/document.xml"), ("<w:p ", "<w:p>", "<w:tab", "<w:br"))


def _odf(data: bytes) -> str:
    return _xml_text(_zip_member(data, "content.xml"), ("<text:p", "<text:h", "<table:table-cell"))


def _xlsx(data: bytes) -> str:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        raise ExtractionError(_("файл повреждён: %(error)s") % {"error": error}) from error
    lines = []
    for sheet in book.worksheets:
        lines.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            cells = [str(c) for c in row if c not in (None, "")]
            if cells:
                lines.append(" ".join(cells))
    book.close()
    return "\n".join(lines)


def _plain(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("utf-8", "replace")


def ocr_image(image) -> str:
    import pytesseract

    if max(image.size) > OCR_MAX_SIDE:
        image = image.copy()
        image.thumbnail((OCR_MAX_SIDE, OCR_MAX_SIDE))
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    try:
        return pytesseract.image_to_string(image, lang=OCR_LANGUAGES, timeout=OCR_TIMEOUT)
    except pytesseract.TesseractNotFoundError as error:
        raise ExtractionError(_("Tesseract не установлен на сервере")) from error
    except RuntimeError as error:  # pytesseract's timeout
        raise ExtractionError(_("распознавание не уложилось в отведённое время")) from error
    except pytesseract.TesseractError as error:
        raise ExtractionError(
            _("ошибка Tesseract: %(error)s") % {"error": error.message}
        ) from error


def _image(data: bytes) -> str:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        picture = Image.open(io.BytesIO(data))
        return "\n".join(ocr_image(frame.copy()) for frame in ImageSequence.Iterator(picture))
    except (UnidentifiedImageError, OSError) as error:
        raise ExtractionError(_("изображение не читается: %(error)s") % {"error": error}) from error


def _pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError(_("PDF защищён паролем"))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        if len(text.strip()) >= MIN_TEXT_LAYER:
            return Extracted(text, "pdf")
        # no text layer: recognise the pictures the pages are made of
        recognised = []
        for page in reader.pages:
            for picture in page.images:
                recognised.append(ocr_image(picture.image))
    except (PdfReadError, ValueError, KeyError) as error:
        raise ExtractionError(_("PDF повреждён: %(error)s") % {"error": error}) from error
    if not recognised:
        return Extracted(text, "pdf")
    return Extracted("\n".join(recognised), "ocr")


def extract(data: bytes, mime: str) -> Extracted:
    """The text of a file of the given (detected) type."""
    if mime == v.PDF:
        result = _pdf(data)
    elif mime in (v.PNG, v.JPEG, v.TIFF):
        result = Extracted(_image(data), "ocr")
    elif mime == v.DOCX:
        result = Extracted(_docx(data), "docx")
    elif mime == v.XLSX:
        result = Extracted(_xlsx(data), "xlsx")
    elif mime in (v.ODT, v.ODS):
        result = Extracted(_odf(data), "odf")
    elif mime == v.TEXT:
        result = Extracted(_plain(data), "text")
    else:
        return Extracted("", "none")
    return Extracted(_tidy(result.text), result.method)
