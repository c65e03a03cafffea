"""The approval chain of an outgoing letter: submit, approve or return, resubmit, withdraw, and
registration with the secretary's sending task when everyone approved."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from correspondence.models import (
    ApprovalDecision,
    Direction,
    OutgoingApproval,
    OutgoingLetter,
    OutgoingStatus,
)
from correspondence.services import approval_chain
from correspondence.services.numbering import journal_for, number_take
from correspondence.services.outgoing.base import (
    APPROVE,
    KIND_APPROVE,
    KIND_REVISE,
    KIND_SEND,
    MOVED_ON,
    RETURN,
    letter_of_task,
    locked,
    open_tasks,
    record_transition,
)
from workflow import calendar
from workflow.models import HistoryAction, Role, Task
from workflow.selectors import users_with_role
from workflow.services import (
    display_name,
    history_record,
    notification_send,
    task_cancel,
    task_complete,
    task_create,
)

# --- approval ------------------------------------------------------------------------------------


def outgoing_submit(*, letter_id: int, user) -> OutgoingLetter:
    """«Отправить на согласование»: compute the chain and start a new round at its first step."""
    with transaction.atomic():
        letter = locked(letter_id)
        if letter.author_id != user.pk:
            raise PermissionDenied(_("Отправить письмо на согласование может только его автор."))
        if not can_proceed(letter.submit):
            raise TransitionNotAllowed(_("Письмо уже на согласовании или согласовано."))
        for task in open_tasks(letter, KIND_REVISE):
            if task.assignee_id == user.pk:
                task_complete(task_id=task.pk, user=user, outcome="resubmitted")
            else:
                task_cancel(task_id=task.pk, reason=_("Автор отправил письмо повторно."))
        chain = approval_chain.chain_for(letter)
        resubmission = letter.status == OutgoingStatus.RETURNED
        record_transition(
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
        letter = letter_of_task(task_id)
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
            record_transition(
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
        letter = locked(letter_id)
        if letter.author_id != user.pk:
            raise PermissionDenied(_("Отозвать письмо может только его автор."))
        if not can_proceed(letter.withdraw):
            raise TransitionNotAllowed(MOVED_ON)
        for task in open_tasks(letter, KIND_APPROVE):
            task_cancel(task_id=task.pk, reason=_("Автор отозвал письмо с согласования."))
        OutgoingApproval.objects.filter(
            letter=letter,
            round=letter.approval_round,
            decision__in=[ApprovalDecision.PENDING, ApprovalDecision.WAITING],
        ).update(decision=ApprovalDecision.CANCELLED)
        record_transition(
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
    record_transition(
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
