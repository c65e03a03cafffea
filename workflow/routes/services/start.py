"""Starting a route or its next round (after a return or a withdrawal)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from workflow.models.routes import (
    Decision,
    RestartFrom,
    Route,
    RouteRound,
    RouteStatus,
    StepStatus,
)
from workflow.routes.plan import StagePlan, StepPlan, participant_count
from workflow.routes.registry import document_type
from workflow.routes.services.common import (
    REVISE_TASK_KIND,
    check_cap,
    content_type_of,
    lock_route,
    open_route_tasks,
    settings_for,
    stages_create,
)
from workflow.routes.services.running import (
    stage_start,
)
from workflow.services import task_cancel, task_complete


def _plan_from_round(route: Route, number: int, from_order: int) -> list[StagePlan]:
    """The stages of round ``number`` from ``from_order`` on, with the same people."""
    plan = []
    stages = route.stages.filter(round=number, order__gte=from_order).prefetch_related("steps")
    for stage in stages.order_by("order"):
        plan.append(
            StagePlan(
                name=stage.name,
                phase=stage.phase,
                rule=stage.rule,
                quorum=stage.quorum,
                allow_return=stage.allow_return,
                allow_reject=stage.allow_reject,
                steps=[
                    StepPlan(
                        kind=s.kind,
                        participant=s.participant if not s.role else None,
                        role=s.role,
                        reason=s.reason,
                        task_kind=s.task_kind,
                        blocking=s.blocking,
                        deadline_days=s.deadline_days,
                        due_at=s.due_at_fixed,
                        remind_days=s.remind_days,
                    )
                    for s in stage.steps.order_by("order", "id")
                    if s.status != StepStatus.SKIPPED or s.role
                ],
            )
        )
    return plan


def route_start(*, subject, document_type_code: str, plan: list[StagePlan], actor, note: str = ""):
    """Submit ``subject`` along ``plan`` (first submission), or start the next round after a
    return or a withdrawal (``note``: the author's «что исправлено»). Call it inside the document
    service's transaction with the document row locked. With «restart from the returning stage»
    the new round repeats the previous round's stages from the one that returned, with the same
    people, and ``plan`` is not used."""
    doc_type = document_type(document_type_code)
    config = settings_for(document_type_code)
    note = (note or "").strip()
    route = lock_route(subject)
    first_order = 0
    if route is None:
        warning = check_cap(None, participant_count(plan), config)
        route = Route.objects.create(
            content_type=content_type_of(subject),
            object_id=subject.pk,
            document_type=document_type_code,
            author=doc_type.author_of(subject),
            warning=warning,
        )
    else:
        if route.status not in (RouteStatus.RETURNED, RouteStatus.WITHDRAWN):
            raise TransitionNotAllowed(_("Документ уже на маршруте: дождитесь решения."))
        if route.status == RouteStatus.RETURNED and config.restart_from == RestartFrom.RETURNING:
            returning = (
                route.steps.filter(round=route.round, decision=Decision.RETURN)
                .select_related("stage")
                .first()
            )
            if returning is not None:
                first_order = returning.stage.order
                plan = _plan_from_round(route, route.round, first_order)
        route.warning = check_cap(route, participant_count(plan), config)
        route.round += 1
        route.status = RouteStatus.RUNNING
        route.finished_at = None
        route.save(update_fields=["round", "status", "finished_at", "warning"])
        _revision_tasks_close(route, subject, actor)
    if not plan or not any(stage.steps for stage in plan):
        raise ValidationError(_("Маршрут пуст: не найден ни один участник. Проверьте настройки."))
    round_ = RouteRound.objects.create(
        route=route, number=route.round, started_by=actor, note=note, first_stage=first_order
    )
    stages_create(route, plan, first_order=first_order)
    doc_type.hooks.on_round_started(subject, route=route, round=round_, actor=actor)
    first = route.stages.filter(round=route.round).order_by("order").first()
    stage_start(route, first, subject, doc_type, actor)
    return route


def _revision_tasks_close(route: Route, subject, actor) -> None:
    for task in open_route_tasks(subject).filter(kind=REVISE_TASK_KIND):
        if actor is not None and task.assignee_id == actor.pk:
            task_complete(
                task_id=task.pk,
                user=actor,
                outcome="resubmitted",
                outcome_label=_("отправлено повторно"),
            )
        else:
            task_cancel(task_id=task.pk, reason=_("Документ отправлен повторно."))
