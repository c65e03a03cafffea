"""The approval of an outgoing letter on the shared route engine: the chain of heads (and extra
approvers by rule) becomes one stage per approver; this module holds only the builder, the
letter's hooks (state changes, registration and the secretary's task when everyone approved) and
the author's submit and withdraw services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from correspondence import roles
from correspondence.models import Direction, OutgoingLetter
from correspondence.services import approval_chain
from correspondence.services.numbering import journal_for, number_take
from correspondence.services.outgoing.base import KIND_PREPARE, KIND_SEND, locked, open_tasks
from workflow import calendar
from workflow.models import StepKind
from workflow.routes.plan import StagePlan, StepPlan
from workflow.routes.registry import RouteHooks
from workflow.routes.services import route_start, route_withdraw
from workflow.selectors import users_with_role
from workflow.services import (
    display_name,
    notification_send,
    task_cancel,
    task_complete,
    task_create,
)
from workflow.transitions import transition_apply

DOC_TYPE = "correspondence.outgoing"


def describe(letter: OutgoingLetter) -> str:
    return _("исходящее «%(subject)s»") % {"subject": letter.subject}


def approval_plan(letter: OutgoingLetter) -> list[StagePlan]:
    return approval_plan_of(
        legal_entity=letter.legal_entity,
        category=letter.counterparty.category,
        author=letter.author,
        executor=letter.executor,
    )


def approval_plan_of(
    *, legal_entity, category: str, author=None, executor=None, department=None
) -> list[StagePlan]:
    """One stage per approver, in the chain's order: heads up the org structure, then the extra
    approvers by rule (see ``approval_chain``). Takes the letter's parts, so the admin previews
    a route without a letter (``department``: an author from it, when no author is named)."""
    config = approval_chain.settings_for(legal_entity)
    plan = []
    chain = approval_chain.chain_of(
        legal_entity=legal_entity,
        category=category,
        author=author,
        executor=executor,
        department=department,
    )
    for person in chain:
        position = getattr(getattr(person, "employee", None), "position", "")
        plan.append(
            StagePlan(
                name=_("Согласование: %(who)s") % {"who": position or display_name(person)},
                steps=[
                    StepPlan(
                        kind=StepKind.APPROVE,
                        participant=person,
                        deadline_days=config.approval_working_days,
                        remind_days=config.reminder_working_days,
                    )
                ],
            )
        )
    return plan


def outgoing_submit(*, letter_id: int, user, note: str = "") -> OutgoingLetter:
    """«Отправить на согласование» (or again after a return, with «что исправлено»)."""
    with transaction.atomic():
        letter = locked(letter_id)
        if letter.author_id != user.pk:
            raise PermissionDenied(_("Отправить письмо на согласование может только его автор."))
        if not letter.is_editable:
            raise TransitionNotAllowed(_("Письмо уже на согласовании или согласовано."))
        route_start(
            subject=letter,
            document_type_code=DOC_TYPE,
            plan=approval_plan(letter),
            actor=user,
            note=note,
        )
        _prepare_tasks_close(letter, user)
    return letter


def _prepare_tasks_close(letter: OutgoingLetter, user) -> None:
    """The draft went to approval: the «prepare the reply» task is done, by whoever submitted."""
    for task in open_tasks(letter, KIND_PREPARE):
        if task.assignee_id == user.pk:
            task_complete(
                task_id=task.pk,
                user=user,
                outcome="submitted",
                outcome_label=_("отправлено на согласование"),
            )
        else:
            task_cancel(task_id=task.pk, reason=_("Письмо отправлено на согласование."))


def prepare_complete(*, task_id: int, user, data: dict) -> OutgoingLetter:
    """«Отправить на согласование» from the executor's task on the reply draft."""
    from workflow.models import Task

    letter_id = Task.objects.values_list("object_id", flat=True).get(pk=task_id)
    return outgoing_submit(letter_id=letter_id, user=user, note=data.get("note", ""))


def outgoing_resubmit(*, document_id: int, user, note: str) -> OutgoingLetter:
    """The author's revision task: resubmit with what was fixed."""
    return outgoing_submit(letter_id=document_id, user=user, note=note)


def outgoing_withdraw(*, letter_id: int, user, reason: str = "") -> OutgoingLetter:
    """The author takes the letter back from approval into a draft; open tasks close."""
    with transaction.atomic():
        letter = locked(letter_id)
        if letter.author_id != user.pk:
            raise PermissionDenied(_("Отозвать письмо может только его автор."))
        route_withdraw(subject=letter, actor=user, reason=reason)
    return letter


def _secretary_for(letter: OutgoingLetter):
    return users_with_role(roles.REGISTRAR).first() or letter.executor


class OutgoingHooks(RouteHooks):
    def task_title(self, letter, *, step) -> str:
        return _("Согласовать исходящее: %(subject)s") % {"subject": letter.subject}

    def task_description(self, letter, *, step) -> str:
        return _("Получатель: %(to)s. Автор: %(author)s.\n\n%(text)s") % {
            "to": letter.counterparty.name,
            "author": display_name(letter.author),
            "text": letter.text[:2000],
        }

    def on_round_started(self, letter, *, route, round, actor) -> None:
        resubmission = round.number > 1
        transition_apply(
            letter,
            "submit",
            actor=actor,
            comment=round.note,
            description=(
                _("Письмо повторно отправлено на согласование (круг %(round)s)")
                if resubmission
                else _("Письмо отправлено на согласование")
            )
            % {"round": round.number},
        )

    def on_round_returned(self, letter, *, route, step, actor) -> None:
        transition_apply(
            letter,
            "return_for_revision",
            actor=actor,
            description=_("Письмо на доработке у автора: %(who)s")
            % {"who": display_name(letter.author)},
        )

    def on_withdrawn(self, letter, *, route, actor, reason) -> None:
        transition_apply(
            letter,
            "withdraw",
            actor=actor,
            comment=reason,
            description=_("Автор отозвал письмо с согласования"),
        )

    def on_route_completed(self, letter, *, route, actor) -> None:
        """Everyone approved: take the outgoing number, give the secretary «Отправить письмо»."""
        journal = journal_for(direction=Direction.OUTGOING, legal_entity=letter.legal_entity)
        year = timezone.localdate().year
        sequence, number = number_take(
            journal=journal, year=year, entity_code=letter.legal_entity.code
        )
        transition_apply(
            letter,
            "register",
            actor=actor,
            description=_("Письмо согласовано и зарегистрировано: № %(number)s")
            % {"number": number},
            journal=journal,
            year=year,
            sequence=sequence,
            number=number,
        )
        email = letter.counterparty.email
        task_create(
            kind=KIND_SEND,
            title=_("Отправить письмо %(number)s: %(to)s")
            % {"number": number, "to": letter.counterparty.name},
            assignee=_secretary_for(letter),
            subject=letter,
            due_at=calendar.deadline_after(timezone.now(), 1),
            created_by=actor,
            description=(
                _("Эл. почта контрагента: %(email)s") % {"email": email}
                if email
                else _("У контрагента не указана эл. почта.")
            ),
        )
        if actor is None or letter.author_id != actor.pk:
            notification_send(
                recipient=letter.author,
                text=_("Письмо согласовано, № %(number)s") % {"number": number},
                url=letter.get_absolute_url(),
            )
