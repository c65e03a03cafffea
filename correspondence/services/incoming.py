"""Every write on incoming letters: registration, route decisions, comments, closing by reply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from correspondence.models import (
    DEFAULT_PLAN,
    Direction,
    IncomingLetter,
    IncomingStatus,
    LetterFile,
    OutgoingLetter,
    RouteRule,
    Thread,
)
from correspondence.services import routing
from correspondence.services.numbering import journal_for, number_take
from storage.services import stored_files_create
from workflow.models import HistoryAction, Task
from workflow.services import (
    display_name,
    history_record,
    instruction_give,
    notification_send,
    task_complete,
)


def _locked_letter(letter_id: int) -> IncomingLetter:
    return (
        IncomingLetter.objects.select_for_update(of=("self",))
        .select_related("legal_entity", "counterparty", "responsible", "thread")
        .get(pk=letter_id)
    )


def _letter_of_task(task_id: int) -> IncomingLetter:
    object_id = Task.objects.values_list("object_id", flat=True).get(pk=task_id)
    return _locked_letter(object_id)


def _date(value: dt.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


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
        rule = (
            RouteRule.objects.filter(category=counterparty.category, is_active=True)
            .prefetch_related("steps")
            .first()
        )
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
            route_plan=(rule.plan() if rule else None) or DEFAULT_PLAN,
            reminder_working_days=rule.reminder_working_days if rule else 1,
            registered_by=user,
        )
        LetterFile.objects.bulk_create(
            [LetterFile(incoming=letter, stored_file=f, added_by=user) for f in files]
        )
        history_record(
            subject=letter,
            actor=user,
            action=HistoryAction.CREATED,
            description=_("Письмо зарегистрировано: № %(number)s, маршрут «%(route)s»")
            % {"number": number, "route": rule.name if rule else _("исполнитель")},
            to_state=letter.status,
        )
        routing.stage_start(letter, 0, actor=user)
        if answers_outgoing is not None:
            from correspondence.services.outgoing import outgoing_answer_received

            outgoing_answer_received(outgoing_id=answers_outgoing.pk, incoming=letter, user=user)
    return letter


def review_complete(*, task_id: int, user, data: dict) -> IncomingLetter:
    """A participant of the route (director, lawyer, head) has read the letter: go on."""
    with transaction.atomic():
        letter = _letter_of_task(task_id)
        task_complete(
            task_id=task_id, user=user, outcome="reviewed", comment=data.get("comment", "")
        )
        routing.route_continue(letter, actor=user)
    return letter


def resolution_complete(*, task_id: int, user, data: dict) -> IncomingLetter:
    """The general director's resolution: text, co-executors and subtasks; then the route goes on.

    ``data``: resolution (str), comment (str), co_executors (users), subtasks (list of dicts with
    assignee, title, due_date)."""
    with transaction.atomic():
        letter = _letter_of_task(task_id)
        task = task_complete(
            task_id=task_id,
            user=user,
            outcome="resolution",
            comment=data.get("resolution", ""),
        )
        resolution = (data.get("resolution") or "").strip()
        if resolution:
            letter.resolution = resolution
            letter.save(update_fields=["resolution"])
        due_at = routing.letter_due_at(letter)
        added = []
        for co_executor in data.get("co_executors") or []:
            if co_executor.pk == letter.responsible_id:
                continue
            letter.co_executors.add(co_executor)
            added.append(display_name(co_executor))
            instruction_give(
                author=user,
                assignee=co_executor,
                title=_("Соисполнение по письму %(number)s: %(subject)s")
                % {"number": letter.reg_number, "subject": letter.subject},
                description=resolution,
                due_at=due_at,
                subject=letter,
                parent=task,
            )
        for sub in data.get("subtasks") or []:
            sub_due = sub.get("due_date")
            instruction_give(
                author=user,
                assignee=sub["assignee"],
                title=sub["title"],
                description=_("По письму %(number)s") % {"number": letter.reg_number},
                due_at=(
                    timezone.make_aware(dt.datetime.combine(sub_due, dt.time(18, 0)))
                    if sub_due
                    else due_at
                ),
                subject=letter,
                parent=task,
            )
        history_record(
            subject=letter,
            actor=user,
            action=HistoryAction.DECISION,
            description=_("Резолюция генерального директора")
            + (_("; соисполнители: %(who)s") % {"who": ", ".join(added)} if added else "")
            + (
                _("; подзадач: %(count)s") % {"count": len(data["subtasks"])}
                if data.get("subtasks")
                else ""
            ),
            comment=resolution,
        )
        routing.route_continue(letter, actor=user)
    return letter


def assign_complete(*, task_id: int, user, data: dict) -> IncomingLetter:
    """The head of the addressee department picks the executor; the executor gets the letter."""
    executor = data["executor"]
    with transaction.atomic():
        letter = _letter_of_task(task_id)
        task_complete(
            task_id=task_id, user=user, outcome="assigned", comment=data.get("comment", "")
        )
        letter.responsible = executor
        letter.save(update_fields=["responsible"])
        history_record(
            subject=letter,
            actor=user,
            action=HistoryAction.ASSIGNMENT,
            description=_("Назначен исполнитель: %(who)s") % {"who": display_name(executor)},
            comment=data.get("comment", ""),
        )
        routing.execute_task_create(letter, actor=user)
        if letter.status != IncomingStatus.IN_WORK:
            routing._transition(
                letter,
                letter.start_work,
                actor=user,
                description=_("Письмо передано на исполнение: %(who)s")
                % {"who": display_name(executor)},
            )
            letter.save()
    return letter


REPLY_NEEDED = "reply"
NO_REPLY = "no_reply"


def execute_complete(*, task_id: int, user, data: dict) -> IncomingLetter:
    """The executor's decision. No reply: the letter is executed with the comment. Reply: an
    outgoing draft is created from the reply text and file, linked both ways."""
    with transaction.atomic():
        letter = _letter_of_task(task_id)
        if data["decision"] == REPLY_NEEDED:
            if not can_proceed(letter.prepare_reply):
                raise TransitionNotAllowed(_("Письмо уже не на исполнении."))
            task_complete(
                task_id=task_id, user=user, outcome=REPLY_NEEDED, comment=data.get("comment", "")
            )
            reply = outgoing_reply_draft_create(
                letter=letter,
                user=user,
                text=data.get("reply_text", ""),
                files=stored_files_create(uploads=data.get("reply_files") or [], uploaded_by=user),
            )
            routing._transition(
                letter,
                letter.prepare_reply,
                actor=user,
                description=_("Готовится ответ (черновик исходящего № %(pk)s)") % {"pk": reply.pk},
            )
            letter.save()
        else:
            if not can_proceed(letter.execute):
                raise TransitionNotAllowed(_("Письмо уже не на исполнении."))
            comment = data.get("comment", "")
            task_complete(task_id=task_id, user=user, outcome=NO_REPLY, comment=comment)
            routing._transition(
                letter,
                lambda: letter.execute(comment=comment),
                actor=user,
                description=_("Письмо исполнено, ответ не требуется"),
            )
            letter.save()
            routing.route_tasks_withdraw(letter, reason=_("Письмо исполнено."))
            from correspondence.services.filing import letter_file_into_folders

            letter_file_into_folders(letter)
            if letter.registered_by_id != user.pk:
                notification_send(
                    recipient=letter.registered_by,
                    text=_("Письмо %(number)s исполнено") % {"number": letter.reg_number},
                    url=letter.get_absolute_url(),
                )
    return letter


def outgoing_reply_draft_create(
    *, letter: IncomingLetter, user, text: str, files: Iterable = ()
) -> OutgoingLetter:
    """A draft outgoing letter answering ``letter``, in the same thread and project."""
    subject = _("Ответ на вх. № %(number)s от %(date)s: %(subject)s") % {
        "number": letter.reg_number,
        "date": _date(letter.received_on),
        "subject": letter.subject,
    }
    reply = OutgoingLetter.objects.create(
        legal_entity=letter.legal_entity,
        counterparty=letter.counterparty,
        subject=subject[:500],
        text=text,
        author=user,
        executor=user,
        in_reply_to=letter,
        thread=letter.thread,
        project=letter.project,
        control_date=letter.control_date,
    )
    LetterFile.objects.bulk_create(
        [LetterFile(outgoing=reply, stored_file=f, added_by=user) for f in files]
    )
    history_record(
        subject=reply,
        actor=user,
        action=HistoryAction.CREATED,
        description=_("Черновик ответа на входящее № %(number)s создан")
        % {"number": letter.reg_number},
        to_state=reply.status,
    )
    return reply


def incoming_close_by_reply(*, letter_id: int, outgoing: OutgoingLetter, user=None) -> bool:
    """Called when the reply ``outgoing`` was sent: the incoming letter becomes «Исполнено».
    Idempotent: returns False when the letter was not waiting for its reply any more."""
    with transaction.atomic():
        letter = _locked_letter(letter_id)
        if not can_proceed(letter.close_by_reply):
            return False
        comment = _("Отправлен ответ: %(reply)s") % {"reply": outgoing}
        routing._transition(
            letter,
            lambda: letter.close_by_reply(comment=comment),
            actor=user,
            description=comment,
        )
        letter.save()
        routing.route_tasks_withdraw(letter, reason=_("Ответ на письмо отправлен."))
    return True


def incoming_comment_add(*, letter_id: int, user, text: str) -> None:
    text = text.strip()
    if not text:
        return
    with transaction.atomic():
        letter = _locked_letter(letter_id)
        if not rules.has_perm("correspondence.view_incoming", user, letter):
            raise PermissionDenied(_("Нет доступа к письму."))
        history_record(
            subject=letter,
            actor=user,
            action=HistoryAction.COMMENT,
            description=_("Комментарий: %(who)s") % {"who": display_name(user)},
            comment=text,
        )
