"""What every part of the outgoing letter services shares: task kinds, decision codes, locking."""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _

from correspondence.models import OutgoingLetter
from workflow.models import Task, TaskStatus
from workflow.selectors import tasks_of

KIND_SEND = "correspondence.outgoing_send"
KIND_NUMBER = "correspondence.outgoing_counterparty_number"
KIND_REACTION = "correspondence.outgoing_reaction"
# the executor's «prepare the reply and submit it»: closed when the draft goes to approval
KIND_PREPARE = "correspondence.outgoing_prepare"
OUTGOING_KINDS = (KIND_SEND, KIND_NUMBER, KIND_REACTION, KIND_PREPARE)
TIMER_REACTION = "correspondence.outgoing_reaction_check"

RECEIVED = "received"
NOT_YET = "not_yet"

MOVED_ON = _("Письмо уже в другом состоянии: его изменил другой пользователь. Обновите страницу.")


def locked(letter_id: int) -> OutgoingLetter:
    return (
        OutgoingLetter.objects.select_for_update(of=("self",))
        .select_related("legal_entity", "counterparty", "author", "executor", "thread")
        .get(pk=letter_id)
    )


def letter_of_task(task_id: int) -> OutgoingLetter:
    object_id = Task.objects.values_list("object_id", flat=True).get(pk=task_id)
    return locked(object_id)


def date_text(value: dt.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def open_tasks(letter, kind: str):
    return tasks_of(letter).filter(kind=kind, status=TaskStatus.OPEN)


def letter_label(letter: OutgoingLetter) -> str:
    return letter.reg_number or _("черновик № %(pk)s") % {"pk": letter.pk}
