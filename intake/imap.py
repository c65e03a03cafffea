"""Talking to an IMAP server with imap-tools: log in, list what is not processed yet, fetch
without marking as read, mark processed (a flag or a move). Every failure becomes a
MailboxFailure with a Russian message that is safe to show and log (it never holds the password).
"""

from __future__ import annotations

import datetime as dt
import imaplib
import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import (
    ImapToolsError,
    MailboxFolderSelectError,
    MailboxLoginError,
    UnexpectedCommandStatusError,
)
from imap_tools.utils import encode_folder

from intake.models import AfterProcessing, Mailbox, Security
from intake.passwords import PasswordUnavailable, password_of

CONNECT_TIMEOUT_SECONDS = 30
UID_CHUNK = 100
_SYSTEM_FLAG_SEARCH = {"\\seen": "UNSEEN", "\\flagged": "UNFLAGGED", "\\answered": "UNANSWERED"}
_FETCH_UID = re.compile(rb"UID (\d+)")
_FETCH_DATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    )
}


class MailboxFailure(Exception):
    """The mailbox could not be read. ``str()`` is a Russian message fit for people and logs."""


@dataclass(frozen=True)
class FetchedMessage:
    uid: int
    raw: bytes
    internal_date: dt.datetime | None


class ImapSession:
    def __init__(self, mailbox: Mailbox, client) -> None:
        self.mailbox = mailbox
        self.client = client
        self.capabilities = _capabilities(client)

    def uid_validity(self) -> int:
        status = self.client.folder.status(self.mailbox.folder, ["UIDVALIDITY"])
        return int(status["UIDVALIDITY"])

    def unprocessed_uids(self) -> list[int]:
        """UIDs of the messages not processed yet, oldest first."""
        criteria = ["UNDELETED"]
        if self.mailbox.after_processing == AfterProcessing.FLAG:
            flag = self.mailbox.processed_flag.strip()
            criteria.append(_SYSTEM_FLAG_SEARCH.get(flag.lower(), f"UNKEYWORD {flag}"))
        if self.mailbox.accept_since:
            criteria.append(f"SINCE {_imap_date(self.mailbox.accept_since)}")
        return sorted(int(uid) for uid in self.client.uids(" ".join(criteria)))

    def fetch(self, uids: list[int]) -> Iterator[FetchedMessage]:
        """The whole messages, read with BODY.PEEK so people still see them unread."""
        if not uids:
            return
        typ, data = self.client.client.uid(
            "FETCH", ",".join(str(u) for u in uids), "(UID INTERNALDATE BODY.PEEK[])"
        )
        if typ != "OK":
            raise MailboxFailure(_("Сервер не отдал письма: %(detail)s") % {"detail": data})
        for entry in data:
            if not isinstance(entry, tuple) or len(entry) < 2:
                continue
            head, raw = entry[0], entry[1]
            uid = _FETCH_UID.search(head)
            if uid is None:
                continue
            yield FetchedMessage(uid=int(uid.group(1)), raw=raw, internal_date=_internal_date(head))

    def prepare(self) -> None:
        """Create the folder for processed messages when it is missing."""
        if self.mailbox.after_processing == AfterProcessing.MOVE:
            target = self.mailbox.processed_folder.strip()
            if not self.client.folder.exists(target):
                self.client.folder.create(target)

    def mark_processed(self, uids: list[int]) -> None:
        for start in range(0, len(uids), UID_CHUNK):
            uid_set = ",".join(str(u) for u in uids[start : start + UID_CHUNK])
            if self.mailbox.after_processing == AfterProcessing.MOVE:
                self._move(uid_set)
            else:
                self._command("STORE", uid_set, "+FLAGS.SILENT", f"({self.mailbox.processed_flag})")

    def _move(self, uid_set: str) -> None:
        quoted = encode_folder(self.mailbox.processed_folder.strip())
        if "MOVE" in self.capabilities:
            self._command("MOVE", uid_set, quoted)
            return
        # no MOVE: copy, mark deleted, and expunge only these messages when the server can
        self._command("COPY", uid_set, quoted)
        self._command("STORE", uid_set, "+FLAGS.SILENT", "(\\Deleted)")
        if "UIDPLUS" in self.capabilities:
            self._command("EXPUNGE", uid_set)

    def _command(self, *args) -> None:
        typ, data = self.client.client.uid(*args)
        if typ != "OK":
            raise MailboxFailure(
                _("Сервер не выполнил команду %(command)s: %(detail)s")
                % {"command": args[0], "detail": _short(data)}
            )


@contextmanager
def session(mailbox: Mailbox, *, timeout: float = CONNECT_TIMEOUT_SECONDS) -> Iterator[ImapSession]:
    """Log in, select the folder, yield an ImapSession; any failure is a MailboxFailure."""
    password = ""
    client = None
    try:
        password = password_of(mailbox)
        client = _client(mailbox, timeout)
        if (mailbox.username + password).isascii():
            client.login(mailbox.username, password, initial_folder=None)
        else:
            client.login_utf8(mailbox.username, password, initial_folder=None)
        client.folder.set(mailbox.folder)
        imap_session = ImapSession(mailbox, client)
        imap_session.prepare()
    except PasswordUnavailable as error:
        _logout(client)
        raise MailboxFailure(str(error)) from None
    except Exception as error:
        _logout(client)
        raise MailboxFailure(describe(error, mailbox, password=password)) from None
    try:
        yield imap_session
    except MailboxFailure:
        raise
    except (OSError, imaplib.IMAP4.error, ImapToolsError) as error:
        raise MailboxFailure(describe(error, mailbox, password=password)) from None
    finally:
        _logout(client)


def _client(mailbox: Mailbox, timeout: float):
    if mailbox.security == Security.SSL:
        return MailBox(mailbox.host, mailbox.port, timeout=timeout, ssl_context=_tls_context())
    if mailbox.security == Security.STARTTLS:
        return MailBoxStartTls(
            mailbox.host, mailbox.port, timeout=timeout, ssl_context=_tls_context()
        )
    return MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=timeout)


def _tls_context() -> ssl.SSLContext:
    """The system's certificate authorities, plus ARGO_INTAKE_CA_FILE for a company CA."""
    context = ssl.create_default_context()
    ca_file = getattr(settings, "ARGO_INTAKE_CA_FILE", "")
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def _logout(client) -> None:
    if client is None:
        return
    with suppress(Exception):
        client.logout()
    with suppress(Exception):
        client.client.shutdown()


def _capabilities(client) -> set[str]:
    """Servers announce more after login (Dovecot adds MOVE, UIDPLUS): ask again."""
    with suppress(Exception):
        typ, data = client.client.capability()
        if typ == "OK" and data and data[0]:
            return set(data[0].decode("ascii", "ignore").upper().split())
    return {str(c).upper() for c in getattr(client.client, "capabilities", ())}


def describe(error: BaseException, mailbox: Mailbox, *, password: str = "") -> str:
    """A Russian explanation of ``error`` for the mailbox settings' owner."""
    where = {"host": mailbox.host, "port": mailbox.port}
    if isinstance(error, MailboxLoginError):
        text = _("Сервер отклонил логин или пароль (логин %(login)s).") % {
            "login": mailbox.username
        }
    elif isinstance(error, MailboxFolderSelectError):
        text = _("Папка «%(folder)s» не найдена на сервере.") % {"folder": mailbox.folder}
    elif isinstance(error, ssl.SSLCertVerificationError):
        text = _("Сертификат сервера %(host)s не прошёл проверку: %(reason)s.") % {
            **where,
            "reason": error.verify_message or error.reason,
        }
    elif isinstance(error, ssl.SSLError):
        text = _(
            "Ошибка TLS при подключении к %(host)s:%(port)s (%(reason)s). "
            "Проверьте вид шифрования и порт."
        ) % {**where, "reason": error.reason or error}
    elif isinstance(error, imaplib.IMAP4.abort) and "TLS" in str(error):
        text = _("Сервер %(host)s:%(port)s не поддерживает STARTTLS.") % where
    elif isinstance(error, ConnectionRefusedError):
        text = _("Сервер %(host)s:%(port)s не принимает подключения.") % where
    elif isinstance(error, socket.gaierror):
        text = _("Сервер %(host)s не найден: проверьте адрес.") % where
    elif isinstance(error, TimeoutError):
        text = _("Сервер %(host)s:%(port)s не ответил вовремя.") % where
    elif isinstance(error, UnexpectedCommandStatusError | imaplib.IMAP4.error):
        text = _("Сервер %(host)s ответил ошибкой: %(detail)s") % {
            **where,
            "detail": _short(error),
        }
    elif isinstance(error, OSError):
        text = _("Ошибка соединения с %(host)s:%(port)s: %(detail)s") % {
            **where,
            "detail": _short(error),
        }
    else:
        text = _("Ошибка при чтении ящика: %(detail)s") % {"detail": _short(error)}
    if password:
        text = text.replace(password, "***")
    return text


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 300 else text[:297] + "..."


def _imap_date(day: dt.date) -> str:
    month = next(name for name, number in _MONTHS.items() if number == day.month)
    return f"{day.day:02d}-{month}-{day.year}"


def _internal_date(head: bytes) -> dt.datetime | None:
    match = _FETCH_DATE.search(head)
    if match is None:
        return None
    try:
        day, month, rest = match.group(1).decode("ascii").strip().split("-", 2)
        year, clock, zone = rest.split(" ")
        hours, minutes, seconds = (int(x) for x in clock.split(":"))
        sign = -1 if zone.startswith("-") else 1
        offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * sign
        return dt.datetime(
            int(year),
            _MONTHS[month],
            int(day),
            hours,
            minutes,
            seconds,
            tzinfo=dt.timezone(offset),
        )
    except (ValueError, KeyError, IndexError):
        return None
