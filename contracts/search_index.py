"""What search indexes of contracts: loaded by the search app, which reads ``PROVIDERS``
(``search.providers`` describes the protocol). This app never imports search."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, ContractStatus
from contracts.selectors import contracts_visible_to


class ContractProvider:
    kind = "contract"
    label = _("Договоры")
    single_label = _("Договор")
    model = "contracts.Contract"
    order = 30
    status_choices = ContractStatus.choices
    watch = {"contracts.ContractFile": lambda link: [link.contract_id]}

    def queryset(self):
        return Contract.objects.select_related("counterparty").prefetch_related("files")

    def document(self, contract):
        amount = f"{contract.amount:.2f}"
        return dict(
            title=contract.name or contract.subject,
            codes=[str(contract.number or ""), amount, amount.split(".")[0]],
            counterparty=contract.counterparty.name,
            body=f"{contract.subject}\n{number_format(contract.amount, 2, force_grouping=True)} ₽",
            date=timezone.localdate(contract.created_at),
            counterparty_id=contract.counterparty_id,
            status=contract.status,
            file_ids=[link.stored_file_id for link in contract.files.all()],
            scopes=[f"counterparty:{contract.counterparty_id}"],
        )

    def visible(self, user):
        return contracts_visible_to(user)

    def url(self, pk: int) -> str:
        return reverse("contracts:contract-detail", args=[pk])


PROVIDERS = [ContractProvider()]
