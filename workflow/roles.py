"""Roles employees hold (e.g. «Регистратор», «Юрист»). Apps register the roles they use in
``AppConfig.ready()``; the engine holds only the organisation's own two: the general director and
the directors. An ``Employee.roles`` entry is a registered code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

_roles: dict[str, object] = {}


def register_role(code: str, label) -> str:
    """Register ``code`` with its label; the same code may be registered by several apps."""
    known = _roles.get(code)
    if known is not None and str(known) != str(label):
        raise ValueError(f"role {code!r} is already registered as {known!r}")
    _roles[code] = label
    return code


def role_choices() -> list[tuple[str, object]]:
    """Every registered role, for forms and the admin (a callable: migrations don't freeze it)."""
    return sorted(_roles.items(), key=lambda item: str(item[1]))


def role_label(code: str) -> str:
    return str(_roles.get(code, code))


def is_registered(code: str) -> bool:
    return code in _roles


GENERAL_DIRECTOR = register_role("general_director", _("Генеральный директор"))
DIRECTOR = register_role("director", _("Директор"))
