"""Who sorts the incoming mail: whoever holds the registrar role (the office manager)."""

import rules

from intake import roles
from workflow.selectors import has_role


@rules.predicate
def is_registrar(user) -> bool:
    return has_role(user, roles.REGISTRAR)


rules.add_perm("intake.process_mail", rules.is_authenticated & is_registrar)
