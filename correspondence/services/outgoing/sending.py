"""Sending an approved letter (email with attachments, post, courier, EDO) and recording the
counterparty's incoming number."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from correspondence.models import (
    DeliveryMethod,
    IncomingLetter,
    LetterFile,
    OutgoingLetter,
    OutgoingStatus,
)
from correspondence.services import approval_chain
from correspondence.services.filing import letter_file_into_folders
from correspondence.services.outgoing.base import (
    KIND_NUMBER,
    MOVED_ON,
    date_text,
    letter_of_task,
    record_transition,
)
from correspondence.services.outgoing.reaction import letter_close, reaction_timer_schedule
from workflow import calendar
from workflow.models import HistoryAction
from workflow.services import (
    history_record,
    task_complete,
    task_create,
)

# --- sending -------------------------------------------------------------------------------------


def _send_email(letter: OutgoingLetter, *, to: str, body: str) -> None:
    subject = f"{letter.reg_number} — {letter.subject}"[:500]
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    names = []
    for link in LetterFile.objects.filter(outgoing=letter).select_related("stored_file"):
        stored = link.stored_file
        with stored.file.open("rb") as handle:
            message.attach(stored.original_name, handle.read(), stored.content_type)
        names.append(stored.original_name)
    try:
        message.send(fail_silently=False)
    except (OSError, smtplib.SMTPException) as error:
        # the transaction rolls back: the letter stays «к отправке» and the task stays open
        raise TransitionNotAllowed(
            _("Письмо не отправлено: почтовый сервер ответил ошибкой (%(error)s).")
            % {"error": error}
        ) from error
    letter.email_to = to
    letter.email_subject = subject
    letter.email_body = body
    letter.email_attachments = names
    letter.email_sent_at = timezone.now()


def send_complete(*, task_id: int, user, data: dict) -> OutgoingLetter:
    """«Отправить письмо»: record the delivery; by email the letter really goes out with its
    files. A reply closes the incoming letter it answers; the secretary then gets the task to
    obtain the counterparty's incoming number, and the reaction check is scheduled."""
    method = data["method"]
    sent_on = data.get("sent_on") or timezone.localdate()
    with transaction.atomic():
        letter = letter_of_task(task_id)
        if not can_proceed(letter.send):
            raise TransitionNotAllowed(MOVED_ON)
        to = (data.get("email") or "").strip() or letter.counterparty.email
        if method == DeliveryMethod.EMAIL and not to:
            raise TransitionNotAllowed(_("Не указан адрес эл. почты получателя."))
        task_complete(task_id=task_id, user=user, outcome=method, comment=data.get("comment", ""))
        if method == DeliveryMethod.EMAIL:
            body = (data.get("body") or "").strip() or letter.text
            _send_email(letter, to=to, body=body)
        record_transition(
            letter,
            lambda: letter.send(delivery=method, sent_on=sent_on, by=user),
            actor=user,
            description=_("Письмо отправлено (%(method)s) %(date)s")
            % {"method": DeliveryMethod(method).label, "date": date_text(sent_on)}
            + (_(" на адрес %(to)s") % {"to": to} if method == DeliveryMethod.EMAIL else ""),
        )
        letter.save()
        config = approval_chain.settings_for(letter.legal_entity)
        task_create(
            kind=KIND_NUMBER,
            title=_("Получить входящий номер контрагента: %(number)s")
            % {"number": letter.reg_number},
            assignee=user,
            subject=letter,
            due_at=calendar.deadline_after(timezone.now(), config.counterparty_number_working_days),
            created_by=user,
            description=_("Узнайте у «%(to)s» номер и дату, под которыми зарегистрировано письмо.")
            % {"to": letter.counterparty.name},
        )
        if letter.control_date:
            reaction_timer_schedule(letter, letter.control_date, config)
        if letter.in_reply_to_id:
            from correspondence.services.incoming import incoming_close_by_reply

            if incoming_close_by_reply(letter_id=letter.in_reply_to_id, outgoing=letter, user=user):
                letter_file_into_folders(IncomingLetter.objects.get(pk=letter.in_reply_to_id))
    return letter


def counterparty_number_complete(*, task_id: int, user, data: dict) -> OutgoingLetter:
    """The counterparty's incoming number and date are stored; the letter waits for a reaction
    (or closes, when it has no control date)."""
    with transaction.atomic():
        letter = letter_of_task(task_id)
        task_complete(task_id=task_id, user=user, outcome="number", comment=data.get("comment", ""))
        letter.counterparty_number = data["number"].strip()
        letter.counterparty_date = data.get("date")
        letter.save(update_fields=["counterparty_number", "counterparty_date"])
        history_record(
            subject=letter,
            actor=user,
            action=HistoryAction.DECISION,
            description=_("Входящий номер у контрагента: %(number)s от %(date)s")
            % {"number": letter.counterparty_number, "date": date_text(letter.counterparty_date)},
        )
        if letter.status == OutgoingStatus.SENT:
            if letter.control_date:
                record_transition(
                    letter,
                    letter.await_reaction,
                    actor=user,
                    description=_("Ожидается реакция контрагента до %(date)s")
                    % {"date": date_text(letter.control_date)},
                )
                letter.save()
            else:
                letter_close(letter, actor=user, comment=_("Контрольный срок не задан."))
    return letter
