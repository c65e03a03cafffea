"""Upload validation: a size limit and an allowlist of types recognised by CONTENT, never by name.

An office keeps scans and office documents: PDF, JPEG, PNG, TIFF, Word (DOC/DOCX), Excel
(XLS/XLSX), OpenDocument text and spreadsheets (ODT/ODS), RTF and plain text. Everything else is
refused whatever its extension: executables, installers, HTML, SVG, XML, scripts, archives (a ZIP
can carry anything), macro-enabled Office files.

``puremagic`` identifies the family from the leading bytes. Families that share a container are
then told apart by their structure: OOXML and OpenDocument are ZIP files (read the manifest), and
legacy DOC/XLS share the OLE2 container with MSI installers (look for the Word/Excel streams).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import IO

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

HEAD_BYTES = 8192

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
RTF = "application/rtf"
TEXT = "text/plain"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

# Allowed MIME type -> extension used for the stored file name.
ALLOWED_TYPES: dict[str, str] = {
    PDF: "pdf",
    JPEG: "jpg",
    PNG: "png",
    TIFF: "tif",
    RTF: "rtf",
    TEXT: "txt",
    DOC: "doc",
    XLS: "xls",
    DOCX: "docx",
    XLSX: "xlsx",
    ODT: "odt",
    ODS: "ods",
}
# Types a browser may show inline (download view, ?inline=1); the rest are always attachments.
INLINE_TYPES = frozenset({PDF, JPEG, PNG, TEXT})

_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_ODF_TYPES = {ODT, ODS}
_MARKUP = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|meta|style|\?xml|a\s)",
    re.IGNORECASE,
)


class UploadRejected(ValidationError):
    """The upload is refused; the message (Russian) says why and names the file."""


@dataclass(frozen=True)
class DetectedType:
    mime: str
    extension: str


def max_upload_bytes() -> int:
    return int(getattr(settings, "ARGO_UPLOAD_MAX_MB", 25)) * 1024 * 1024


def validate_upload(upload) -> str:
    """Check ``upload`` (an UploadedFile or any file object with ``name`` and ``size``) and return
    its MIME type detected from content. Raises UploadRejected with a Russian message."""
    return detect_upload(upload).mime


def detect_upload(upload) -> DetectedType:
    name = _display_name(upload)
    size = _size_of(upload)
    if size == 0:
        raise UploadRejected(_("Файл «%(name)s» пустой.") % {"name": name}, code="empty")
    limit = max_upload_bytes()
    if size > limit:
        raise UploadRejected(
            _("Файл «%(name)s» слишком большой (%(size)s), допустимо не больше %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    mime = _detect_mime(upload)
    if mime is None:
        raise UploadRejected(
            _(
                "Файл «%(name)s» не принят: по содержимому это не документ и не скан. "
                "Допустимы PDF, JPEG, PNG, TIFF, Word, Excel, OpenDocument, RTF и текст."
            )
            % {"name": name},
            code="type",
        )
    return DetectedType(mime=mime, extension=ALLOWED_TYPES[mime])


def _display_name(upload) -> str:
    raw = getattr(upload, "name", "") or ""
    return raw.replace("\\", "/").rsplit("/", 1)[-1] or _("без имени")


def _size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    return int(size)


def _read_head(upload: IO[bytes]) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def _detect_mime(upload) -> str | None:
    head = _read_head(upload)
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        matches = []
    if not matches:
        return TEXT if _looks_like_plain_text(head) else None
    # Only the best guesses count: a lower-confidence "PDF" does not outvote an executable.
    best = max(m.confidence for m in matches)
    top = [m for m in matches if m.confidence == best]
    mimes = {m.mime_type for m in top}
    extensions = {m.extension.lower() for m in top}
    if PDF in mimes and head.startswith(b"%PDF-"):
        return PDF
    for simple in (JPEG, PNG, TIFF):
        if simple in mimes:
            return simple
    if ".rtf" in extensions and head.startswith(b"{\\rtf"):
        return RTF
    if head.startswith(b"PK\x03\x04"):
        return _zip_office_type(upload)
    if head.startswith(bytes.fromhex("D0CF11E0A1B11AE1")):
        return _ole_office_type(upload)
    return None


def _zip_office_type(upload) -> str | None:
    """OOXML (docx/xlsx, no macros) or OpenDocument (odt/ods); any other ZIP is refused."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = _read_member(archive, "mimetype").decode("ascii", "replace").strip()
                return declared if declared in _ODF_TYPES else None
            if "[Content_Types].xml" not in names:
                return None
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                return None
            manifest = _read_member(archive, "[Content_Types].xml")
            manifest = manifest.decode("utf-8", "replace").lower()
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
        return None
    finally:
        upload.seek(0)
    if "macroenabled" in manifest:
        return None
    found = {mime for part, mime in _OOXML_MAIN_PARTS.items() if part in manifest}
    return found.pop() if len(found) == 1 else None


def _read_member(archive: zipfile.ZipFile, name: str, limit: int = 1024 * 1024) -> bytes:
    """At most ``limit`` bytes of a member: a manifest that inflates to gigabytes is a bomb."""
    with archive.open(name) as member:
        return member.read(limit)


def _ole_office_type(upload) -> str | None:
    """Legacy Word/Excel: the OLE2 container also holds MSI installers and macro projects, so
    look for the Word/Excel stream names (UTF-16LE in the directory) and refuse VBA projects."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)

    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    if has("_VBA_PROJECT") or has("Macros"):
        return None
    if has("WordDocument"):
        return DOC
    if has("Workbook") or has("Book"):
        return XLS
    return None


def _looks_like_plain_text(head: bytes) -> bool:
    if b"\x00" in head or head.startswith(b"#!") or _MARKUP.search(head):
        return False
    # a multibyte character may be cut at the end of the head: drop up to 3 trailing bytes
    for cut in range(4):
        try:
            (head[: len(head) - cut] if cut else head).decode("utf-8")
            return _mostly_printable(head.decode("utf-8", "replace"))
        except UnicodeDecodeError:
            continue
    try:
        return _mostly_printable(head.decode("cp1251"))
    except UnicodeDecodeError:
        return False


def _mostly_printable(text: str) -> bool:
    if not text:
        return False
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return control <= len(text) // 100
