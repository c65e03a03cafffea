"""What every part of the route engine shares: task kinds, settings, locking, building stages
from a plan, cancelling steps and closing a round."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.models import Task, TaskStatus
from workflow.models.routes import (
    KIND_DECISIONS,
    Decision,
    OverCap,
    Route,
    RouteRound,
    RouteSettings,
    RouteStage,
    RouteStep,
    StageStatus,
    StepKind,
    StepStatus,
)
from workflow.routes.plan import StagePlan, StepPlan
from workflow.routes.registry import DocumentType, document_type
from workflow.services import task_cancel

STEP_TASK_KINDS = {
    StepKind.APPROVE: "workflow.route_approve",
    StepKind.SIGN: "workflow.route_sign",
    StepKind.REVIEW: "workflow.route_review",
    StepKind.EXECUTE: "workflow.route_execute",
    StepKind.ACKNOWLEDGE: "workflow.route_acknowledge",
}
REVISE_TASK_KIND = "workflow.route_revise"

MOVED_ON = _(
    "Решение не принято: маршрут документа уже изменился (решение принял другой участник, "
    "документ вернули или отозвали). Обновите страницу."
)


# --- settings and lookups ------------------------------------------------------------------------


def settings_for(code: str) -> RouteSettings:
    """The admin's settings for a document type, or its defaults when none were saved."""
    found = RouteSettings.objects.filter(document_type=code).first()
    if found is not None:
        return found
    doc_type = document_type(code)
    return RouteSettings(
        document_type=code,
        participant_cap=doc_type.default_cap,
        restart_from=doc_type.default_restart,
    )


def content_type_of(subject) -> ContentType:
    return ContentType.objects.get_for_model(subject)


def route_of(subject) -> Route | None:
    return Route.objects.filter(content_type=content_type_of(subject), object_id=subject.pk).first()


def lock_route(subject) -> Route | None:
    return (
        Route.objects.select_for_update()
        .filter(content_type=content_type_of(subject), object_id=subject.pk)
        .first()
    )


def lock_document(route: Route):
    model = route.content_type.model_class()
    return model._base_manager.select_for_update(of=("self",)).get(pk=route.object_id)


def allowed_decisions(step: RouteStep, doc_type: DocumentType | None = None) -> list[str]:
    """What ``step``'s participant may decide: the kind's own decisions, plus a return (when the
    stage allows it and the document has a revision loop) and a rejection (when allowed)."""
    doc_type = doc_type or document_type(step.route.document_type)
    decisions = list(KIND_DECISIONS[StepKind(step.kind)])
    if not step.blocking:  # «для сведения»: the reader may object, not stop the document
        return decisions
    if step.stage.allow_return and doc_type.resubmit is not None:
        decisions.append(Decision.RETURN)
    if step.stage.allow_reject:
        decisions.append(Decision.REJECT)
    return decisions


# --- starting a round ----------------------------------------------------------------------------


def check_cap(route_or_none, plan_count: int, config: RouteSettings) -> str:
    """Refuse an over-cap route (Russian message with the figures), or return the warning."""
    if plan_count <= config.participant_cap:
        return ""
    text = _(
        "В маршруте %(count)s участников, а допускается не более %(cap)s. "
        "Уменьшите число согласующих или обратитесь к администратору."
    ) % {"count": plan_count, "cap": config.participant_cap}
    if config.over_cap == OverCap.REFUSE:
        raise ValidationError(text)
    return _("В маршруте %(count)s участников при допустимых %(cap)s.") % {
        "count": plan_count,
        "cap": config.participant_cap,
    }


def stages_create(route: Route, plan: list[StagePlan], *, first_order: int = 0) -> None:
    for offset, stage_plan in enumerate(plan):
        stage = RouteStage.objects.create(
            route=route,
            round=route.round,
            order=first_order + offset,
            name=stage_plan.name[:255],
            phase=stage_plan.phase,
            rule=stage_plan.rule,
            quorum=stage_plan.quorum,
            allow_return=stage_plan.allow_return,
            allow_reject=stage_plan.allow_reject,
        )
        RouteStep.objects.bulk_create(
            [step_from_plan(stage, step, order) for order, step in enumerate(stage_plan.steps)]
        )


def step_from_plan(stage: RouteStage, step: StepPlan, order: int, *, added_by=None) -> RouteStep:
    return RouteStep(
        stage=stage,
        route=stage.route,
        document_type=stage.route.document_type,
        round=stage.round,
        order=order,
        kind=step.kind,
        participant=step.participant,
        role=step.role,
        reason=step.reason[:255],
        task_kind=step.task_kind,
        blocking=step.blocking,
        deadline_days=step.deadline_days,
        due_at_fixed=step.due_at,
        remind_days=step.remind_days,
        added_by=added_by,
    )


def open_route_tasks(subject):
    return Task.objects.filter(
        content_type=content_type_of(subject), object_id=subject.pk, status=TaskStatus.OPEN
    )


def step_cancel(step: RouteStep, *, reason: str) -> None:
    if step.task_id and step.status == StepStatus.PENDING:
        task_cancel(task_id=step.task_id, reason=reason)
    step.status = StepStatus.CANCELLED
    step.save(update_fields=["status"])


def round_close(route: Route, *, outcome: str, actor, comment: str, reason: str) -> None:
    """End the round: every open step is cancelled (its task too), waiting stages are dropped."""
    for step in route.steps.filter(
        round=route.round, status__in=[StepStatus.PENDING, StepStatus.WAITING]
    ):
        step_cancel(step, reason=reason)
    route.stages.filter(
        round=route.round, status__in=[StageStatus.ACTIVE, StageStatus.WAITING]
    ).update(status=StageStatus.CANCELLED)
    RouteRound.objects.filter(route=route, number=route.round).update(
        outcome=outcome, ended_at=timezone.now(), ended_by=actor, end_comment=comment
    )
