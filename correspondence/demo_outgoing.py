"""Demo data of outgoing correspondence: approval settings per legal entity, the lawyer for
letters to government bodies, and one letter waiting for approval. Idempotent."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from correspondence import roles
from correspondence.models import (
    ChainMode,
    ExtraApprover,
    OutgoingApprovalSettings,
    OutgoingLetter,
)
from correspondence.services.outgoing import outgoing_create, outgoing_submit
from crm.models import Counterparty, CounterpartyCategory
from storage.services import stored_file_create
from workflow import calendar

DEMO_SUBJECT = "О продлении договора аренды офиса 305"


def load_outgoing(*, users, entities) -> None:
    # the business centre: up to the general director; the hotel: the executor alone (seed 000)
    OutgoingApprovalSettings.objects.get_or_create(
        legal_entity=entities["БЦ"],
        defaults={"mode": ChainMode.ROLE, "top_role": roles.GENERAL_DIRECTOR},
    )
    OutgoingApprovalSettings.objects.get_or_create(
        legal_entity=entities["ОТ"], defaults={"mode": ChainMode.EXECUTOR}
    )
    ExtraApprover.objects.get_or_create(
        category=CounterpartyCategory.GOVERNMENT, role=roles.LAWYER, legal_entity=None
    )
    if OutgoingLetter.objects.filter(subject=DEMO_SUBJECT).exists():
        return
    tenant = Counterparty.objects.filter(name="ООО «Северный ветер»").first()
    if tenant is None:
        return
    if not tenant.email:
        tenant.email = "office@severny-veter.example"
        tenant.save(update_fields=["email"])
    from storage.testing import pdf_bytes

    author = users["manager1"]
    upload = SimpleUploadedFile("prodlenie-305.pdf", pdf_bytes("prodlenie"), "application/pdf")
    letter = outgoing_create(
        user=author,
        legal_entity=entities["БЦ"],
        counterparty=tenant,
        subject=DEMO_SUBJECT,
        text="Предлагаем продлить договор аренды офиса 305 на 11 месяцев на прежних условиях.",
        control_date=calendar.add_working_days(timezone.localdate(), 10),
        files=[stored_file_create(upload=upload, uploaded_by=author)],
    )
    outgoing_submit(letter_id=letter.pk, user=author)
