"""Registration numbers: one counter row per journal and year, locked while a number is taken."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from correspondence.models import JournalCounter, RegistrationJournal


def journal_for(*, direction: str, legal_entity) -> RegistrationJournal:
    """The active journal of the legal entity, else the active journal for all entities."""
    journals = RegistrationJournal.objects.filter(direction=direction, is_active=True).filter(
        Q(legal_entity=legal_entity) | Q(legal_entity__isnull=True)
    )
    journal = sorted(journals, key=lambda j: j.legal_entity_id is None)[:1]
    if not journal:
        raise ValidationError(
            _("Не настроен журнал регистрации для «%(entity)s». Обратитесь к администратору.")
            % {"entity": legal_entity}
        )
    return journal[0]


def number_take(*, journal: RegistrationJournal, year: int, entity_code: str) -> tuple[int, str]:
    """The next (sequence, formatted number) of ``journal`` in ``year``.

    Must run inside the caller's transaction: the counter row stays locked until it commits, so a
    second registration waits here and gets the next number (never MAX()+1, never a duplicate).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_take must run inside transaction.atomic()")
    # create the year's row if missing without racing another registration (ON CONFLICT DO NOTHING)
    JournalCounter.objects.bulk_create(
        [JournalCounter(journal=journal, year=year)], ignore_conflicts=True
    )
    counter = JournalCounter.objects.select_for_update().get(journal=journal, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    number = journal.format_number(counter.last_number, year, entity_code=entity_code)
    return counter.last_number, number
