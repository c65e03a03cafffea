"""CRM demo data: the ЖКХ industry flagged for the client pipeline, companies with contacts,
responsible managers and a few communications. Idempotent.

The companies are tenants (prospective and current): the foundation's demo test expects the demo
counterparties to be of the three letter-routing categories only, and for Argo the tenants are
the client base the managers call (crm.models.CLIENT_CATEGORIES)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from crm.models import (
    CommunicationKind,
    ContactPerson,
    Counterparty,
    CounterpartyCategory,
    CrmSettings,
    Industry,
)
from crm.search import contact_keys
from crm.services.contact import communication_add

CLIENTS = [
    # name, INN, contact person, phone, manager, industry
    (
        "ООО «УК Невский квартал»",
        "7841000101",
        "Лебедева Наталья",
        "+7 812 400-10-01",
        "manager1",
        "ЖКХ",
    ),
    (
        "ООО «ЖЭС-7 Приморский»",
        "7814000103",
        "Фёдорова Галина",
        "+7 812 400-10-03",
        "manager2",
        "ЖКХ",
    ),
    ("ООО «Теплосервис Охта»", "7806000104", "Никитин Олег", "+7 812 400-10-04", "manager2", "ЖКХ"),
    ("ООО «Софтлайн Нева»", "7802000105", "Голубева Ирина", "+7 812 400-10-05", "manager1", "IT"),
    ("ООО «Лавка у Невы»", "7813000106", "Захаров Илья", "+7 812 400-10-06", "manager2", "Ритейл"),
]


def load(*, users, entities) -> None:
    CrmSettings.load()
    industries = {
        "ЖКХ": Industry.objects.get_or_create(name="ЖКХ", defaults={"starts_pipeline": True})[0],
        "Ритейл": Industry.objects.get_or_create(name="Ритейл")[0],
        "IT": Industry.objects.get_or_create(name="IT")[0],
    }
    now = timezone.now()
    for index, (name, inn, contact, phone, manager, industry) in enumerate(CLIENTS):
        company, created = Counterparty.objects.get_or_create(
            inn=inn,
            kpp="",
            defaults={
                "name": name,
                "category": CounterpartyCategory.TENANT,
                "industry": industries[industry],
                "phone": phone,
                "email": f"office{index + 1}@zhkh.example",
                "responsible": users[manager],
                "next_contact_check_at": now + dt.timedelta(days=90),
            },
        )
        if created:
            person = ContactPerson.objects.create(
                company=company,
                name=contact,
                position="Директор" if index % 2 == 0 else "Главный инженер",
                phones=[phone.replace("400-10", "400-20")],
                emails=[f"contact{index + 1}@zhkh.example"],
            )
            company.contact_keys = contact_keys(
                phone=company.phone, email=company.email, contacts=[person]
            )
            company.save(update_fields=["contact_keys"])
        if created and index % 2 == 0:
            communication_add(
                company=company,
                kind=CommunicationKind.CALL if index % 4 == 0 else CommunicationKind.LETTER,
                author=users[manager],
                summary="Первичный контакт: отправили презентацию услуг",
                occurred_at=now - dt.timedelta(days=10 + index),
            )
