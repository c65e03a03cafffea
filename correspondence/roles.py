"""Roles the correspondence app gives employees (registered with the engine at import)."""

from django.utils.translation import gettext_lazy as _

from workflow.roles import DIRECTOR, GENERAL_DIRECTOR, register_role

REGISTRAR = register_role("registrar", _("Регистратор / секретарь"))
LAWYER = register_role("lawyer", _("Юрист"))
ALL_CORRESPONDENCE = register_role("all_correspondence", _("Доступ ко всей корреспонденции"))

__all__ = ["ALL_CORRESPONDENCE", "DIRECTOR", "GENERAL_DIRECTOR", "LAWYER", "REGISTRAR"]
