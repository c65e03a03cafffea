"""Every write on contracts: naming, editing (fields, comments, files) and the process on the
route engine (submit, resubmit, withdraw, and the hooks that follow the route)."""

from contracts.services.editing import (
    CONTRACT_FIELDS,
    comment_add,
    contract_create,
    contract_files_add,
    contract_update,
)
from contracts.services.naming import contract_name
from contracts.services.process import (
    ContractHooks,
    contract_resubmit,
    contract_submit,
    contract_withdraw,
    describe,
)

__all__ = [
    "CONTRACT_FIELDS",
    "ContractHooks",
    "comment_add",
    "contract_create",
    "contract_files_add",
    "contract_name",
    "contract_resubmit",
    "contract_submit",
    "contract_update",
    "contract_withdraw",
    "describe",
]
