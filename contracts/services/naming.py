"""Contract names from the type's template: people never type them (R19)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats, timezone

from contracts.models import Contract
from contracts.name_template import render_name


def amount_text(amount: Decimal) -> str:
    """«415 000,00»: Russian grouping and decimal comma, as on the card."""
    return formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


def contract_name(contract: Contract) -> str:
    """The contract's name from its type's template; people never type it (R19)."""
    day = timezone.localtime(contract.created_at).date()
    return render_name(
        contract.contract_type.name_template,
        {
            "type": contract.contract_type.name,
            "number": str(contract.number or ""),
            "date": day.strftime("%d.%m.%Y"),
            "counterparty": contract.counterparty.name,
            "subject": contract.subject,
            "amount": amount_text(contract.amount),
        },
    )
