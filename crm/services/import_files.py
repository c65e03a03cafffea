"""Reading an import file: what it really is, its encoding, delimiter and sheets, its rows.

The content decides, not the name: a PDF, a web page, an image or an archive renamed to .csv is
refused with a message saying what it looks like, before a single row is read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import zipfile
from dataclasses import dataclass, field

import puremagic
from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

SNIFF_BYTES = 8192


class ImportFileError(Exception):
    """The file cannot be imported at all (not a table, wrong format, empty)."""


@dataclass
class TableInfo:
    file_format: str  # "csv" or "xlsx"
    encoding: str = ""  # what the CSV was decoded from, e.g. "UTF-8", "Windows-1251"
    delimiter: str = ""  # the CSV's separator
    sheets: list[str] = field(default_factory=list)
    sheet: str = ""


def delimiter_label(delimiter: str) -> str:
    labels = {
        ";": _("точка с запятой «;»"),
        ",": _("запятая «,»"),
        "\t": _("табуляция"),
        "|": _("вертикальная черта «|»"),
    }
    return labels.get(delimiter, delimiter)


def _zip_kind(raw: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(raw)).namelist())
    except zipfile.BadZipFile:
        return _("повреждённый ZIP-архив")
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return _("документ Word (.docx)")
    if any(n.startswith("ppt/") for n in names):
        return _("презентация PowerPoint (.pptx)")
    if "content.xml" in names:
        return _("документ OpenDocument (.ods/.odt): сохраните его как .xlsx")
    return _("ZIP-архив")


_SIGNATURES = [
    (b"%PDF", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"{\\rtf", "rtf"),
]


def looks_like(raw: bytes) -> str | None:
    """What the content is when it is not a plain text table: "xlsx" for an Excel workbook, a
    Russian description for anything else, None for text."""
    head = raw[:SNIFF_BYTES]
    names = {
        "pdf": _("PDF-документ"),
        "ole": _("файл Microsoft Office старого формата (.xls/.doc): сохраните его как .xlsx"),
        "png": _("изображение PNG"),
        "jpeg": _("изображение JPEG"),
        "gif": _("изображение GIF"),
        "rar": _("архив RAR"),
        "7z": _("архив 7z"),
        "gzip": _("архив gzip"),
        "rtf": _("документ RTF"),
    }
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return names[kind]
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(raw)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<table", b"<div")):
        return _("веб-страница (HTML)")
    if text.startswith(b"<?xml"):
        return _("XML-файл")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 text (Excel's «Unicode text»)
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in head or (head and control / len(head) > 0.05):
        try:
            ext = puremagic.from_string(head)
        except puremagic.PureError:
            ext = ""
        if ext:
            return _("двоичный файл (похоже на %(ext)s)") % {"ext": ext}
        return _("двоичный файл неизвестного формата")
    return None


def check_content(raw: bytes, name: str) -> str:
    """The format to read ("csv"/"xlsx") when the content is what the name declares; else
    ImportFileError naming what the file looks like."""
    if not raw.strip():
        raise ImportFileError(_("Файл пуст."))
    declared = "xlsx" if name.lower().endswith(".xlsx") else "csv"
    kind = looks_like(raw)
    if declared == "xlsx":
        if kind == "xlsx":
            return "xlsx"
        what = kind or _("текстовый файл (CSV?): сохраните его с расширением .csv")
        raise ImportFileError(
            _("Файл «%(name)s» — не книга Excel: по содержимому это %(what)s.")
            % {"name": name, "what": what}
        )
    if kind == "xlsx":
        raise ImportFileError(
            _(
                "Файл «%(name)s» — не CSV: по содержимому это книга Excel. Загрузите его с "
                "расширением .xlsx."
            )
            % {"name": name}
        )
    if kind is not None:
        raise ImportFileError(
            _("Файл «%(name)s» — не таблица CSV: по содержимому это %(what)s.")
            % {"name": name, "what": kind}
        )
    return "csv"


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding label): UTF-8 (with or without BOM), UTF-16 or Windows-1251."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "UTF-8 (BOM)"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw[:200_000], cp_isolation=["cp1251", "utf_8"]).best()
    if best is None or best.encoding not in ("cp1251", "utf_8"):
        raise ImportFileError(
            _("Не удалось определить кодировку файла (нужна UTF-8 или Windows-1251).")
        )
    if best.encoding == "utf_8":
        return raw.decode("utf-8", errors="replace"), "UTF-8"
    return raw.decode("cp1251", errors="replace"), "Windows-1251"


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return max(";,\t|", key=first.count) if first else ";"


def _cell(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # INNs typed as numbers
    if isinstance(value, dt.datetime):
        return f"{value:%d.%m.%Y}" if value.time() == dt.time() else f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d.%m.%Y}"
    return str(value).strip()


def _xlsx(raw: bytes, sheet: str, limit: int | None) -> tuple[TableInfo, list[list[str]]]:
    """Rows of a workbook's sheet, read with calamine (Rust): 100,000 rows take a fraction of a
    second where openpyxl takes tens of seconds."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        names = list(workbook.sheet_names)
        chosen = sheet if sheet in names else names[0]
        values = workbook.get_sheet_by_name(chosen).iter_rows()
        rows = [[_cell(v) for v in row] for row in itertools.islice(values, limit)]
    except Exception as exc:  # calamine raises its own errors for a broken workbook
        raise ImportFileError(_("Книгу Excel не удалось прочитать: она повреждена.")) from exc
    return TableInfo("xlsx", sheets=names, sheet=chosen), rows


def _csv(raw: bytes, limit: int | None) -> tuple[TableInfo, list[list[str]]]:
    text, encoding = decode(raw)
    delimiter = _delimiter(text[:8192])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = list(itertools.islice(reader, limit))
    return TableInfo("csv", encoding=encoding, delimiter=delimiter), rows


def read_table(
    raw: bytes, file_format: str, *, sheet: str = "", limit: int | None = None
) -> tuple[TableInfo, list[list[str]]]:
    """The rows (the header first; the first ``limit`` for a preview) with what was detected.
    Trailing empty rows and columns are dropped."""
    if file_format == "xlsx":
        info, rows = _xlsx(raw, sheet, limit)
    else:
        info, rows = _csv(raw, limit)
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError(_("В файле нет строк."))
    return info, rows


def header_of(rows: list[list[str]]) -> list[str]:
    """The column titles: the first row, as wide as the widest of the first rows, without
    trailing empty columns; untitled columns are named by number."""
    sample = rows[:50]
    width = max((i + 1 for row in sample for i, c in enumerate(row) if c.strip()), default=0)
    first = [*rows[0], *[""] * width][:width]
    return [c.strip() or _("Колонка %(n)s") % {"n": i + 1} for i, c in enumerate(first)]
