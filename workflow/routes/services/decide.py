"""A participant's decision on a step: positive decisions move the stage on, a return ends the
round, a rejection ends the route."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from workflow import calendar
from workflow.models import HistoryAction
from workflow.models.routes import (
    NEEDS_COMMENT,
    Decision,
    RoundOutcome,
    Route,
    RouteStatus,
    RouteStep,
    StageStatus,
    StepStatus,
)
from workflow.routes.registry import DocumentType, document_type
from workflow.routes.services.common import (
    MOVED_ON,
    REVISE_TASK_KIND,
    allowed_decisions,
    lock_document,
    round_close,
    settings_for,
)
from workflow.routes.services.running import (
    stage_finish,
    stage_is_complete,
)
from workflow.services import display_name, history_record, task_complete, task_create

# --- decisions -----------------------------------------------------------------------------------

DECISION_HISTORY = {
    Decision.APPROVE: _("Согласовано: %(who)s"),
    Decision.SIGN: _("Подписано: %(who)s"),
    Decision.REVIEW: _("Рассмотрено: %(who)s"),
    Decision.OBJECT: _("Рассмотрено с возражениями: %(who)s"),
    Decision.DONE: _("Исполнено: %(who)s"),
    Decision.ACKNOWLEDGE: _("Ознакомлен(а): %(who)s"),
    Decision.RETURN: _("Возвращено на доработку: %(who)s"),
    Decision.REJECT: _("Отклонено: %(who)s"),
}


def step_decide(*, task_id: int, user, decision: str, comment: str = "") -> RouteStep:
    """A participant's decision on their step (through its task). Positive decisions move the
    stage on under its completion rule; a return ends the round and gives the author a revision
    task; a rejection ends the route. Exactly one history row records the decision."""
    comment = (comment or "").strip()
    with transaction.atomic():
        step_ref = (
            RouteStep.objects.select_related("route__content_type").filter(task_id=task_id).first()
        )
        if step_ref is None:
            raise TransitionNotAllowed(_("Это задание не относится к маршруту документа."))
        document = lock_document(step_ref.route)
        route = Route.objects.select_for_update().get(pk=step_ref.route_id)
        step = (
            RouteStep.objects.select_for_update(of=("self",))
            .select_related("stage", "route", "participant")
            .get(pk=step_ref.pk)
        )
        doc_type = document_type(route.document_type)
        if step.status != StepStatus.PENDING or route.round != step.round:
            raise TransitionNotAllowed(MOVED_ON)
        if route.status != RouteStatus.RUNNING and step.blocking:
            raise TransitionNotAllowed(MOVED_ON)
        if decision not in allowed_decisions(step, doc_type):
            raise ValidationError(_("Такое решение здесь недоступно."))
        if decision in NEEDS_COMMENT and not comment:
            raise ValidationError(
                {"comment": _("Напишите комментарий: что не так и что нужно исправить.")}
            )
        label = Decision(decision).label
        task_complete(
            task_id=task_id, user=user, outcome=decision, comment=comment, outcome_label=label
        )
        step.status = StepStatus.DECIDED
        step.decision = decision
        step.comment = comment
        step.decided_at = timezone.now()
        step.decided_by = user
        step.save(update_fields=["status", "decision", "comment", "decided_at", "decided_by"])
        history_record(
            subject=document,
            actor=user,
            action=HistoryAction.DECISION,
            description=(
                doc_type.hooks.decision_text(document, step=step, decision=decision)
                or DECISION_HISTORY[Decision(decision)] % {"who": display_name(user)}
            )
            + (
                _(" (за %(whom)s)") % {"whom": display_name(step.participant)}
                if step.participant_id and step.participant_id != user.pk
                else ""
            ),
            comment=comment,
            data={"step": step.pk, "round": step.round, "decision": decision},
        )
        doc_type.hooks.on_step_decided(document, route=route, step=step, actor=user)
        if route.status != RouteStatus.RUNNING:
            return step  # a non-blocking review answered after the route ended
        if decision == Decision.RETURN:
            _return(route, step, document, doc_type, user, comment)
        elif decision == Decision.REJECT:
            round_close(
                route,
                outcome=RoundOutcome.REJECTED,
                actor=user,
                comment=comment,
                reason=_("Документ отклонён: %(who)s") % {"who": display_name(user)},
            )
            route.status = RouteStatus.REJECTED
            route.finished_at = timezone.now()
            route.save(update_fields=["status", "finished_at"])
            doc_type.hooks.on_route_rejected(document, route=route, step=step, actor=user)
        elif (
            step.blocking
            and step.stage.status == StageStatus.ACTIVE
            and stage_is_complete(step.stage)
        ):
            stage_finish(route, step.stage, document, doc_type, user)
    return step


def _return(route: Route, step: RouteStep, document, doc_type: DocumentType, user, comment):
    round_close(
        route,
        outcome=RoundOutcome.RETURNED,
        actor=user,
        comment=comment,
        reason=_("Документ возвращён на доработку: %(who)s") % {"who": display_name(user)},
    )
    route.status = RouteStatus.RETURNED
    route.save(update_fields=["status"])
    config = settings_for(route.document_type)
    author = doc_type.author_of(document)
    edit = doc_type.edit_url(document) if doc_type.edit_url else ""
    task_create(
        kind=REVISE_TASK_KIND,
        title=_("Доработать: %(doc)s") % {"doc": doc_type.describe(document)},
        assignee=author,
        subject=document,
        due_at=calendar.deadline_after(timezone.now(), config.revision_working_days),
        created_by=user,
        description=_("Вернул(а) %(who)s: %(comment)s")
        % {"who": display_name(user), "comment": comment}
        + (_("\n\nИсправьте документ: %(url)s") % {"url": edit} if edit else ""),
    )
    doc_type.hooks.on_round_returned(document, route=route, step=step, actor=user)
