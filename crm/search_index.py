"""What search indexes of companies: loaded by the search app, which reads ``PROVIDERS``
(``search.providers`` describes the protocol). This app never imports search."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import Counterparty, ProcessingStatus
from crm.signals import companies_written
from workflow.rules import is_employee


class CounterpartyScope:
    """The dossier of a counterparty: every letter and contract with it."""

    label = _("Досье контрагента")

    def title(self, pk: int) -> str:
        return Counterparty.objects.filter(pk=pk).values_list("name", flat=True).first() or ""

    def url(self, pk: int) -> str:
        return reverse("crm:company-detail", args=[pk])

    def may_view(self, user, pk: int) -> bool:
        return is_employee(user) and Counterparty.objects.filter(pk=pk).exists()


class CompanyProvider:
    kind = "company"
    label = _("Компании")
    model = "crm.Counterparty"
    order = 50
    status_choices = ProcessingStatus.choices
    is_counterparty = True
    bulk_signal = companies_written
    watch = {"crm.ContactPerson": lambda contact: [contact.company_id]}
    dossier_scopes = {"counterparty": CounterpartyScope()}

    def queryset(self):
        return Counterparty.objects.prefetch_related("contacts")

    def document(self, company):
        contacts = list(company.contacts.all())
        codes = [company.inn, company.phone, company.email]
        for contact in contacts:
            codes.extend(contact.phones)
            codes.extend(contact.emails)
        return dict(
            title=company.name,
            codes=codes,
            counterparty=" ".join(contact.name for contact in contacts),
            body="\n".join(
                part
                for part in (
                    company.address,
                    company.comment,
                    *(
                        f"{c.name} {c.position} {' '.join(c.phones)} {' '.join(c.emails)}"
                        for c in contacts
                    ),
                )
                if part and part.strip()
            ),
            date=timezone.localdate(company.created_at),
            counterparty_id=company.pk,
            status=company.status,
        )

    def visible(self, user):
        """Every employee sees the company base (``crm.view_company``)."""
        if not user.is_authenticated or not user.is_active or not is_employee(user):
            return Counterparty.objects.none()
        return Counterparty.objects.all()

    def url(self, pk: int) -> str:
        return reverse("crm:company-detail", args=[pk])


PROVIDERS = [CompanyProvider()]
