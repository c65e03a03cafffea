"""Running a round: opening a stage (each step gets its task), the completion rule, and moving
on to the next stage or completing the route."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from workflow import calendar
from workflow.models import HistoryAction
from workflow.models.routes import (
    POSITIVE,
    CompletionRule,
    RoundOutcome,
    Route,
    RouteRound,
    RouteStage,
    RouteStatus,
    RouteStep,
    StageStatus,
    StepKind,
    StepStatus,
)
from workflow.routes.registry import DocumentType
from workflow.routes.services.common import (
    STEP_TASK_KINDS,
    step_cancel,
)
from workflow.services import history_record, task_create

# --- stages and steps ----------------------------------------------------------------------------


def stage_start(route: Route, stage: RouteStage, document, doc_type: DocumentType, actor) -> None:
    stage.status = StageStatus.ACTIVE
    stage.started_at = timezone.now()
    stage.save(update_fields=["status", "started_at"])
    for step in stage.steps.select_related("participant").order_by("order", "id"):
        step_start(route, stage, step, document, doc_type, actor)
    doc_type.hooks.on_stage_started(document, route=route, stage=stage, actor=actor)
    route.refresh_from_db(fields=["status"])
    if route.status == RouteStatus.RUNNING and stage_is_complete(stage):
        stage_finish(route, stage, document, doc_type, actor)


def step_start(route, stage, step: RouteStep, document, doc_type: DocumentType, actor) -> None:
    if step.role:
        step.participant = doc_type.hooks.resolve_step(document, step=step)
    if step.participant is None:
        step.status = StepStatus.SKIPPED
        step.save(update_fields=["status", "participant"])
        history_record(
            subject=document,
            actor=actor,
            action=HistoryAction.ASSIGNMENT,
            description=_("Шаг «%(step)s» этапа «%(stage)s» пропущен: сотрудник не найден")
            % {"step": step.reason or step.get_kind_display(), "stage": stage.name},
        )
        return
    now = timezone.now()
    due_at = step.due_at_fixed
    if due_at is None and step.deadline_days is not None:
        due_at = calendar.deadline_after(now, step.deadline_days)
    task = task_create(
        kind=step.task_kind or STEP_TASK_KINDS[StepKind(step.kind)],
        title=_task_title(document, step, doc_type),
        assignee=step.participant,
        subject=document,
        due_at=due_at,
        created_by=actor,
        description=_task_description(route, stage, step, document, doc_type),
        remind_working_days=step.remind_days,
    )
    step.task = task
    step.deputy = task.assignee if task.assignee_id != step.participant_id else None
    step.started_at = task.created_at
    step.status = StepStatus.PENDING
    step.save(
        update_fields=[
            "task",
            "deputy",
            "started_at",
            "status",
            "participant",
            "kind",
            "task_kind",
            "reason",
        ]
    )


VERBS = {
    StepKind.APPROVE: _("Согласовать"),
    StepKind.SIGN: _("Подписать"),
    StepKind.REVIEW: _("Рассмотреть"),
    StepKind.EXECUTE: _("Исполнить"),
    StepKind.ACKNOWLEDGE: _("Ознакомиться"),
}


def _task_title(document, step: RouteStep, doc_type: DocumentType) -> str:
    custom = doc_type.hooks.task_title(document, step=step)
    if custom:
        return custom
    return f"{VERBS[StepKind(step.kind)]}: {doc_type.describe(document)}"


def _task_description(route, stage, step, document, doc_type: DocumentType) -> str:
    parts = []
    custom = doc_type.hooks.task_description(document, step=step)
    if custom:
        parts.append(custom)
    if step.reason:
        parts.append(_("Основание: %(reason)s") % {"reason": step.reason})
    if route.round > 1:
        current = route.rounds.filter(number=route.round).first()
        if current is not None and current.note:
            parts.append(
                _("Что исправлено (круг %(round)s): %(note)s")
                % {"round": route.round, "note": current.note}
            )
    return "\n\n".join(parts)


def stage_is_complete(stage: RouteStage) -> bool:
    """The completion rule over blocking steps: all, any, or a quorum of positive decisions.
    Skipped steps don't count; a stage with no blocking step left is complete."""
    blocking = [s for s in stage.steps.all() if s.blocking and s.status != StepStatus.SKIPPED]
    positive = sum(1 for s in blocking if s.status == StepStatus.DECIDED and s.decision in POSITIVE)
    needed = stage.needed
    if needed is None:
        return positive == len(blocking)
    return positive >= min(needed, len(blocking))


def stage_finish(route, stage: RouteStage, document, doc_type: DocumentType, actor) -> None:
    if stage.rule != CompletionRule.ALL:
        for step in stage.steps.filter(status__in=[StepStatus.PENDING, StepStatus.WAITING]):
            if step.blocking:
                step_cancel(step, reason=_("Этап пройден: решение уже принято другими."))
    stage.status = StageStatus.DONE
    stage.completed_at = timezone.now()
    stage.save(update_fields=["status", "completed_at"])
    doc_type.hooks.on_stage_completed(document, route=route, stage=stage, actor=actor)
    following = (
        route.stages.filter(round=route.round, status=StageStatus.WAITING, order__gt=stage.order)
        .order_by("order")
        .first()
    )
    if following is not None:
        stage_start(route, following, document, doc_type, actor)
        return
    now = timezone.now()
    route.status = RouteStatus.DONE
    route.finished_at = now
    route.save(update_fields=["status", "finished_at"])
    RouteRound.objects.filter(route=route, number=route.round).update(
        outcome=RoundOutcome.APPROVED, ended_at=now, ended_by=actor
    )
    doc_type.hooks.on_route_completed(document, route=route, actor=actor)
