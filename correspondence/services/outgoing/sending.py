"""Sending an approved letter (email with attachments through the outbox, post, courier, EDO)
and recording the counterparty's incoming number."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from correspondence import roles
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
    locked,
)
from correspondence.services.outgoing.reaction import letter_close, reaction_timer_schedule
from outbox.models import OutboxStatus
from outbox.selectors import messages_for
from outbox.services import outbox_enqueue, outbox_retry
from workflow import calendar
from workflow.models import HistoryAction
from workflow.selectors import has_role
from workflow.services import (
    history_record,
    notification_send,
    task_complete,
    task_create,
)
from workflow.transitions import transition_apply

# --- sending -------------------------------------------------------------------------------------
#
# By email the letter is written to the outbox in this transaction and goes out after the commit;
# nothing talks to the mail server while the letter row is locked. The letter becomes «Отправлено»
# at once, as with post or a courier: the secretary's act of sending is what the register
# records, and the route goes on (the counterparty's number, the reaction check). Delivery is a
# separate fact shown on the card from the outbox row: в очереди / отправлено <time> / ошибка
# <reason>. A failure never moves the letter back (that would undo tasks and timers from a
# background job); it notifies the secretary, and the card offers to send the same message again
# (same Message-ID) after fixing the address. ``email_sent_at`` is the time the mail server
# accepted the message, set by ``email_delivery_reported``.


def _email_enqueue(letter: OutgoingLetter, *, to: str, body: str) -> None:
    subject = f"{letter.reg_number} — {letter.subject}"[:500]
    files = [
        link.stored_file
        for link in LetterFile.objects.filter(outgoing=letter).select_related("stored_file")
    ]
    outbox_enqueue(
        to=[to],
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        attachments=files,
        document=letter,
    )
    letter.email_to = to
    letter.email_subject = subject
    letter.email_body = body
    letter.email_attachments = [f.original_name for f in files]
    letter.email_sent_at = None


def email_delivery_reported(message) -> None:
    """Outbox hook: the mail server accepted the letter's message, or it was given up. Written
    to the letter's history; a failure also tells whoever sent the letter."""
    letter = OutgoingLetter.objects.filter(pk=message.document_id).first()
    if letter is None:
        return
    to = ", ".join(message.to)
    if message.status == OutboxStatus.SENT:
        OutgoingLetter.objects.filter(pk=letter.pk).update(email_sent_at=message.sent_at)
        history_record(
            subject=letter,
            action=HistoryAction.COMMENT,  # written by the outbox job, no actor
            description=_("Почтовый сервер принял письмо для %(to)s") % {"to": to},
            data={"message_id": message.message_id},
        )
        return
    history_record(
        subject=letter,
        action=HistoryAction.COMMENT,  # written by the outbox job, no actor
        description=_("Письмо по эл. почте не отправлено (%(to)s)") % {"to": to},
        comment=message.last_error,
        data={"message_id": message.message_id},
    )
    if letter.sent_by_id:
        notification_send(
            recipient=letter.sent_by,
            text=_("Письмо %(number)s не ушло по эл. почте: %(reason)s")
            % {"number": letter.reg_number, "reason": message.last_error},
            url=letter.get_absolute_url(),
            email=False,
        )


def outgoing_email_retry(*, letter_id: int, user, to: str = "") -> OutgoingLetter:
    """Send the letter's failed message again (same Message-ID), to a corrected address when
    given. Whoever sent the letter or holds the registrar role may do it."""
    with transaction.atomic():
        letter = locked(letter_id)
        if not may_retry_email(user, letter):
            raise PermissionDenied(_("Повторить отправку может секретарь или тот, кто отправлял."))
        message = messages_for(letter).filter(status=OutboxStatus.FAILED).first()
        if message is None:
            raise TransitionNotAllowed(_("Неотправленного сообщения нет: обновите страницу."))
        to = (to or "").strip()
        outbox_retry(message_id=message.pk, to=[to] if to else None)
        if to:
            letter.email_to = to
            letter.save(update_fields=["email_to"])
        history_record(
            subject=letter,
            actor=user,
            action=HistoryAction.DECISION,
            description=_("Отправка по эл. почте повторена: %(to)s")
            % {"to": to or ", ".join(message.to)},
        )
    return letter


def may_retry_email(user, letter: OutgoingLetter) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return bool(
        user.is_superuser or letter.sent_by_id == user.pk or has_role(user, roles.REGISTRAR)
    )


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
            _email_enqueue(letter, to=to, body=body)
        transition_apply(
            letter,
            "send",
            actor=user,
            description=_("Письмо отправлено (%(method)s) %(date)s")
            % {"method": DeliveryMethod(method).label, "date": date_text(sent_on)}
            + (
                _(" на адрес %(to)s, сообщение в очереди отправки") % {"to": to}
                if method == DeliveryMethod.EMAIL
                else ""
            ),
            delivery=method,
            sent_on=sent_on,
            by=user,
        )
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
                transition_apply(
                    letter,
                    "await_reaction",
                    actor=user,
                    description=_("Ожидается реакция контрагента до %(date)s")
                    % {"date": date_text(letter.control_date)},
                )
            else:
                letter_close(letter, actor=user, comment=_("Контрольный срок не задан."))
    return letter
