"""Every write on contracts: naming, editing (fields, comments, files) and the process (submit,
approval groups, the fund gate, signing, decisions)."""

from contracts.services.editing import (
    CONTRACT_FIELDS,
    comment_add,
    contract_create,
    contract_files_add,
    contract_update,
)
from contracts.services.naming import contract_name
from contracts.services.process import (
    KIND_APPROVE,
    KIND_PREPARE,
    KIND_REVISE,
    KIND_SIGN_CONTRACT,
    KIND_SIGN_INVOICE,
    approval_decide,
    contract_sign_complete,
    contract_submit,
    contract_withdraw,
    invoice_sign_complete,
    preparation_complete,
    revise_complete,
    route_fingerprint,
)

__all__ = [
    "CONTRACT_FIELDS",
    "KIND_APPROVE",
    "KIND_PREPARE",
    "KIND_REVISE",
    "KIND_SIGN_CONTRACT",
    "KIND_SIGN_INVOICE",
    "approval_decide",
    "comment_add",
    "contract_create",
    "contract_files_add",
    "contract_name",
    "contract_sign_complete",
    "contract_submit",
    "contract_update",
    "contract_withdraw",
    "invoice_sign_complete",
    "preparation_complete",
    "revise_complete",
    "route_fingerprint",
]
