"""Roles the CRM gives employees (registered with the engine at import)."""

from django.utils.translation import gettext_lazy as _

from workflow.roles import DIRECTOR, GENERAL_DIRECTOR, register_role

MANAGER = register_role("manager", _("Менеджер"))
# the office manager registers correspondence and may also create companies in the CRM
REGISTRAR = register_role("registrar", _("Регистратор / секретарь"))

__all__ = ["DIRECTOR", "GENERAL_DIRECTOR", "MANAGER", "REGISTRAR"]
