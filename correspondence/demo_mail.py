"""Demo of «Входящая почта»: the mailbox from ARGO_INTAKE_IMAP_* when set, and a few sample
messages (from a mailbox that is not polled) so the queue can be tried without a mail server."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from crm.models import Counterparty
from intake.models import IntakeItem, Mailbox, Security
from intake.services import item_store
from intake.setup import mailbox_from_env

SAMPLES_MAILBOX = "Примеры (не опрашивается)"


def load_mail(*, users, entities) -> None:
    mailbox_from_env()
    if IntakeItem.objects.exists():
        return
    from intake.testing import legacy_letter, letter
    from storage.testing import EXE_BYTES, pdf_bytes

    samples, _created = Mailbox.objects.get_or_create(
        name=SAMPLES_MAILBOX,
        defaults={
            "host": "imap.example.invalid",
            "security": Security.SSL,
            "username": "office@argo.example",
            "password_env": "ARGO_INTAKE_DEMO_UNUSED",
            "is_active": False,
            "default_legal_entity": entities["БЦ"],
        },
    )
    lift = Counterparty.objects.filter(name="ООО «ЛифтСервис»").first()
    if lift is not None and not lift.email:
        lift.email = "info@liftservice.example"
        lift.save(update_fields=["email"])
    day = (timezone.localdate() - dt.timedelta(days=2)).strftime("%d.%m.%Y")
    messages = [
        letter(
            subject=f"Акт выполненных работ № 45/11 от {day}",
            body="Добрый день!\n\nНаправляем акт за ноябрь по обслуживанию лифтов. "
            "Просим подписать и вернуть один экземпляр.\n\nС уважением, ООО «ЛифтСервис»",
            sender="Ирина Соколова <buh@liftservice.example>",
            files=[("Акт № 45-11 (ноябрь).pdf", pdf_bytes("Akt 45"), "application/pdf")],
        ),
        legacy_letter(
            subject="О плановой проверке",
            body="Уведомляем о плановой выездной проверке помещений гостиницы. "
            "Перечень документов прилагается.",
            sender="Управление Роспотребнадзора <priemnaya@rpn.example>",
            attachment=("Перечень документов.pdf", pdf_bytes("Perechen")),
        ),
        letter(
            subject=f"Счёт на оплату № 1207 от {day}",
            body="Счёт и акт во вложении.",
            sender="accounts@unknown-supplier.example",
            files=[
                ("Счёт.pdf", EXE_BYTES, "application/pdf"),
                ("Акт.pdf", pdf_bytes("Akt"), "application/pdf"),
            ],
        ),
        letter(
            subject="Скидки до 40% на канцтовары для офиса",
            body="",
            html="<html><body><h1>Только неделю!</h1><p>Бумага, папки и картриджи "
            "<b>со скидкой до 40%</b>.</p></body></html>",
            sender="Офис-Маркет <promo@office-market.example>",
        ),
    ]
    for uid, raw in enumerate(messages, start=1):
        item_store(mailbox=samples, uid_validity=1, uid=uid, raw=raw)
