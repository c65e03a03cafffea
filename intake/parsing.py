"""A raw RFC 822 message into what an intake item needs: sender, subject, ids, text, files.

Russian mail comes in every historic shape: RFC 2047 encoded subjects, RFC 2231 file names,
8-bit cp1251 or koi8-r bodies with or without a declared charset, raw 8-bit headers from old
mailers, HTML-only letters. Nothing here raises on a malformed message: a part that cannot be
decoded becomes text with replacement characters rather than a lost letter.
"""

from __future__ import annotations

import datetime as dt
import email
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message

from django.utils import timezone
from django.utils.translation import gettext as _

from intake.html_text import html_to_text

BODY_MAX_CHARS = 200_000
_ID = re.compile(r"<([^<>\s]+)>")
_SPACES = re.compile(r"[ \t\r\n]+")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_CID = re.compile(rb"cid:([^\"'\s>)]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w-]+)", re.IGNORECASE)
# single-byte Cyrillic encodings an old Russian mailer may use without saying so
_CYRILLIC_GUESSES = ("cp1251", "koi8_r", "cp866")
_CHARSET_ALIASES = {
    "win-1251": "cp1251",
    "windows-1251": "cp1251",
    "x-cp1251": "cp1251",
    "koi8r": "koi8_r",
    "koi8-r": "koi8_r",
}
_UNKNOWN_CHARSETS = {"", "unknown-8bit", "x-unknown", "us-ascii", "ascii", "default"}
_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tif",
    "text/plain": "txt",
    "message/rfc822": "eml",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
}


@dataclass
class ParsedAttachment:
    filename: str
    data: bytes
    content_type: str


@dataclass
class ParsedMessage:
    message_id: str
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    sender_email: str = ""
    sender_name: str = ""
    subject: str = ""
    sent_at: dt.datetime | None = None
    body_text: str = ""
    body_from_html: bool = False
    attachments: list[ParsedAttachment] = field(default_factory=list)

    @property
    def sender_domain(self) -> str:
        return self.sender_email.rpartition("@")[2] if "@" in self.sender_email else ""


def parse_message(raw: bytes) -> ParsedMessage:
    message = email.message_from_bytes(raw)
    sender_name, sender_email = _sender(message)
    html_cids = _html_content_ids(message)
    body, from_html = _body_of(message)
    return ParsedMessage(
        message_id=_first_id(header_text(message.get("Message-ID"))) or synthetic_message_id(raw),
        in_reply_to=_first_id(header_text(message.get("In-Reply-To"))),
        references=_ids(header_text(message.get("References"))),
        sender_email=sender_email,
        sender_name=sender_name,
        subject=_one_line(header_text(message.get("Subject")))[:998],
        sent_at=_date(message.get("Date")),
        body_text=_tidy(body)[:BODY_MAX_CHARS],
        body_from_html=from_html,
        attachments=list(_attachments(message, html_cids)),
    )


def synthetic_message_id(raw: bytes) -> str:
    """A message without a Message-ID still needs one stable key: its content's hash."""
    return f"{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid"


def normalize_message_id(value: str) -> str:
    """``<abc@host>`` and ``abc@host`` name the same message; stored without brackets."""
    return _first_id(value or "")


# --- headers -------------------------------------------------------------------------------------


def header_text(raw) -> str:
    """A header as text: RFC 2047 words decoded, raw 8-bit bytes guessed (cp1251, koi8-r)."""
    if raw is None:
        return ""
    try:
        parts = decode_header(raw)
    except (ValueError, LookupError, AssertionError):
        return _from_surrogates(str(raw))
    text = []
    for value, charset in parts:
        if isinstance(value, bytes) and charset is None:
            # decode_header gives unencoded stretches back as raw-unicode-escape bytes
            text.append(_from_surrogates(value.decode("raw-unicode-escape")))
        elif isinstance(value, bytes):
            text.append(decode_bytes(value, charset))
        else:
            text.append(_from_surrogates(value))
    return "".join(text)


def _from_surrogates(value: str) -> str:
    """compat32 keeps undecodable header bytes as surrogates; turn them back into letters."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"))


def _one_line(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def _first_id(value: str) -> str:
    value = (value or "").strip()
    match = _ID.search(value)
    found = match.group(1) if match else (value.split()[0] if value.split() else "")
    return found[:500]


def _ids(value: str) -> list[str]:
    return [found[:500] for found in _ID.findall(value or "")][-50:]


def _sender(message: Message) -> tuple[str, str]:
    raw = message.get("From") or message.get("Sender") or message.get("Reply-To")
    name, address = email.utils.parseaddr(header_text(raw))
    address = address.strip().lower()
    if "@" not in address:
        address = ""
    return _one_line(name)[:255], address[:254]


def _date(raw) -> dt.datetime | None:
    if not raw:
        return None
    try:
        value = email.utils.parsedate_to_datetime(str(raw))
    except (TypeError, ValueError, IndexError):
        return None
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


# --- text ----------------------------------------------------------------------------------------


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes as text: the declared charset when it fits, else UTF-8, else the single-byte Cyrillic
    encoding that yields the most lowercase Cyrillic letters (Russian prose is mostly lowercase,
    and koi8-r read as cp1251 comes out in capitals)."""
    name = _charset_name(charset)
    if name:
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best, best_score = None, -1
    for guess in _CYRILLIC_GUESSES:
        try:
            text = data.decode(guess)
        except UnicodeDecodeError:
            continue
        score = sum(1 for ch in text if "а" <= ch <= "я" or ch == "ё")
        if score > best_score:
            best, best_score = text, score
    return best if best is not None else data.decode("cp1251", "replace")


def _charset_name(charset) -> str:
    if not charset:
        return ""
    name = str(charset).strip().strip('"').lower()
    if name in _UNKNOWN_CHARSETS:
        return ""
    return _CHARSET_ALIASES.get(name, name)


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = b""
    charset = part.get_content_charset()
    if not charset and part.get_content_type() == "text/html":
        match = _META_CHARSET.search(payload[:4096])
        charset = match.group(1).decode("ascii", "ignore") if match else None
    return decode_bytes(payload, charset)


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or bool(part.get_filename())


def _body_of(part: Message) -> tuple[str, bool]:
    """The readable text of ``part``: the plain alternative when there is one, else the HTML one
    converted to text; mixed parts are joined, attachments skipped."""
    ctype = part.get_content_type()
    if part.is_multipart():
        subparts = [p for p in part.get_payload() if isinstance(p, Message)]
        if ctype == "message/rfc822":
            inner = _body_of(subparts[0]) if subparts else ("", False)
            divider = _("Пересланное сообщение")
            return f"\n\n-------- {divider} --------\n{inner[0]}", inner[1]
        if ctype == "multipart/alternative":
            for wanted in ("text/plain", "text/html", None):
                for sub in reversed(subparts):
                    if wanted is None or sub.get_content_type() == wanted:
                        text, from_html = _body_of(sub)
                        if text.strip():
                            return text, from_html
            return "", False
        texts, any_html = [], False
        for sub in subparts:
            if _is_attachment(sub) and sub.get_content_type() != "message/rfc822":
                continue
            text, from_html = _body_of(sub)
            if text.strip():
                texts.append(text)
                any_html = any_html or from_html
        return "\n\n".join(texts), any_html
    if _is_attachment(part):
        return "", False
    if ctype == "text/plain":
        return _part_text(part), False
    if ctype == "text/html":
        return html_to_text(_part_text(part)), True
    return "", False


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


# --- attachments ---------------------------------------------------------------------------------


def _html_content_ids(message: Message) -> set[str]:
    """Content-IDs that HTML bodies show inline (logos in signatures): not letter files."""
    found: set[str] = set()
    for part in message.walk():
        if part.get_content_type() == "text/html" and not _is_attachment(part):
            payload = part.get_payload(decode=True) or b""
            found.update(cid.decode("ascii", "ignore").lower() for cid in _CID.findall(payload))
    return found


def _attachments(message: Message, html_cids: set[str]):
    position = 0
    for part in message.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        named = bool(part.get_filename())
        if ctype in ("text/plain", "text/html") and not named and disposition != "attachment":
            continue  # a body part
        content_id = _first_id(header_text(part.get("Content-ID"))).lower()
        if content_id and content_id in html_cids and disposition != "attachment":
            continue  # an inline picture of an HTML body
        data = part.get_payload(decode=True)
        if data is None:
            data = b""
        position += 1
        yield ParsedAttachment(
            filename=_filename(part, position, ctype), data=data, content_type=ctype
        )


def _filename(part: Message, position: int, ctype: str) -> str:
    raw = part.get_filename()  # RFC 2231 parameters (filename*=utf-8''...) are joined here
    name = _one_line(header_text(raw)) if raw else ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        extension = _EXTENSIONS.get(ctype, "bin")
        name = f"вложение-{position}.{extension}"
    return name[:255]
