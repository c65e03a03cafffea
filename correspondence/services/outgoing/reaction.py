"""Reaction control: a durable timer before the control date gives the executor a check task;
an incoming answer closes the letter by itself; closing files the letter into folders."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from correspondence.models import (
    IncomingLetter,
    OutgoingLetter,
    OutgoingStatus,
)
from correspondence.services import approval_chain
from correspondence.services.filing import letter_file_into_folders
from correspondence.services.outgoing.base import (
    KIND_REACTION,
    MOVED_ON,
    NOT_YET,
    RECEIVED,
    TIMER_REACTION,
    date_text,
    letter_of_task,
    locked,
    open_tasks,
)
from workflow import calendar
from workflow.access import access_refresh
from workflow.models import HistoryAction
from workflow.services import (
    history_record,
    task_cancel,
    task_complete,
    task_create,
    timer_cancel,
    timer_schedule,
)
from workflow.transitions import transition_apply

# --- reaction control ----------------------------------------------------------------------------


def reaction_timer_schedule(letter: OutgoingLetter, control: dt.date, config=None) -> None:
    config = config or approval_chain.settings_for(letter.legal_entity)
    check_day = calendar.add_working_days(control, -config.reaction_check_working_days)
    check_day = max(check_day, timezone.localdate())
    moment = timezone.make_aware(dt.datetime.combine(check_day, dt.time(9, 0)))
    letter.reaction_check_on = control
    letter.save(update_fields=["reaction_check_on"])
    timer_cancel(subject=letter, kind=TIMER_REACTION)
    timer_schedule(kind=TIMER_REACTION, due_at=moment, subject=letter)


def reaction_timer_fire(timer) -> None:
    """The durable timer woke up: the executor gets «Проверить реакцию контрагента». Idempotent."""
    letter = locked(timer.object_id)
    if letter.status not in (OutgoingStatus.SENT, OutgoingStatus.AWAITING_REACTION):
        return
    if open_tasks(letter, KIND_REACTION).exists():
        return
    control = letter.reaction_check_on or letter.control_date or timezone.localdate()
    task_create(
        kind=KIND_REACTION,
        title=_("Проверить реакцию контрагента: %(number)s") % {"number": letter.reg_number},
        assignee=letter.executor,
        subject=letter,
        due_at=timezone.make_aware(dt.datetime.combine(control, dt.time(18, 0))),
        description=_("Письмо «%(subject)s» для «%(to)s», контрольный срок %(date)s.")
        % {"subject": letter.subject, "to": letter.counterparty.name, "date": date_text(control)},
    )


def reaction_complete(*, task_id: int, user, data: dict) -> OutgoingLetter:
    """The executor's check: a reaction came (closes the letter, optionally linking the incoming
    answer) or not yet (a new check date, a new timer)."""
    with transaction.atomic():
        letter = letter_of_task(task_id)
        comment = (data.get("comment") or "").strip()
        if data["decision"] == RECEIVED:
            if not can_proceed(letter.close):
                raise TransitionNotAllowed(MOVED_ON)
            answer = data.get("answer")
            number = (data.get("answer_number") or "").strip()
            if answer is None and number:
                answer = IncomingLetter.objects.filter(
                    reg_number=number, counterparty=letter.counterparty
                ).first()
                if answer is None:
                    raise TransitionNotAllowed(
                        _("Входящее № %(number)s от этого контрагента не найдено.")
                        % {"number": number}
                    )
            task_complete(task_id=task_id, user=user, outcome=RECEIVED, comment=comment)
            if answer is not None and answer.answers_outgoing_id is None:
                IncomingLetter.objects.filter(pk=answer.pk).update(answers_outgoing=letter)
                access_refresh(answer)  # our executor may now read the reply
            text = comment or (
                _("Получен ответ: вх. № %(number)s") % {"number": answer.reg_number}
                if answer
                else _("Реакция получена")
            )
            timer_cancel(subject=letter, kind=TIMER_REACTION)
            letter_close(letter, actor=user, comment=text)
        else:
            next_check = data["next_check"]
            task_complete(task_id=task_id, user=user, outcome=NOT_YET, comment=comment)
            reaction_timer_schedule(letter, next_check)
            history_record(
                subject=letter,
                actor=user,
                action=HistoryAction.DECISION,
                description=_("Реакции пока нет; следующая проверка %(date)s")
                % {"date": date_text(next_check)},
                comment=comment,
            )
    return letter


def outgoing_answer_received(*, outgoing_id: int, incoming: IncomingLetter, user=None) -> bool:
    """An incoming letter was registered «в ответ на» this letter: the pending reaction check
    closes by itself. Idempotent; False when the letter was not waiting for a reaction."""
    with transaction.atomic():
        letter = locked(outgoing_id)
        if letter.status not in (OutgoingStatus.SENT, OutgoingStatus.AWAITING_REACTION):
            return False
        for task in open_tasks(letter, KIND_REACTION):
            task_cancel(task_id=task.pk, reason=_("Получен ответ контрагента."))
        timer_cancel(subject=letter, kind=TIMER_REACTION)
        letter_close(
            letter,
            actor=user,
            comment=_("Получен ответ: вх. № %(number)s") % {"number": incoming.reg_number},
        )
    return True


def letter_close(letter: OutgoingLetter, *, actor, comment: str) -> None:
    transition_apply(
        letter,
        "close",
        actor=actor,
        description=_("Работа по письму завершена"),
        comment=comment,
        reaction=comment,
    )
    letter_file_into_folders(letter)
