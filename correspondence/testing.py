"""Helpers for tests of the correspondence app (and of apps building on it)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from correspondence.services.incoming import incoming_register
from correspondence.setup import journals_ensure, route_rules_ensure
from storage.services import stored_file_create
from storage.testing import pdf_bytes
from workflow import calendar


def pdf_upload(name: str = "scan.pdf", text: str = "Pismo") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def stored_pdf(user, name: str = "scan.pdf"):
    return stored_file_create(upload=pdf_upload(name), uploaded_by=user)


def correspondence_setup(entity) -> None:
    journals_ensure([entity])
    route_rules_ensure()


def control_in(working_days: int = 5) -> dt.date:
    return calendar.add_working_days(timezone.localdate(), working_days)


def register(registrar, *, entity, counterparty, **overrides):
    """Register an incoming letter with one PDF scan; keyword arguments override the fields."""
    kwargs = {
        "legal_entity": entity,
        "counterparty": counterparty,
        "subject": "О проверке пожарной безопасности",
        "received_on": timezone.localdate(),
        "control_date": control_in(5),
        "sender_number": "",
        "files": [stored_pdf(registrar)],
    }
    kwargs.update(overrides)
    return incoming_register(user=registrar, **kwargs)


def build_world(org) -> dict:
    """The ``org`` fixture of tests/conftest.py plus what correspondence needs: a director,
    a journal per direction, the three routes, a counterparty of each category."""
    from crm.models import CounterpartyCategory
    from tests.factories import CounterpartyFactory, employee
    from workflow.models import LegalEntity

    entity = LegalEntity.objects.get(code="БЦ")
    world = dict(org)
    world["entity"] = entity
    world["director"] = employee("director", org["departments"]["board"], roles=["director"])
    world["outsider"] = employee("outsider", org["departments"]["legal"])
    correspondence_setup(entity)
    world["tenant"] = CounterpartyFactory(
        name="ООО «Северный ветер»", category=CounterpartyCategory.TENANT
    )
    world["government"] = CounterpartyFactory(
        name="ГУ МЧС по Санкт-Петербургу", category=CounterpartyCategory.GOVERNMENT
    )
    world["contractor"] = CounterpartyFactory(
        name="ООО «ЛифтСервис»", category=CounterpartyCategory.CONTRACTOR
    )
    return world
