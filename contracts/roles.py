"""Roles the contracts app gives employees (registered with the engine at import)."""

from django.utils.translation import gettext_lazy as _

from workflow.roles import DIRECTOR, GENERAL_DIRECTOR, register_role

LAWYER = register_role("lawyer", _("Юрист"))
ACCOUNTANT = register_role("accountant", _("Бухгалтер"))
DOCUMENT_SPECIALIST = register_role("document_specialist", _("Документовед"))
ALL_CONTRACTS = register_role("all_contracts", _("Доступ ко всем договорам"))

__all__ = [
    "ACCOUNTANT",
    "ALL_CONTRACTS",
    "DIRECTOR",
    "DOCUMENT_SPECIALIST",
    "GENERAL_DIRECTOR",
    "LAWYER",
]
