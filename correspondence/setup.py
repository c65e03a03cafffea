"""Reference data every installation needs: the three route rules of seed 000 and a journal per
legal entity and direction. Idempotent; used by the demo and by tests."""

from __future__ import annotations

from django.utils.translation import gettext as _

from correspondence.models import Direction, RegistrationJournal, RouteRule, RouteStep, StepMode
from correspondence.models import StepRole as R
from crm.models import CounterpartyCategory

SEQ, PAR = StepMode.SEQUENTIAL, StepMode.PARALLEL

ROUTES = [
    (
        CounterpartyCategory.TENANT,
        "Арендатор: исполнитель и директор",
        [(R.RESPONSIBLE, SEQ), (R.DIRECTOR, PAR)],
    ),
    (
        CounterpartyCategory.GOVERNMENT,
        "Госорган: генеральный директор → юрист → исполнитель",
        [(R.GENERAL_DIRECTOR, SEQ), (R.LAWYER, SEQ), (R.RESPONSIBLE, SEQ)],
    ),
    (
        CounterpartyCategory.CONTRACTOR,
        "Подрядчик / поставщик: генеральный директор → юрист → исполнитель",
        [(R.GENERAL_DIRECTOR, SEQ), (R.LAWYER, SEQ), (R.RESPONSIBLE, SEQ)],
    ),
]


def route_rules_ensure(*, reminder_working_days: int = 2) -> list[RouteRule]:
    rules = []
    for category, name, steps in ROUTES:
        rule, created = RouteRule.objects.get_or_create(
            category=category,
            defaults={"name": name, "reminder_working_days": reminder_working_days},
        )
        if created:
            RouteStep.objects.bulk_create(
                [
                    RouteStep(rule=rule, order=(i + 1) * 10, role=role, mode=mode)
                    for i, (role, mode) in enumerate(steps)
                ]
            )
        rules.append(rule)
    return rules


def journals_ensure(entities) -> list[RegistrationJournal]:
    journals = []
    for entity in entities:
        for direction, index, label in (
            (Direction.INCOMING, "Вх", _("Входящие")),
            (Direction.OUTGOING, "Исх", _("Исходящие")),
        ):
            journal, _created = RegistrationJournal.objects.get_or_create(
                direction=direction,
                legal_entity=entity,
                is_active=True,
                defaults={
                    "name": f"{label} {entity.short_name}",
                    "index": index,
                    "number_format": "{index}-{seq}/{entity}/{year}",
                    "sequence_width": 4,
                },
            )
            journals.append(journal)
    return journals
