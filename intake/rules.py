"""Who sorts the incoming mail: whoever holds the registrar role (the office manager)."""

import rules

from workflow.models import Role
from workflow.selectors import has_role


@rules.predicate
def is_registrar(user) -> bool:
    return has_role(user, Role.REGISTRAR)


rules.add_perm("intake.process_mail", rules.is_authenticated & is_registrar)
