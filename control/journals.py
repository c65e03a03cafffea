"""Registration journal reports: the journal of a period (for print) and «Пропуски в нумерации».

A number is taken inside the registration's transaction (``correspondence.services.numbering``):
a failed registration rolls the counter back with it, so it burns no number. A gap therefore means
a registered letter was deleted afterwards (its registration stays in the append-only history,
which gives the reason and the date) or the journal's counter was raised by hand."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from correspondence.models import (
    Direction,
    IncomingLetter,
    JournalCounter,
    OutgoingLetter,
    RegistrationJournal,
)
from correspondence.roles import ALL_CORRESPONDENCE, REGISTRAR
from workflow.models import HistoryAction, HistoryEntry, LegalEntity
from workflow.roles import GENERAL_DIRECTOR
from workflow.selectors import has_role
from workflow.services import display_name

MAX_ROWS = 20000


def may_see_journals(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser
        or any(has_role(user, role) for role in (GENERAL_DIRECTOR, ALL_CORRESPONDENCE, REGISTRAR))
    )


@dataclass
class JournalRow:
    number: str
    date: dt.datetime
    party: str
    summary: str
    executor: str
    execution: str


def _model_of(journal: RegistrationJournal):
    return IncomingLetter if journal.direction == Direction.INCOMING else OutgoingLetter


def journal_rows(journal: RegistrationJournal, *, date_from: dt.date, date_to: dt.date) -> list:
    tz = timezone.get_current_timezone()
    begin = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    model = _model_of(journal)
    letters = (
        model.objects.filter(journal=journal, registered_at__gte=begin, registered_at__lt=end)
        .select_related("counterparty")
        .order_by("reg_year", "reg_sequence")
    )
    if model is IncomingLetter:
        letters = letters.select_related("responsible")
    else:
        letters = letters.select_related("executor", "author")
    rows = []
    for letter in letters[:MAX_ROWS]:
        if model is IncomingLetter:
            executor = letter.responsible
            summary = letter.subject + (f". {letter.summary}" if letter.summary else "")
            execution = letter.get_status_display()
            if letter.completed_at:
                execution += " " + timezone.localtime(letter.completed_at).strftime("%d.%m.%Y")
        else:
            executor = letter.executor or letter.author
            summary = letter.subject
            execution = letter.get_status_display()
            if letter.sent_on:
                execution += " " + letter.sent_on.strftime("%d.%m.%Y")
        rows.append(
            JournalRow(
                number=letter.reg_number,
                date=letter.registered_at,
                party=letter.counterparty.name,
                summary=summary,
                executor=display_name(executor) if executor else "",
                execution=execution,
            )
        )
    return rows


@dataclass
class Gap:
    journal: RegistrationJournal
    year: int
    first: int
    last: int
    reason: str

    @property
    def size(self) -> int:
        return self.last - self.first + 1


_GAPS_SQL = """
    WITH used AS (
        SELECT reg_sequence AS n FROM {table} WHERE journal_id = %s AND reg_year = %s
    ), missing AS (
        SELECT n FROM generate_series(1, %s) AS n
        WHERE NOT EXISTS (SELECT 1 FROM used WHERE used.n = n.n)
    )
    SELECT MIN(n), MAX(n)
    FROM (SELECT n, n - ROW_NUMBER() OVER (ORDER BY n) AS run FROM missing) AS runs
    GROUP BY run ORDER BY MIN(n)
"""
_NUMBER = re.compile(r"№\s*(\S+)")


def _deleted_numbers(journal: RegistrationJournal) -> dict[str, dt.datetime]:
    """Numbers registered in ``journal``'s letters model whose letter no longer exists, from the
    registration's history entry («… № X …»)."""
    model = _model_of(journal)
    content_type = ContentType.objects.get_for_model(model)
    entries = HistoryEntry.objects.filter(
        content_type=content_type,
        description__contains="№",
        action__in=[HistoryAction.CREATED, HistoryAction.TRANSITION],
    ).exclude(object_id__in=model.objects.values("pk"))
    found = {}
    for entry in entries.only("description", "created_at"):
        match = _NUMBER.search(entry.description)
        if match:
            found[match.group(1).rstrip(",.;")] = entry.created_at
    return found


def numbering_gaps(journals=None) -> list[Gap]:
    journals = journals if journals is not None else RegistrationJournal.objects.all()
    codes = list(LegalEntity.objects.values_list("code", flat=True))
    gaps: list[Gap] = []
    for journal in journals:
        counters = JournalCounter.objects.filter(journal=journal).order_by("year")
        deleted = None
        for counter in counters:
            sql = _GAPS_SQL.format(table=_model_of(journal)._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(sql, [journal.pk, counter.year, counter.last_number])
                runs = cursor.fetchall()
            if runs and deleted is None:
                deleted = _deleted_numbers(journal)
            for first, last in runs:
                gaps.append(
                    Gap(
                        journal,
                        counter.year,
                        first,
                        last,
                        _reason(journal, counter.year, first, last, deleted or {}, codes),
                    )
                )
    return gaps


def _reason(journal, year, first, last, deleted, codes) -> str:
    reasons = []
    for sequence in range(first, min(last, first + 50) + 1):
        for code in codes:
            number = journal.format_number(sequence, year, entity_code=code)
            if number in deleted:
                reasons.append(
                    _("№ %(number)s: письмо удалено после регистрации (%(when)s)")
                    % {
                        "number": number,
                        "when": timezone.localtime(deleted[number]).strftime("%d.%m.%Y"),
                    }
                )
    if reasons:
        return "; ".join(reasons)
    return _(
        "Причина неизвестна: номер не выдавался ни одному письму (счётчик журнала изменён вручную?)"
    )
