"""The role that sorts the incoming mail (registered with the engine at import): the office
manager, the same role the correspondence registers letters with."""

from django.utils.translation import gettext_lazy as _

from workflow.roles import register_role

REGISTRAR = register_role("registrar", _("Регистратор / секретарь"))
