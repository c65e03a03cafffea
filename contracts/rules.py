"""Who may see and change a contract: its initiator, its participants, their heads and the
"all contracts" role see it; only the initiator edits and submits it while it is a draft."""

import rules

from contracts import roles
from contracts.models import EDITABLE
from workflow.rules import is_employee, is_general_director
from workflow.selectors import has_role


@rules.predicate
def is_initiator(user, contract) -> bool:
    return contract is not None and contract.initiator_id == user.pk


@rules.predicate
def is_participant(user, contract) -> bool:
    return contract is not None and contract.participants.filter(pk=user.pk).exists()


@rules.predicate
def sees_all_contracts(user) -> bool:
    return has_role(user, roles.ALL_CONTRACTS)


@rules.predicate
def is_editable(user, contract) -> bool:
    return contract is not None and contract.status in EDITABLE


@rules.predicate
def is_granted_access(user, contract) -> bool:
    """Participants, their heads, the contract's department heads: the access table."""
    from contracts.selectors import contracts_visible_to

    return contract is not None and contracts_visible_to(user).filter(pk=contract.pk).exists()


can_view = rules.is_authenticated & (
    is_initiator | sees_all_contracts | is_general_director | is_granted_access
)

rules.add_perm("contracts.view_contract", can_view)
rules.add_perm("contracts.add_contract", rules.is_authenticated & is_employee)
rules.add_perm("contracts.change_contract", rules.is_authenticated & is_initiator & is_editable)
rules.add_perm("contracts.submit_contract", rules.is_authenticated & is_initiator & is_editable)
rules.add_perm("contracts.attach_file", rules.is_authenticated & (is_initiator | is_participant))
rules.add_perm(
    "contracts.view_kpi",
    rules.is_authenticated & (sees_all_contracts | is_general_director),
)
