"""Every write of the CRM. Each service runs in one transaction.

Modules: companies (here), pipeline (the client process), contact (communications, the 90-day
control), distribution (weekly calls), importing (files), calendar (events, feed tokens).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.models import Counterparty, CounterpartyCategory


def counterparty_create(
    *,
    name: str,
    category: str = CounterpartyCategory.OTHER,
    inn: str = "",
    kpp: str = "",
    email: str = "",
    phone: str = "",
    created_by=None,
) -> Counterparty:
    """Create a counterparty; refuses an empty name and a second one with the same INN/KPP."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Укажите наименование контрагента.")})
    with transaction.atomic():
        if inn and Counterparty.objects.filter(inn=inn, kpp=kpp).exists():
            raise ValidationError({"inn": _("Контрагент с таким ИНН/КПП уже есть в базе.")})
        counterparty = Counterparty(
            name=name, category=category, inn=inn, kpp=kpp, email=email, phone=phone
        )
        counterparty.full_clean()
        counterparty.save()
    return counterparty
