"""Changes around a running route: withdrawal, cancellation when the document ended elsewhere,
participants added mid-run, stages inserted by hooks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from workflow.models import HistoryAction
from workflow.models.routes import (
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
from workflow.routes.plan import StagePlan, StepPlan
from workflow.routes.registry import DocumentType, document_type
from workflow.routes.services.common import (
    REVISE_TASK_KIND,
    check_cap,
    lock_document,
    lock_route,
    open_route_tasks,
    round_close,
    route_of,
    settings_for,
    stages_create,
    step_cancel,
    step_from_plan,
)
from workflow.routes.services.running import (
    stage_start,
    step_start,
)
from workflow.services import display_name, history_record, task_cancel

# --- withdrawal, additions, gates ----------------------------------------------------------------


def route_withdraw(*, subject, actor, reason: str = "") -> Route:
    """The author takes the document back: every open task of the route closes, the round ends
    as withdrawn, and the document type's hook moves the document's state. Call inside the
    document service's transaction with the document row locked."""
    route = lock_route(subject)
    if route is None or route.status not in (RouteStatus.RUNNING, RouteStatus.RETURNED):
        raise TransitionNotAllowed(
            _("Отозвать нельзя: согласование уже завершено. Обновите страницу.")
        )
    doc_type = document_type(route.document_type)
    if actor is not None and doc_type.author_of(subject).pk != actor.pk:
        raise PermissionDenied(_("Отозвать документ может только его автор."))
    text = _("Автор отозвал документ.")
    if route.status == RouteStatus.RUNNING:
        round_close(route, outcome=RoundOutcome.WITHDRAWN, actor=actor, comment=reason, reason=text)
    for task in open_route_tasks(subject).filter(kind=REVISE_TASK_KIND):
        task_cancel(task_id=task.pk, reason=text)
    route.status = RouteStatus.WITHDRAWN
    route.finished_at = timezone.now()
    route.save(update_fields=["status", "finished_at"])
    doc_type.hooks.on_withdrawn(subject, route=route, actor=actor, reason=reason)
    return route


def route_cancel(*, subject, actor, reason: str) -> Route | None:
    """The document ended outside the route (e.g. a reply was sent): open blocking steps close as
    «не потребовалось»; non-blocking ones («для сведения») stay open. Idempotent."""
    route = lock_route(subject)
    if route is None or route.status != RouteStatus.RUNNING:
        return route
    for step in route.steps.filter(
        round=route.round, status__in=[StepStatus.PENDING, StepStatus.WAITING], blocking=True
    ):
        step_cancel(step, reason=reason)
    route.stages.filter(
        round=route.round, status__in=[StageStatus.ACTIVE, StageStatus.WAITING]
    ).update(status=StageStatus.CANCELLED)
    now = timezone.now()
    route.status = RouteStatus.DONE
    route.finished_at = now
    route.save(update_fields=["status", "finished_at"])
    RouteRound.objects.filter(route=route, number=route.round).update(
        outcome=RoundOutcome.APPROVED, ended_at=now, ended_by=actor, end_comment=reason
    )
    return route


def _may_add(route: Route, doc_type: DocumentType, document, user) -> bool:
    if doc_type.author_of(document).pk == user.pk:
        return True
    if (
        route.steps.filter(
            round=route.round, status=StepStatus.PENDING, stage__status=StageStatus.ACTIVE
        )
        .filter(task__assignee=user)
        .exists()
    ):
        return True
    return bool(doc_type.may_add_participants and doc_type.may_add_participants(user, document))


def route_step_add(
    *,
    subject,
    actor,
    participant,
    stage_id: int | None = None,
    kind: str = StepKind.APPROVE,
    reason: str = "",
    deadline_days: int | None = 2,
    due_at=None,
    remind_days: int | None = None,
    task_kind: str = "",
) -> RouteStep:
    """Add a participant in the middle of a route: to the current stage (their task starts now),
    to a later stage, or (``stage_id`` None) in a new stage right after the current one. The
    author, the current stage's participants and whoever the document type allows may do it.
    ``due_at`` (a fixed deadline) wins over ``deadline_days``; ``task_kind`` gives the step the
    document type's own task kind. One person takes one step of a kind per stage (a reviewer
    may still be added as the executor)."""
    with transaction.atomic():
        ref = route_of(subject)
        if ref is None:
            raise TransitionNotAllowed(_("Документ не на маршруте."))
        document = lock_document(ref)
        route = lock_route(document)
        doc_type = document_type(route.document_type)
        if route.status != RouteStatus.RUNNING:
            raise TransitionNotAllowed(_("Маршрут не идёт: добавить участника нельзя."))
        if actor is not None and not _may_add(route, doc_type, document, actor):
            raise PermissionDenied(_("Добавить участника могут автор и участники текущего этапа."))
        current = route.stages.filter(round=route.round, status=StageStatus.ACTIVE).first()
        if stage_id is not None:
            stage = route.stages.filter(
                pk=stage_id, round=route.round, status__in=[StageStatus.ACTIVE, StageStatus.WAITING]
            ).first()
            if stage is None:
                raise ValidationError(_("Добавлять можно только в текущий или следующий этап."))
        else:
            stage = route_stage_insert(
                route,
                StagePlan(name=_("Дополнительное согласование")),
                after=current,
            )
        if stage.steps.filter(
            participant=participant,
            kind=kind,
            status__in=[StepStatus.PENDING, StepStatus.WAITING],
        ).exists():
            raise ValidationError(
                _("%(who)s уже участвует в этом этапе.") % {"who": display_name(participant)}
            )
        people = set(
            route.steps.filter(round=route.round, participant__isnull=False).values_list(
                "participant_id", flat=True
            )
        )
        if participant.pk not in people:
            route.warning = check_cap(route, len(people) + 1, settings_for(route.document_type))
            route.save(update_fields=["warning"])
        order = (stage.steps.aggregate(m=Max("order"))["m"] or 0) + 1
        step = step_from_plan(
            stage,
            StepPlan(
                kind=kind,
                participant=participant,
                reason=reason,
                task_kind=task_kind,
                deadline_days=None if due_at is not None else deadline_days,
                due_at=due_at,
                remind_days=remind_days,
            ),
            order,
            added_by=actor,
        )
        step.save()
        history_record(
            subject=document,
            actor=actor,
            action=HistoryAction.ASSIGNMENT,
            description=_("Добавлен участник: %(who)s (этап «%(stage)s»)")
            % {"who": display_name(participant), "stage": stage.name},
            comment=reason,
            data={"step": step.pk, "round": route.round},
        )
        if stage.status == StageStatus.ACTIVE:
            step_start(route, stage, step, document, doc_type, actor)
        elif current is None:
            stage_start(route, stage, document, doc_type, actor)
    return step


def route_stage_insert(route: Route, plan: StagePlan, *, after: RouteStage | None) -> RouteStage:
    """A new stage of the current round placed right after ``after`` (None: at the end); later
    stages move one place down. For hooks (e.g. a gate that still misses someone) and additions;
    the engine opens it in its turn. The participant cap applies to the people it adds."""
    people = set(
        route.steps.filter(round=route.round, participant__isnull=False).values_list(
            "participant_id", flat=True
        )
    )
    added = {s.participant.pk for s in plan.steps if s.participant is not None} - people
    if added:
        route.warning = check_cap(route, len(people | added), settings_for(route.document_type))
        route.save(update_fields=["warning"])
    if after is None:
        last = route.stages.filter(round=route.round).aggregate(m=Max("order"))["m"]
        order = 0 if last is None else last + 1
    else:
        order = after.order + 1
        route.stages.filter(round=route.round, order__gte=order).update(order=F("order") + 1)
    stages_create(route, [plan], first_order=order)
    return route.stages.get(round=route.round, order=order)
