"""Mailbox passwords: read from an environment variable, or kept encrypted (Fernet) in the row.

The key is ``ARGO_INTAKE_KEY`` when set (a Fernet key), else derived from SECRET_KEY with HKDF, so
a database dump alone does not reveal a password. Changing the key makes stored passwords
unreadable: the mailbox then reports that its password must be entered again.
"""

from __future__ import annotations

import base64
import os

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _


class PasswordUnavailable(Exception):
    """No usable password: the message (Russian) says what to fix; it never holds the password."""


def _fernet() -> Fernet:
    key = getattr(settings, "ARGO_INTAKE_KEY", "") or ""
    if key:
        return Fernet(key.encode())
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"argo-docs intake mailbox password"
    ).derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def password_encrypt(password: str) -> str:
    return _fernet().encrypt(password.encode("utf-8")).decode("ascii")


def password_of(mailbox) -> str:
    """The password to log in with. Raises PasswordUnavailable with a Russian message."""
    if mailbox.password_env:
        value = os.environ.get(mailbox.password_env, "")
        if not value:
            raise PasswordUnavailable(
                _("Пароль не задан: переменная окружения %(name)s пуста или отсутствует.")
                % {"name": mailbox.password_env}
            )
        return value
    if not mailbox.password_encrypted:
        raise PasswordUnavailable(_("Пароль не задан: укажите его в настройках ящика."))
    try:
        return _fernet().decrypt(mailbox.password_encrypted.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        raise PasswordUnavailable(
            _("Сохранённый пароль не расшифровывается (сменился ключ): введите пароль заново.")
        ) from None
