"""Registering an incoming letter (which starts its route), comments on it, and closing it when
the reply is sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from correspondence.models import (
    Direction,
    IncomingLetter,
    LetterFile,
    OutgoingLetter,
    Thread,
)
from correspondence.services.incoming import route
from correspondence.services.numbering import journal_for, number_take
from workflow.access import access_refresh
from workflow.models import HistoryAction
from workflow.routes.services import route_cancel, route_start
from workflow.services import display_name, history_record
from workflow.transitions import transition_apply


def locked_letter(letter_id: int) -> IncomingLetter:
    return (
        IncomingLetter.objects.select_for_update(of=("self",))
        .select_related("legal_entity", "counterparty", "responsible", "thread")
        .get(pk=letter_id)
    )


def incoming_register(
    *,
    user,
    legal_entity,
    counterparty,
    subject: str,
    received_on: dt.date,
    control_date: dt.date,
    sender_number: str = "",
    sender_date: dt.date | None = None,
    summary: str = "",
    responsible=None,
    addressee_department=None,
    project=None,
    answers_outgoing: OutgoingLetter | None = None,
    files: Iterable = (),
) -> IncomingLetter:
    """Register an incoming letter: number it, put it in a thread, attach its files, and start
    the route chosen by the counterparty's category."""
    if not rules.has_perm("correspondence.register_incoming", user):
        raise PermissionDenied(_("Регистрировать входящие может только секретарь."))
    with transaction.atomic():
        journal = journal_for(direction=Direction.INCOMING, legal_entity=legal_entity)
        year = timezone.localdate().year
        sequence, number = number_take(journal=journal, year=year, entity_code=legal_entity.code)
        if answers_outgoing is not None:
            thread = answers_outgoing.thread
        else:
            thread = Thread.objects.create(
                counterparty=counterparty, subject=subject, project=project, created_by=user
            )
        rule = route.rule_for(counterparty.category)
        letter = IncomingLetter.objects.create(
            journal=journal,
            reg_number=number,
            reg_year=year,
            reg_sequence=sequence,
            legal_entity=legal_entity,
            addressee_department=addressee_department,
            counterparty=counterparty,
            sender_number=sender_number,
            sender_date=sender_date,
            subject=subject,
            summary=summary,
            received_on=received_on,
            control_date=control_date,
            responsible=responsible,
            project=project,
            thread=thread,
            answers_outgoing=answers_outgoing,
            route_rule=rule,
            reminder_working_days=rule.reminder_working_days if rule else 1,
            registered_by=user,
        )
        LetterFile.objects.bulk_create(
            [LetterFile(incoming=letter, stored_file=f, added_by=user) for f in files]
        )
        access_refresh(letter)
        history_record(
            subject=letter,
            actor=user,
            action=HistoryAction.CREATED,
            description=_("Письмо зарегистрировано: № %(number)s, маршрут «%(route)s»")
            % {"number": number, "route": rule.name if rule else _("исполнитель")},
            to_state=letter.status,
        )
        route_start(
            subject=letter,
            document_type_code=route.DOC_TYPE,
            plan=route.incoming_plan(letter, rule),
            actor=user,
        )
        if answers_outgoing is not None:
            from correspondence.services.outgoing import outgoing_answer_received

            outgoing_answer_received(outgoing_id=answers_outgoing.pk, incoming=letter, user=user)
    return letter


def incoming_close_by_reply(*, letter_id: int, outgoing: OutgoingLetter, user=None) -> bool:
    """Called when the reply ``outgoing`` was sent: the incoming letter becomes «Исполнено», and
    route steps still holding it close as «не потребовалось» («для сведения» ones stay open).
    Idempotent: returns False when the letter was not waiting for its reply any more."""
    with transaction.atomic():
        letter = locked_letter(letter_id)
        if not can_proceed(letter.close_by_reply):
            return False
        text = _("Отправлен ответ: %(reply)s") % {"reply": outgoing}
        transition_apply(letter, "close_by_reply", actor=user, description=text, report=text)
        route_cancel(subject=letter, actor=user, reason=_("Ответ на письмо отправлен."))
    return True


def incoming_comment_add(*, letter_id: int, user, text: str) -> None:
    text = text.strip()
    if not text:
        return
    with transaction.atomic():
        letter = locked_letter(letter_id)
        if not rules.has_perm("correspondence.view_incoming", user, letter):
            raise PermissionDenied(_("Нет доступа к письму."))
        history_record(
            subject=letter,
            actor=user,
            action=HistoryAction.COMMENT,
            description=_("Комментарий: %(who)s") % {"who": display_name(user)},
            comment=text,
        )
