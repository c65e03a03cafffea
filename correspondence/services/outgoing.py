"""Every write on outgoing letters: create and edit drafts, the approval chain (approve, return,
resubmit, withdraw), registration, sending (email with attachments), the counterparty's number,
reaction control by a durable timer, closing and filing.

Every service locks the letter row first (select_for_update), then the task: two people acting at
the same moment are serialised, and the second one finds the state moved on and gets a message.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from correspondence.models import (
    ApprovalDecision,
    DeliveryMethod,
    Direction,
    IncomingLetter,
    LetterFile,
    OutgoingApproval,
    OutgoingLetter,
    OutgoingStatus,
    Thread,
)
from correspondence.services import approval_chain
from correspondence.services.filing import letter_file_into_folders
from correspondence.services.numbering import journal_for, number_take
from workflow import calendar
from workflow.models import HistoryAction, Role, Task, TaskStatus
from workflow.selectors import tasks_of, users_with_role
from workflow.services import (
    display_name,
    history_record,
    notification_send,
    task_cancel,
    task_complete,
    task_create,
    timer_cancel,
    timer_schedule,
)

KIND_APPROVE = "correspondence.outgoing_approve"
KIND_REVISE = "correspondence.outgoing_revise"
KIND_SEND = "correspondence.outgoing_send"
KIND_NUMBER = "correspondence.outgoing_counterparty_number"
KIND_REACTION = "correspondence.outgoing_reaction"
OUTGOING_KINDS = (KIND_APPROVE, KIND_REVISE, KIND_SEND, KIND_NUMBER, KIND_REACTION)
TIMER_REACTION = "correspondence.outgoing_reaction_check"

APPROVE = "approve"
RETURN = "return"
RECEIVED = "received"
NOT_YET = "not_yet"

MOVED_ON = _("Письмо уже в другом состоянии: его изменил другой пользователь. Обновите страницу.")


def _locked(letter_id: int) -> OutgoingLetter:
    return (
        OutgoingLetter.objects.select_for_update(of=("self",))
        .select_related("legal_entity", "counterparty", "author", "executor", "thread")
        .get(pk=letter_id)
    )


def _letter_of_task(task_id: int) -> OutgoingLetter:
    object_id = Task.objects.values_list("object_id", flat=True).get(pk=task_id)
    return _locked(object_id)


def _date(value: dt.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def _transition(letter: OutgoingLetter, method, *, actor, description: str, comment="") -> None:
    before = letter.status
    method()
    history_record(
        subject=letter,
        actor=actor,
        action=HistoryAction.TRANSITION,
        description=description,
        from_state=before,
        to_state=letter.status,
        comment=comment,
    )


def _open_tasks(letter, kind: str):
    return tasks_of(letter).filter(kind=kind, status=TaskStatus.OPEN)


def _label(letter: OutgoingLetter) -> str:
    return letter.reg_number or _("черновик № %(pk)s") % {"pk": letter.pk}


# --- drafts --------------------------------------------------------------------------------------


def outgoing_create(
    *,
    user,
    legal_entity,
    counterparty,
    subject: str,
    text: str = "",
    executor=None,
    document_date: dt.date | None = None,
    control_date: dt.date | None = None,
    project=None,
    files: Iterable = (),
) -> OutgoingLetter:
    """A new draft written from scratch, in a new thread with the counterparty."""
    if not getattr(user, "employee", None):
        raise PermissionDenied(_("Создавать письма могут только сотрудники."))
    with transaction.atomic():
        thread = Thread.objects.create(
            counterparty=counterparty, subject=subject, project=project, created_by=user
        )
        letter = OutgoingLetter.objects.create(
            legal_entity=legal_entity,
            counterparty=counterparty,
            subject=subject,
            text=text,
            author=user,
            executor=executor or user,
            thread=thread,
            project=project,
            document_date=document_date or timezone.localdate(),
            control_date=control_date,
        )
        LetterFile.objects.bulk_create(
            [LetterFile(outgoing=letter, stored_file=f, added_by=user) for f in files]
        )
        history_record(
            subject=letter,
            actor=user,
            action=HistoryAction.CREATED,
            description=_("Черновик исходящего письма создан"),
            to_state=letter.status,
        )
    return letter


EDITABLE_FIELDS = (
    "legal_entity",
    "counterparty",
    "subject",
    "text",
    "executor",
    "document_date",
    "control_date",
    "project",
)


def outgoing_update(
    *, letter_id: int, user, data: dict, files: Iterable = (), remove_file_ids: Iterable = ()
) -> OutgoingLetter:
    """The author edits the draft (only while it is a draft or returned for revision)."""
    with transaction.atomic():
        letter = _locked(letter_id)
        if letter.author_id != user.pk:
            raise PermissionDenied(_("Изменять письмо может только его автор."))
        if not letter.is_editable:
            raise TransitionNotAllowed(
                _("Письмо можно изменить только в черновике или на доработке.")
            )
        changed = []
        for field in EDITABLE_FIELDS:
            if field in data and getattr(letter, field) != data[field]:
                setattr(letter, field, data[field])
                changed.append(field)
        if changed:
            letter.save(update_fields=changed)
        removed = LetterFile.objects.filter(outgoing=letter, pk__in=list(remove_file_ids)).delete()
        added = LetterFile.objects.bulk_create(
            [LetterFile(outgoing=letter, stored_file=f, added_by=user) for f in files]
        )
        if changed or removed[0] or added:
            history_record(
                subject=letter,
                actor=user,
                action=HistoryAction.COMMENT,
                description=_("Письмо изменено: %(what)s")
                % {
                    "what": ", ".join(
                        [str(OutgoingLetter._meta.get_field(f).verbose_name) for f in changed]
                        + ([_("файлы")] if removed[0] or added else [])
                    )
                },
            )
    return letter


# --- approval ------------------------------------------------------------------------------------


def outgoing_submit(*, letter_id: int, user) -> OutgoingLetter:
    """«Отправить на согласование»: compute the chain and start a new round at its first step."""
    with transaction.atomic():
        letter = _locked(letter_id)
        if letter.author_id != user.pk:
            raise PermissionDenied(_("Отправить письмо на согласование может только его автор."))
        if not can_proceed(letter.submit):
            raise TransitionNotAllowed(_("Письмо уже на согласовании или согласовано."))
        for task in _open_tasks(letter, KIND_REVISE):
            if task.assignee_id == user.pk:
                task_complete(task_id=task.pk, user=user, outcome="resubmitted")
            else:
                task_cancel(task_id=task.pk, reason=_("Автор отправил письмо повторно."))
        chain = approval_chain.chain_for(letter)
        resubmission = letter.status == OutgoingStatus.RETURNED
        _transition(
            letter,
            letter.submit,
            actor=user,
            description=(
                _("Письмо повторно отправлено на согласование (круг %(round)s): %(chain)s")
                if resubmission
                else _("Письмо отправлено на согласование (круг %(round)s): %(chain)s")
            )
            % {
                "round": letter.approval_round + 1,
                "chain": " → ".join(display_name(p) for p in chain),
            },
        )
        letter.save()
        steps = OutgoingApproval.objects.bulk_create(
            [
                OutgoingApproval(
                    letter=letter, round=letter.approval_round, order=i, approver=person
                )
                for i, person in enumerate(chain)
            ]
        )
        _step_start(letter, steps[0], actor=user)
    return letter


def _step_start(letter: OutgoingLetter, step: OutgoingApproval, *, actor) -> None:
    config = approval_chain.settings_for(letter.legal_entity)
    now = timezone.now()
    due_at = calendar.deadline_after(now, config.approval_working_days)
    task = task_create(
        kind=KIND_APPROVE,
        title=_("Согласовать исходящее: %(subject)s") % {"subject": letter.subject},
        assignee=step.approver,
        subject=letter,
        due_at=due_at,
        created_by=actor,
        description=_(
            "Получатель: %(to)s. Автор: %(author)s. Круг согласования %(round)s.\n\n%(text)s"
        )
        % {
            "to": letter.counterparty.name,
            "author": display_name(letter.author),
            "round": step.round,
            "text": letter.text[:2000],
        },
        remind_working_days=config.reminder_working_days,
    )
    step.task = task
    step.decision = ApprovalDecision.PENDING
    step.started_at = now
    step.due_at = due_at
    step.save(update_fields=["task", "decision", "started_at", "due_at"])


def approval_decide(*, task_id: int, user, data: dict) -> OutgoingLetter:
    """An approver's decision: approve (the next approver gets it, or the letter is registered and
    goes to the secretary) or return it to the author with a required comment."""
    decision = data["decision"]
    comment = (data.get("comment") or "").strip()
    if decision == RETURN and not comment:
        raise TransitionNotAllowed(_("Укажите, что нужно исправить."))
    with transaction.atomic():
        letter = _letter_of_task(task_id)
        step = OutgoingApproval.objects.select_for_update().filter(task_id=task_id).first()
        if (
            letter.status != OutgoingStatus.APPROVAL
            or step is None
            or step.decision != ApprovalDecision.PENDING
        ):
            raise TransitionNotAllowed(MOVED_ON)
        task_complete(task_id=task_id, user=user, outcome=decision, comment=comment)
        step.acted_by = user
        step.comment = comment
        step.decided_at = timezone.now()
        if decision == APPROVE:
            step.decision = ApprovalDecision.APPROVED
            step.save(update_fields=["acted_by", "comment", "decided_at", "decision"])
            history_record(
                subject=letter,
                actor=user,
                action=HistoryAction.DECISION,
                description=_("Согласовано: %(who)s") % {"who": display_name(user)},
                comment=comment,
            )
            following = (
                OutgoingApproval.objects.filter(
                    letter=letter, round=step.round, decision=ApprovalDecision.WAITING
                )
                .order_by("order")
                .first()
            )
            if following is not None:
                _step_start(letter, following, actor=user)
            else:
                _approval_finish(letter, actor=user)
        else:
            step.decision = ApprovalDecision.RETURNED
            step.save(update_fields=["acted_by", "comment", "decided_at", "decision"])
            OutgoingApproval.objects.filter(
                letter=letter, round=step.round, decision=ApprovalDecision.WAITING
            ).update(decision=ApprovalDecision.CANCELLED)
            _transition(
                letter,
                letter.return_for_revision,
                actor=user,
                description=_("Возвращено на доработку: %(who)s") % {"who": display_name(user)},
                comment=comment,
            )
            letter.save()
            task_create(
                kind=KIND_REVISE,
                title=_("Доработать письмо: %(subject)s") % {"subject": letter.subject},
                assignee=letter.author,
                subject=letter,
                created_by=user,
                description=_("Замечание (%(who)s): %(comment)s")
                % {"who": display_name(user), "comment": comment},
            )
    return letter


def revise_complete(*, task_id: int, user, data: dict) -> OutgoingLetter:
    """«Доработать письмо» from the task page: the author resubmits (the task closes there)."""
    object_id = Task.objects.values_list("object_id", flat=True).get(pk=task_id)
    return outgoing_submit(letter_id=object_id, user=user)


def outgoing_withdraw(*, letter_id: int, user) -> OutgoingLetter:
    """The author takes the letter back from approval into a draft; open approval tasks close."""
    with transaction.atomic():
        letter = _locked(letter_id)
        if letter.author_id != user.pk:
            raise PermissionDenied(_("Отозвать письмо может только его автор."))
        if not can_proceed(letter.withdraw):
            raise TransitionNotAllowed(MOVED_ON)
        for task in _open_tasks(letter, KIND_APPROVE):
            task_cancel(task_id=task.pk, reason=_("Автор отозвал письмо с согласования."))
        OutgoingApproval.objects.filter(
            letter=letter,
            round=letter.approval_round,
            decision__in=[ApprovalDecision.PENDING, ApprovalDecision.WAITING],
        ).update(decision=ApprovalDecision.CANCELLED)
        _transition(
            letter,
            letter.withdraw,
            actor=user,
            description=_("Автор отозвал письмо с согласования"),
        )
        letter.save()
    return letter


def _secretary_for(letter: OutgoingLetter):
    return users_with_role(Role.REGISTRAR).first() or letter.executor


def _approval_finish(letter: OutgoingLetter, *, actor) -> None:
    """Everyone approved: take the outgoing number and give the secretary «Отправить письмо»."""
    journal = journal_for(direction=Direction.OUTGOING, legal_entity=letter.legal_entity)
    year = timezone.localdate().year
    sequence, number = number_take(journal=journal, year=year, entity_code=letter.legal_entity.code)
    _transition(
        letter,
        lambda: letter.register(journal=journal, year=year, sequence=sequence, number=number),
        actor=actor,
        description=_("Письмо согласовано и зарегистрировано: № %(number)s") % {"number": number},
    )
    letter.save()
    secretary = _secretary_for(letter)
    email = letter.counterparty.email
    task_create(
        kind=KIND_SEND,
        title=_("Отправить письмо %(number)s: %(to)s")
        % {"number": number, "to": letter.counterparty.name},
        assignee=secretary,
        subject=letter,
        due_at=calendar.deadline_after(timezone.now(), 1),
        created_by=actor,
        description=(
            _("Эл. почта контрагента: %(email)s") % {"email": email}
            if email
            else _("У контрагента не указана эл. почта.")
        ),
    )
    if letter.author_id != actor.pk:
        notification_send(
            recipient=letter.author,
            text=_("Письмо согласовано, № %(number)s") % {"number": number},
            url=letter.get_absolute_url(),
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
        letter = _letter_of_task(task_id)
        if not can_proceed(letter.send):
            raise TransitionNotAllowed(MOVED_ON)
        to = (data.get("email") or "").strip() or letter.counterparty.email
        if method == DeliveryMethod.EMAIL and not to:
            raise TransitionNotAllowed(_("Не указан адрес эл. почты получателя."))
        task_complete(task_id=task_id, user=user, outcome=method, comment=data.get("comment", ""))
        if method == DeliveryMethod.EMAIL:
            body = (data.get("body") or "").strip() or letter.text
            _send_email(letter, to=to, body=body)
        _transition(
            letter,
            lambda: letter.send(delivery=method, sent_on=sent_on, by=user),
            actor=user,
            description=_("Письмо отправлено (%(method)s) %(date)s")
            % {"method": DeliveryMethod(method).label, "date": _date(sent_on)}
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
            _reaction_timer_schedule(letter, letter.control_date, config)
        if letter.in_reply_to_id:
            from correspondence.services.incoming import incoming_close_by_reply

            if incoming_close_by_reply(letter_id=letter.in_reply_to_id, outgoing=letter, user=user):
                letter_file_into_folders(IncomingLetter.objects.get(pk=letter.in_reply_to_id))
    return letter


def counterparty_number_complete(*, task_id: int, user, data: dict) -> OutgoingLetter:
    """The counterparty's incoming number and date are stored; the letter waits for a reaction
    (or closes, when it has no control date)."""
    with transaction.atomic():
        letter = _letter_of_task(task_id)
        task_complete(task_id=task_id, user=user, outcome="number", comment=data.get("comment", ""))
        letter.counterparty_number = data["number"].strip()
        letter.counterparty_date = data.get("date")
        letter.save(update_fields=["counterparty_number", "counterparty_date"])
        history_record(
            subject=letter,
            actor=user,
            action=HistoryAction.DECISION,
            description=_("Входящий номер у контрагента: %(number)s от %(date)s")
            % {"number": letter.counterparty_number, "date": _date(letter.counterparty_date)},
        )
        if letter.status == OutgoingStatus.SENT:
            if letter.control_date:
                _transition(
                    letter,
                    letter.await_reaction,
                    actor=user,
                    description=_("Ожидается реакция контрагента до %(date)s")
                    % {"date": _date(letter.control_date)},
                )
                letter.save()
            else:
                _close(letter, actor=user, comment=_("Контрольный срок не задан."))
    return letter


# --- reaction control ----------------------------------------------------------------------------


def _reaction_timer_schedule(letter: OutgoingLetter, control: dt.date, config=None) -> None:
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
    letter = _locked(timer.object_id)
    if letter.status not in (OutgoingStatus.SENT, OutgoingStatus.AWAITING_REACTION):
        return
    if _open_tasks(letter, KIND_REACTION).exists():
        return
    control = letter.reaction_check_on or letter.control_date or timezone.localdate()
    task_create(
        kind=KIND_REACTION,
        title=_("Проверить реакцию контрагента: %(number)s") % {"number": letter.reg_number},
        assignee=letter.executor,
        subject=letter,
        due_at=timezone.make_aware(dt.datetime.combine(control, dt.time(18, 0))),
        description=_("Письмо «%(subject)s» для «%(to)s», контрольный срок %(date)s.")
        % {"subject": letter.subject, "to": letter.counterparty.name, "date": _date(control)},
    )


def reaction_complete(*, task_id: int, user, data: dict) -> OutgoingLetter:
    """The executor's check: a reaction came (closes the letter, optionally linking the incoming
    answer) or not yet (a new check date, a new timer)."""
    with transaction.atomic():
        letter = _letter_of_task(task_id)
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
            text = comment or (
                _("Получен ответ: вх. № %(number)s") % {"number": answer.reg_number}
                if answer
                else _("Реакция получена")
            )
            timer_cancel(subject=letter, kind=TIMER_REACTION)
            _close(letter, actor=user, comment=text)
        else:
            next_check = data["next_check"]
            task_complete(task_id=task_id, user=user, outcome=NOT_YET, comment=comment)
            _reaction_timer_schedule(letter, next_check)
            history_record(
                subject=letter,
                actor=user,
                action=HistoryAction.DECISION,
                description=_("Реакции пока нет; следующая проверка %(date)s")
                % {"date": _date(next_check)},
                comment=comment,
            )
    return letter


def outgoing_answer_received(*, outgoing_id: int, incoming: IncomingLetter, user=None) -> bool:
    """An incoming letter was registered «в ответ на» this letter: the pending reaction check
    closes by itself. Idempotent; False when the letter was not waiting for a reaction."""
    with transaction.atomic():
        letter = _locked(outgoing_id)
        if letter.status not in (OutgoingStatus.SENT, OutgoingStatus.AWAITING_REACTION):
            return False
        for task in _open_tasks(letter, KIND_REACTION):
            task_cancel(task_id=task.pk, reason=_("Получен ответ контрагента."))
        timer_cancel(subject=letter, kind=TIMER_REACTION)
        _close(
            letter,
            actor=user,
            comment=_("Получен ответ: вх. № %(number)s") % {"number": incoming.reg_number},
        )
    return True


def _close(letter: OutgoingLetter, *, actor, comment: str) -> None:
    _transition(
        letter,
        lambda: letter.close(comment=comment),
        actor=actor,
        description=_("Работа по письму завершена"),
        comment=comment,
    )
    letter.save()
    letter_file_into_folders(letter)
