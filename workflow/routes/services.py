"""Every write of the route engine. Each runs in one transaction and locks the document row first,
then the route row: two people deciding at once, or a decision racing a withdrawal, are
serialised, and the second finds the state moved on."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from workflow import calendar
from workflow.models import HistoryAction, Task, TaskStatus
from workflow.models.routes import (
    KIND_DECISIONS,
    NEEDS_COMMENT,
    POSITIVE,
    CompletionRule,
    Decision,
    OverCap,
    RestartFrom,
    RoundOutcome,
    Route,
    RouteRound,
    RouteSettings,
    RouteStage,
    RouteStatus,
    RouteStep,
    StageStatus,
    StepKind,
    StepStatus,
)
from workflow.routes.plan import StagePlan, StepPlan, participant_count
from workflow.routes.registry import DocumentType, document_type
from workflow.services import display_name, history_record, task_cancel, task_complete, task_create

STEP_TASK_KINDS = {
    StepKind.APPROVE: "workflow.route_approve",
    StepKind.SIGN: "workflow.route_sign",
    StepKind.REVIEW: "workflow.route_review",
    StepKind.EXECUTE: "workflow.route_execute",
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


def _content_type(subject) -> ContentType:
    return ContentType.objects.get_for_model(subject)


def route_of(subject) -> Route | None:
    return Route.objects.filter(content_type=_content_type(subject), object_id=subject.pk).first()


def _lock_route(subject) -> Route | None:
    return (
        Route.objects.select_for_update()
        .filter(content_type=_content_type(subject), object_id=subject.pk)
        .first()
    )


def _lock_document(route: Route):
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


def _check_cap(route_or_none, plan_count: int, config: RouteSettings) -> str:
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


def _stages_create(route: Route, plan: list[StagePlan], *, first_order: int = 0) -> None:
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
            [_step_from_plan(stage, step, order) for order, step in enumerate(stage_plan.steps)]
        )


def _step_from_plan(stage: RouteStage, step: StepPlan, order: int, *, added_by=None) -> RouteStep:
    return RouteStep(
        stage=stage,
        route=stage.route,
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
    route = _lock_route(subject)
    first_order = 0
    if route is None:
        warning = _check_cap(None, participant_count(plan), config)
        route = Route.objects.create(
            content_type=_content_type(subject),
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
        route.warning = _check_cap(route, participant_count(plan), config)
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
    _stages_create(route, plan, first_order=first_order)
    doc_type.hooks.on_round_started(subject, route=route, round=round_, actor=actor)
    first = route.stages.filter(round=route.round).order_by("order").first()
    _stage_start(route, first, subject, doc_type, actor)
    return route


def _revision_tasks_close(route: Route, subject, actor) -> None:
    for task in _open_tasks(subject).filter(kind=REVISE_TASK_KIND):
        if actor is not None and task.assignee_id == actor.pk:
            task_complete(
                task_id=task.pk,
                user=actor,
                outcome="resubmitted",
                outcome_label=_("отправлено повторно"),
            )
        else:
            task_cancel(task_id=task.pk, reason=_("Документ отправлен повторно."))


def _open_tasks(subject):
    return Task.objects.filter(
        content_type=_content_type(subject), object_id=subject.pk, status=TaskStatus.OPEN
    )


# --- stages and steps ----------------------------------------------------------------------------


def _stage_start(route: Route, stage: RouteStage, document, doc_type: DocumentType, actor) -> None:
    stage.status = StageStatus.ACTIVE
    stage.started_at = timezone.now()
    stage.save(update_fields=["status", "started_at"])
    for step in stage.steps.select_related("participant").order_by("order", "id"):
        _step_start(route, stage, step, document, doc_type, actor)
    doc_type.hooks.on_stage_started(document, route=route, stage=stage, actor=actor)
    route.refresh_from_db(fields=["status"])
    if route.status == RouteStatus.RUNNING and stage_is_complete(stage):
        _stage_finish(route, stage, document, doc_type, actor)


def _step_start(route, stage, step: RouteStep, document, doc_type: DocumentType, actor) -> None:
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
        update_fields=["task", "deputy", "started_at", "status", "participant", "kind", "task_kind"]
    )


VERBS = {
    StepKind.APPROVE: _("Согласовать"),
    StepKind.SIGN: _("Подписать"),
    StepKind.REVIEW: _("Рассмотреть"),
    StepKind.EXECUTE: _("Исполнить"),
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


def _step_cancel(step: RouteStep, *, reason: str) -> None:
    if step.task_id and step.status == StepStatus.PENDING:
        task_cancel(task_id=step.task_id, reason=reason)
    step.status = StepStatus.CANCELLED
    step.save(update_fields=["status"])


def _stage_finish(route, stage: RouteStage, document, doc_type: DocumentType, actor) -> None:
    if stage.rule != CompletionRule.ALL:
        for step in stage.steps.filter(status__in=[StepStatus.PENDING, StepStatus.WAITING]):
            if step.blocking:
                _step_cancel(step, reason=_("Этап пройден: решение уже принято другими."))
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
        _stage_start(route, following, document, doc_type, actor)
        return
    now = timezone.now()
    route.status = RouteStatus.DONE
    route.finished_at = now
    route.save(update_fields=["status", "finished_at"])
    RouteRound.objects.filter(route=route, number=route.round).update(
        outcome=RoundOutcome.APPROVED, ended_at=now, ended_by=actor
    )
    doc_type.hooks.on_route_completed(document, route=route, actor=actor)


def _round_close(route: Route, *, outcome: str, actor, comment: str, reason: str) -> None:
    """End the round: every open step is cancelled (its task too), waiting stages are dropped."""
    for step in route.steps.filter(
        round=route.round, status__in=[StepStatus.PENDING, StepStatus.WAITING]
    ):
        _step_cancel(step, reason=reason)
    route.stages.filter(
        round=route.round, status__in=[StageStatus.ACTIVE, StageStatus.WAITING]
    ).update(status=StageStatus.CANCELLED)
    RouteRound.objects.filter(route=route, number=route.round).update(
        outcome=outcome, ended_at=timezone.now(), ended_by=actor, end_comment=comment
    )


# --- decisions -----------------------------------------------------------------------------------

DECISION_HISTORY = {
    Decision.APPROVE: _("Согласовано: %(who)s"),
    Decision.SIGN: _("Подписано: %(who)s"),
    Decision.REVIEW: _("Рассмотрено: %(who)s"),
    Decision.OBJECT: _("Рассмотрено с возражениями: %(who)s"),
    Decision.DONE: _("Исполнено: %(who)s"),
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
        document = _lock_document(step_ref.route)
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
            description=DECISION_HISTORY[Decision(decision)] % {"who": display_name(user)}
            + (
                _(" (за %(whom)s)") % {"whom": display_name(step.participant)}
                if step.participant_id and step.participant_id != user.pk
                else ""
            ),
            comment=comment,
            data={"step": step.pk, "round": step.round, "decision": decision},
        )
        if route.status != RouteStatus.RUNNING:
            return step  # a non-blocking review answered after the route ended
        if decision == Decision.RETURN:
            _return(route, step, document, doc_type, user, comment)
        elif decision == Decision.REJECT:
            _round_close(
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
            _stage_finish(route, step.stage, document, doc_type, user)
    return step


def _return(route: Route, step: RouteStep, document, doc_type: DocumentType, user, comment):
    _round_close(
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


# --- withdrawal, additions, gates ----------------------------------------------------------------


def route_withdraw(*, subject, actor, reason: str = "") -> Route:
    """The author takes the document back: every open task of the route closes, the round ends
    as withdrawn, and the document type's hook moves the document's state. Call inside the
    document service's transaction with the document row locked."""
    route = _lock_route(subject)
    if route is None or route.status not in (RouteStatus.RUNNING, RouteStatus.RETURNED):
        raise TransitionNotAllowed(
            _("Отозвать нельзя: согласование уже завершено. Обновите страницу.")
        )
    doc_type = document_type(route.document_type)
    if actor is not None and doc_type.author_of(subject).pk != actor.pk:
        raise PermissionDenied(_("Отозвать документ может только его автор."))
    text = _("Автор отозвал документ.")
    if route.status == RouteStatus.RUNNING:
        _round_close(
            route, outcome=RoundOutcome.WITHDRAWN, actor=actor, comment=reason, reason=text
        )
    for task in _open_tasks(subject).filter(kind=REVISE_TASK_KIND):
        task_cancel(task_id=task.pk, reason=text)
    route.status = RouteStatus.WITHDRAWN
    route.finished_at = timezone.now()
    route.save(update_fields=["status", "finished_at"])
    doc_type.hooks.on_withdrawn(subject, route=route, actor=actor, reason=reason)
    return route


def route_cancel(*, subject, actor, reason: str) -> Route | None:
    """The document ended outside the route (e.g. a reply was sent): open blocking steps close as
    «не потребовалось»; non-blocking ones («для сведения») stay open. Idempotent."""
    route = _lock_route(subject)
    if route is None or route.status != RouteStatus.RUNNING:
        return route
    for step in route.steps.filter(
        round=route.round, status__in=[StepStatus.PENDING, StepStatus.WAITING], blocking=True
    ):
        _step_cancel(step, reason=reason)
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
) -> RouteStep:
    """Add a participant in the middle of a route: to the current stage (their task starts now),
    to a later stage, or (``stage_id`` None) in a new stage right after the current one. The
    author, the current stage's participants and whoever the document type allows may do it."""
    with transaction.atomic():
        ref = route_of(subject)
        if ref is None:
            raise TransitionNotAllowed(_("Документ не на маршруте."))
        document = _lock_document(ref)
        route = _lock_route(document)
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
            participant=participant, status__in=[StepStatus.PENDING, StepStatus.WAITING]
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
            route.warning = _check_cap(route, len(people) + 1, settings_for(route.document_type))
            route.save(update_fields=["warning"])
        order = (stage.steps.aggregate(m=Max("order"))["m"] or 0) + 1
        step = _step_from_plan(
            stage,
            StepPlan(
                kind=kind, participant=participant, reason=reason, deadline_days=deadline_days
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
            _step_start(route, stage, step, document, doc_type, actor)
        elif current is None:
            _stage_start(route, stage, document, doc_type, actor)
    return step


def route_stage_insert(route: Route, plan: StagePlan, *, after: RouteStage | None) -> RouteStage:
    """A new stage of the current round placed right after ``after`` (None: at the end); later
    stages move one place down. For hooks (e.g. a gate that still misses someone) and additions;
    the engine opens it in its turn."""
    if after is None:
        last = route.stages.filter(round=route.round).aggregate(m=Max("order"))["m"]
        order = 0 if last is None else last + 1
    else:
        order = after.order + 1
        route.stages.filter(round=route.round, order__gte=order).update(order=F("order") + 1)
    _stages_create(route, [plan], first_order=order)
    return route.stages.get(round=route.round, order=order)
