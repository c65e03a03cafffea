"""Demo data of the correspondence app: journals, the three routes and a few letters."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from correspondence.models import IncomingLetter, Project
from correspondence.services.incoming import (
    KIND_EXECUTE,
    KIND_RESOLUTION,
    NO_REPLY,
    execute_complete,
    incoming_register,
    resolution_complete,
)
from correspondence.setup import journals_ensure, route_rules_ensure
from crm.models import Counterparty
from storage.services import stored_file_create
from workflow import calendar
from workflow.selectors import tasks_of


def _scan(user, name: str):
    from storage.testing import pdf_bytes

    upload = SimpleUploadedFile(name, pdf_bytes(name), content_type="application/pdf")
    return stored_file_create(upload=upload, uploaded_by=user)


def load(*, users, entities) -> None:
    journals_ensure(entities.values())
    route_rules_ensure()
    project, _created = Project.objects.get_or_create(
        name="Реконструкция фасада БЦ «Арго»",
        defaults={"description": "Переписка с подрядчиками и надзорными органами по фасаду."},
    )
    from correspondence.demo_outgoing import load_outgoing

    load_outgoing(users=users, entities=entities)
    from correspondence.demo_mail import load_mail

    load_mail(users=users, entities=entities)
    if IncomingLetter.objects.exists():
        return
    office = users["office"]
    today = timezone.localdate()
    control = calendar.add_working_days(today, 7)
    counterparties = {c.name: c for c in Counterparty.objects.all()}

    def cp(name: str):
        return counterparties.get(name) or Counterparty.objects.filter(name=name).first()

    # 1. A government body letter waiting for the general director's resolution.
    mchs = cp("Главное управление МЧС России по г. Санкт-Петербургу")
    if mchs:
        incoming_register(
            user=office,
            legal_entity=entities["БЦ"],
            counterparty=mchs,
            sender_number="78-12-345",
            sender_date=today - dt.timedelta(days=3),
            subject="О плановой проверке пожарной безопасности БЦ",
            summary="Просят представить документы по системе оповещения до контрольного срока.",
            received_on=today,
            control_date=control,
            responsible=users["director"],
            files=[_scan(office, "mchs-proverka.pdf")],
        )
    # 2. A tenant letter on execution with the manager (the director takes part).
    tenant = cp("ООО «Северный ветер»")
    if tenant:
        incoming_register(
            user=office,
            legal_entity=entities["БЦ"],
            counterparty=tenant,
            sender_number="15",
            sender_date=today - dt.timedelta(days=1),
            subject="Просьба продлить договор аренды офиса 305",
            received_on=today,
            control_date=calendar.add_working_days(today, 5),
            responsible=users["manager1"],
            files=[_scan(office, "severny-veter-prodlenie.pdf")],
        )
    # 3. A contractor letter: resolution given, lawyer reviewing; and an executed one.
    lift = cp("ООО «ЛифтСервис»")
    if lift:
        letter = incoming_register(
            user=office,
            legal_entity=entities["БЦ"],
            counterparty=lift,
            sender_number="ЛС-204",
            sender_date=today - dt.timedelta(days=2),
            subject="Акт выполненных работ по ремонту лифта №2",
            received_on=today,
            control_date=control,
            responsible=users["manager2"],
            project=project,
            files=[_scan(office, "lift-akt.pdf")],
        )
        task = tasks_of(letter).get(kind=KIND_RESOLUTION)
        resolution_complete(
            task_id=task.pk,
            user=task.assignee,
            data={
                "resolution": "Юристу проверить акт, бухгалтерии — сверить суммы.",
                "co_executors": [users["accountant"]],
                "subtasks": [],
            },
        )
    cleaning = cp("ООО «Чистый город»")
    hotel_tenant = cp("ИП Кузнецов Андрей Викторович")
    target = hotel_tenant or cleaning
    if target:
        letter = incoming_register(
            user=office,
            legal_entity=entities["ОТ"],
            counterparty=target,
            subject="Уведомление о смене банковских реквизитов",
            received_on=today - dt.timedelta(days=2),
            control_date=calendar.add_working_days(today, 3),
            responsible=users["hotel"],
            files=[_scan(office, "rekvizity.pdf")],
        )
        task = tasks_of(letter).filter(kind=KIND_EXECUTE).first()
        if task is not None:
            execute_complete(
                task_id=task.pk,
                user=task.assignee,
                data={"decision": NO_REPLY, "comment": "Реквизиты переданы в бухгалтерию."},
            )
