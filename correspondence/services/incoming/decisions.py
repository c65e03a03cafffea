"""The steps of an incoming letter's route that have their own forms: the general director's
resolution, naming the executor, and the executor's decision. Each does the letter's part and then
records the step's decision through the engine (``step_decide``), which moves the route on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from correspondence.models import IncomingLetter, IncomingStatus, LetterFile, OutgoingLetter
from correspondence.services.incoming import route
from correspondence.services.incoming.registration import locked_letter
from storage.services import stored_files_create
from workflow.access import access_refresh
from workflow.models import HistoryAction, RouteStep, StepKind, StepStatus, Task
from workflow.models.routes import Decision
from workflow.routes.services import MOVED_ON, route_step_add, step_decide
from workflow.services import display_name, history_record, instruction_give

REPLY_NEEDED = "reply"
NO_REPLY = "no_reply"


def _letter_of_task(task_id: int) -> tuple[IncomingLetter, Task]:
    task = Task.objects.get(pk=task_id)
    return locked_letter(task.object_id), task


def _date(value: dt.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def resolution_complete(*, task_id: int, user, data: dict) -> IncomingLetter:
    """The general director's resolution: text, co-executors and subtasks; then the route goes on.

    ``data``: resolution (str), co_executors (users), subtasks (list of dicts with assignee,
    title, due_date)."""
    with transaction.atomic():
        letter, task = _letter_of_task(task_id)
        resolution = (data.get("resolution") or "").strip()
        if resolution:
            letter.resolution = resolution
            letter.save(update_fields=["resolution"])
        due_at = route.letter_due_at(letter.control_date)
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
        subtasks = data.get("subtasks") or []
        for sub in subtasks:
            instruction_give(
                author=user,
                assignee=sub["assignee"],
                title=sub["title"],
                description=_("По письму %(number)s") % {"number": letter.reg_number},
                due_at=route.letter_due_at(sub["due_date"]) if sub.get("due_date") else due_at,
                subject=letter,
                parent=task,
            )
        if added or subtasks:
            history_record(
                subject=letter,
                actor=user,
                action=HistoryAction.ASSIGNMENT,
                description=_("По резолюции")
                + (_("; соисполнители: %(who)s") % {"who": ", ".join(added)} if added else "")
                + (_("; подзадач: %(count)s") % {"count": len(subtasks)} if subtasks else ""),
            )
        step_decide(task_id=task_id, user=user, decision=Decision.REVIEW, comment=resolution)
    return letter


def assign_complete(*, task_id: int, user, data: dict) -> IncomingLetter:
    """The head of the addressee department names the executor: the execute step joins the
    current stage (a mid-run addition), the letter goes on execution, then the head's own step
    is decided."""
    executor = data["executor"]
    comment = (data.get("comment") or "").strip()
    with transaction.atomic():
        letter, task = _letter_of_task(task_id)
        if not rules.has_perm("workflow.complete_task", user, task):
            raise PermissionDenied(_("Это задание назначено другому сотруднику."))
        step = RouteStep.objects.filter(task_id=task_id).first()
        if step is None or step.status != StepStatus.PENDING:
            raise TransitionNotAllowed(MOVED_ON)
        letter.responsible = executor
        letter.save(update_fields=["responsible"])
        route_step_add(
            subject=letter,
            actor=user,
            participant=executor,
            stage_id=step.stage_id,
            kind=StepKind.EXECUTE,
            reason=comment[:255],
            task_kind=route.KIND_EXECUTE,
            due_at=route.letter_due_at(letter.control_date),
            remind_days=letter.reminder_working_days,
        )
        route.letter_move(
            letter,
            "start_work",
            IncomingStatus.IN_WORK,
            actor=user,
            description=route.execution_description(executor),
        )
        step_decide(task_id=task_id, user=user, decision=Decision.REVIEW, comment=comment)
    return letter


def execute_complete(*, task_id: int, user, data: dict) -> IncomingLetter:
    """The executor's decision. No reply: their step is done with the report, and the letter is
    executed when the route completes (at once, unless a mandatory review is still open). Reply:
    an outgoing draft is created from the reply text and file, linked both ways, and the letter
    waits for it to be sent."""
    comment = (data.get("comment") or "").strip()
    with transaction.atomic():
        letter, _task = _letter_of_task(task_id)
        if letter.status != IncomingStatus.IN_WORK:
            raise TransitionNotAllowed(_("Письмо уже не на исполнении."))
        if data["decision"] == REPLY_NEEDED:
            reply = outgoing_reply_draft_create(
                letter=letter,
                user=user,
                text=data.get("reply_text", ""),
                files=stored_files_create(uploads=data.get("reply_files") or [], uploaded_by=user),
            )
            # the state moves first: the route may complete with this decision, and a letter
            # waiting for its reply is closed by the reply, not executed
            route.letter_move(
                letter,
                "prepare_reply",
                IncomingStatus.REPLY_PREPARING,
                actor=user,
                description=_("Готовится ответ (черновик исходящего № %(pk)s)") % {"pk": reply.pk},
            )
            comment = comment or _("Нужен ответ: черновик исходящего № %(pk)s") % {"pk": reply.pk}
        step_decide(task_id=task_id, user=user, decision=Decision.DONE, comment=comment)
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
    access_refresh(reply)
    history_record(
        subject=reply,
        actor=user,
        action=HistoryAction.CREATED,
        description=_("Черновик ответа на входящее № %(number)s создан")
        % {"number": letter.reg_number},
        to_state=reply.status,
    )
    return reply
