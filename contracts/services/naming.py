"""Contract names from the type's template: people never type them (R19)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats, timezone

from contracts.models import (
    Contract,
)

# --- naming --------------------------------------------------------------------------------------


class _Placeholders(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _amount_text(amount: Decimal) -> str:
    return formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


def contract_name(contract: Contract) -> str:
    """The contract's name from its type's template; people never type it (R19)."""
    day = timezone.localtime(contract.created_at).date()
    values = _Placeholders(
        type=contract.contract_type.name,
        number=str(contract.number or ""),
        date=day.strftime("%d.%m.%Y"),
        counterparty=contract.counterparty.name,
        subject=contract.subject,
        amount=_amount_text(contract.amount),
    )
    return " ".join(contract.contract_type.name_template.format_map(values).split())[:500]
