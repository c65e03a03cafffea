"""Permission predicates of the correspondence app."""

import rules

from correspondence import roles, selectors
from workflow.selectors import has_role


@rules.predicate
def is_registrar(user) -> bool:
    return has_role(user, roles.REGISTRAR)


@rules.predicate
def can_view_incoming(user, letter) -> bool:
    return letter is not None and selectors.incoming_visible_to(user).filter(pk=letter.pk).exists()


@rules.predicate
def can_view_outgoing(user, letter) -> bool:
    return letter is not None and selectors.outgoing_visible_to(user).filter(pk=letter.pk).exists()


rules.add_perm("correspondence.register_incoming", rules.is_authenticated & is_registrar)
rules.add_perm("correspondence.view_incoming", rules.is_authenticated & can_view_incoming)
rules.add_perm("correspondence.view_outgoing", rules.is_authenticated & can_view_outgoing)
