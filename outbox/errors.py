"""What the mail server said, in Russian, and whether trying again can help.

SMTP answers 4xx for "try later" and 5xx for "never": a 5xx refusal is final at once (the
secretary can fix the address and send again from the card), while 4xx answers and network
failures are retried with back-off. The server's own words are kept after the Russian reason.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Failure:
    reason: str  # Russian, for the card and the admin
    permanent: bool  # retrying the same message cannot help
    connection_lost: bool = False  # the SMTP connection is unusable afterwards


def _enhanced_meaning(code: int, text: str) -> str:
    """A Russian gloss of the RFC 3463 enhanced status code the server sent, when we know it."""
    detail = text.split(maxsplit=1)[0] if text else ""
    subject = detail.partition(".")[2]  # "5.1.1" -> "1.1"
    meanings = {
        "1.1": _("нет такого почтового ящика"),
        "1.2": _("нет такого почтового домена"),
        "1.3": _("неверный адрес получателя"),
        "1.10": _("домен получателя не принимает почту"),
        "2.1": _("почтовый ящик отключён"),
        "2.2": _("почтовый ящик переполнен"),
        "2.3": _("письмо слишком большое для ящика получателя"),
        "3.4": _("письмо слишком большое для почтового сервера"),
        "7.1": _("отказано правилами сервера (доступ или фильтр спама)"),
        "7.8": _("неверный логин или пароль"),
        "7.26": _("письмо не прошло проверку подлинности отправителя"),
    }
    if subject in meanings:
        return meanings[subject]
    if code == 552:
        return _("превышен допустимый размер")
    if code == 554:
        return _("почтовый сервер отказался принять письмо")
    if 400 <= code < 500:
        return _("временная ошибка почтового сервера")
    return _("почтовый сервер отказался принять письмо")


def _server_words(code: int, raw) -> tuple[str, str]:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")
    text = " ".join(text.split())[:500]
    return _enhanced_meaning(code, text), f"{code} {text}".strip()


def _answer(prefix: str, code: int, raw) -> Failure:
    meaning, words = _server_words(code, raw)
    reason = _("%(prefix)s: %(meaning)s. Ответ сервера: «%(words)s».") % {
        "prefix": prefix,
        "meaning": meaning,
        "words": words,
    }
    return Failure(reason=reason, permanent=code >= 500)


def describe(error: BaseException) -> Failure:
    host = f"{getattr(settings, 'EMAIL_HOST', '')}:{getattr(settings, 'EMAIL_PORT', '')}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        address, (code, raw) = next(iter(error.recipients.items()))
        return _answer(
            _("Почтовый сервер отклонил адрес %(address)s") % {"address": address}, code, raw
        )
    if isinstance(error, smtplib.SMTPSenderRefused):
        return _answer(
            _("Почтовый сервер отклонил адрес отправителя %(address)s") % {"address": error.sender},
            error.smtp_code,
            error.smtp_error,
        )
    if isinstance(error, smtplib.SMTPAuthenticationError):
        failure = _answer(
            _("Почтовый сервер не принял логин и пароль"), error.smtp_code, error.smtp_error
        )
        # a wrong password is fixed by an administrator, after which sending may resume
        return Failure(reason=failure.reason, permanent=False, connection_lost=True)
    if isinstance(error, smtplib.SMTPDataError | smtplib.SMTPResponseException):
        return _answer(_("Почтовый сервер отклонил письмо"), error.smtp_code, error.smtp_error)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Failure(
            reason=_("Почтовый сервер %(host)s разорвал соединение.") % {"host": host},
            permanent=False,
            connection_lost=True,
        )
    if isinstance(error, smtplib.SMTPException):  # before OSError: it is one
        return Failure(
            reason=_("Ошибка почтового сервера: %(error)s.") % {"error": error},
            permanent=False,
            connection_lost=True,
        )
    if isinstance(error, ssl.SSLError):
        return Failure(
            reason=_("Ошибка шифрования (TLS) при связи с почтовым сервером %(host)s: %(error)s.")
            % {"host": host, "error": error.reason or error},
            permanent=False,
            connection_lost=True,
        )
    if isinstance(error, socket.timeout | TimeoutError):
        return Failure(
            reason=_("Почтовый сервер %(host)s не ответил вовремя.") % {"host": host},
            permanent=False,
            connection_lost=True,
        )
    if isinstance(error, ConnectionRefusedError):
        return Failure(
            reason=_("Почтовый сервер %(host)s не принимает соединения.") % {"host": host},
            permanent=False,
            connection_lost=True,
        )
    if isinstance(error, OSError):
        return Failure(
            reason=_("Не удалось связаться с почтовым сервером %(host)s: %(error)s.")
            % {"host": host, "error": error.strerror or error},
            permanent=False,
            connection_lost=True,
        )
    return Failure(
        reason=_("Письмо не удалось подготовить к отправке: %(error)s.") % {"error": error},
        permanent=True,
    )
