"""Move every incoming letter's route (``route_plan``: the roles of each stage, ``route_stage``:
the stage reached) and its route tasks into the shared route engine: a route per letter, one
round, a stage per planned stage. Stages already started get their steps from the tasks they
opened (participant, deputy, decision, comment, deadline on the task) and from the history's
«шаг пропущен» entries; the executor named by a head becomes an execute step added by that head;
stages not reached keep their steps planned by role. Open tasks keep working: the plain review
becomes the engine's review kind, the resolution, assignment and execution keep their own kinds.
Reviewers beside the executor become «для сведения» steps (the rule's default)."""

import datetime as dt
import re

from django.db import migrations
from django.utils import timezone

DOC_TYPE = "correspondence.incoming"
RESOLUTION = "correspondence.resolution"
OLD_REVIEW = "correspondence.review"
NEW_REVIEW = "workflow.route_review"
ASSIGN = "correspondence.assign_executor"
EXECUTE = "correspondence.execute"
RESPONSIBLE = "responsible"
GENERAL_DIRECTOR = "general_director"

ROLE_LABELS = {
    "general_director": "Генеральный директор",
    "director": "Директор юрлица-адресата",
    "lawyer": "Юрист",
    "responsible": "Ответственный исполнитель",
    "department_head": "Руководитель подразделения-адресата",
}
# «шаг пропущен» as the old code logged it, in Russian or English
ROLE_BY_LABEL = {
    **{label: role for role, label in ROLE_LABELS.items()},
    "General director": "general_director",
    "Director of the addressee legal entity": "director",
    "Lawyer": "lawyer",
    "Head of the addressee department": "department_head",
}
SKIPPED = re.compile(r"^(?:Шаг «(.+)» пропущен|Step “(.+)” skipped)")
TASK_STEP_STATUS = {"open": "pending", "done": "decided", "cancelled": "cancelled"}
DECISION_OF_KIND = {RESOLUTION: "review", OLD_REVIEW: "review", ASSIGN: "review", EXECUTE: "done"}


def stage_name(roles):
    if RESPONSIBLE in roles:
        return "Исполнение"
    if GENERAL_DIRECTOR in roles:
        return "Резолюция"
    return "Рассмотрение"


def stage_phase(roles):
    if RESPONSIBLE in roles:
        return "execution"
    if GENERAL_DIRECTOR in roles:
        return "resolution"
    return "review"


class Events:
    """The route tasks and «шаг пропущен» entries of one letter, consumed in the order the old
    route opened them (stage by stage, role by role)."""

    def __init__(self, tasks, skips):
        self.reviews = sorted(
            [(t.created_at, t.pk, "task", t) for t in tasks if t.kind in (RESOLUTION, OLD_REVIEW)]
            + [(h.created_at, h.pk, "skip", h) for h in skips],
            key=lambda e: (e[0], e[2] == "skip", e[1]),
        )
        self.assign = [t for t in tasks if t.kind == ASSIGN]
        self.execute = [t for t in tasks if t.kind == EXECUTE]

    def review_for(self, role):
        """The task (or None: skipped) of the next step with ``role``."""
        kind = RESOLUTION if role == GENERAL_DIRECTOR else OLD_REVIEW
        for index, (_at, _pk, what, item) in enumerate(self.reviews):
            if what == "task" and item.kind == kind:
                del self.reviews[index]
                return item
            if what == "skip" and skipped_role(item) == role:
                del self.reviews[index]
                return None
        return None


def skipped_role(entry):
    match = SKIPPED.match(entry.description)
    if not match:
        return None
    return ROLE_BY_LABEL.get(match.group(1) or match.group(2))


def from_task(task, **fields):
    status = TASK_STEP_STATUS[task.status]
    return {
        "participant_id": task.original_assignee_id or task.assignee_id,
        "deputy_id": task.assignee_id if task.original_assignee_id else None,
        "task_id": task.pk,
        "started_at": task.created_at,
        "status": status,
        "decision": DECISION_OF_KIND[task.kind] if status == "decided" else "",
        "comment": task.comment if status == "decided" else "",
        "decided_at": task.completed_at if status == "decided" else None,
        "decided_by_id": task.completed_by_id if status == "decided" else None,
        **fields,
    }


def started_steps(roles, events, blocking_of):
    """The steps of a stage the old route opened, as field dicts."""
    steps = []
    for role in roles:
        planned = {
            "role": role,
            "blocking": blocking_of(role),
            "kind": "execute" if role == RESPONSIBLE else "review",
            "task_kind": {RESPONSIBLE: EXECUTE, GENERAL_DIRECTOR: RESOLUTION}.get(role, ""),
        }
        if role != RESPONSIBLE:
            task = events.review_for(role)
            if task is None:
                steps.append({**planned, "status": "skipped", "reason": ROLE_LABELS[role]})
            else:
                steps.append(from_task(task, **planned, reason=""))
            continue
        execute = events.execute.pop(0) if events.execute else None
        if events.assign:
            assign = events.assign.pop(0)
            steps.append(
                from_task(
                    assign,
                    **{**planned, "kind": "review", "task_kind": ASSIGN},
                    reason="Назначение исполнителя",
                )
            )
            if execute is not None:
                steps.append(
                    from_task(
                        execute,
                        role="",
                        blocking=True,
                        kind="execute",
                        task_kind=EXECUTE,
                        reason=(assign.comment or "")[:255],
                        added_by_id=assign.completed_by_id or assign.assignee_id,
                    )
                )
        elif execute is not None:
            steps.append(from_task(execute, **planned, reason=""))
        else:
            steps.append({**planned, "status": "skipped", "reason": ROLE_LABELS[role]})
    return steps


def stage_complete(steps):
    blocking = [s for s in steps if s["blocking"] and s["status"] != "skipped"]
    return all(s["status"] == "decided" for s in blocking)


def forward(apps, schema_editor):
    Letter = apps.get_model("correspondence", "IncomingLetter")
    Rule = apps.get_model("correspondence", "RouteRule")
    Task = apps.get_model("workflow", "Task")
    HistoryEntry = apps.get_model("workflow", "HistoryEntry")
    Route = apps.get_model("workflow", "Route")
    RouteRound = apps.get_model("workflow", "RouteRound")
    RouteStage = apps.get_model("workflow", "RouteStage")
    RouteStep = apps.get_model("workflow", "RouteStep")
    ContentType = apps.get_model("contenttypes", "ContentType")

    content_type, _ = ContentType.objects.get_or_create(
        app_label="correspondence", model="incomingletter"
    )
    modes = dict(Rule.objects.values_list("pk", "review_with_execution"))
    for letter in Letter.objects.order_by("pk").iterator():
        plan = [list(stage) for stage in (letter.route_plan or []) if stage]
        if not plan:
            continue
        tasks = list(
            Task.objects.filter(
                content_type=content_type,
                object_id=letter.pk,
                kind__in=[RESOLUTION, OLD_REVIEW, ASSIGN, EXECUTE],
            ).order_by("created_at", "id")
        )
        skips = HistoryEntry.objects.filter(
            content_type=content_type, object_id=letter.pk, action="assignment"
        ).order_by("created_at", "id")
        events = Events(tasks, [h for h in skips if skipped_role(h)])
        mandatory = modes.get(letter.route_rule_id) == "mandatory"
        finished = letter.status in ("done", "reply_preparing")
        due_at = timezone.make_aware(dt.datetime.combine(letter.control_date, dt.time(18, 0)))

        stages = []  # (roles, status, steps)
        for index, roles in enumerate(plan):
            executing = RESPONSIBLE in roles

            def blocking_of(role, executing=executing):
                return not (executing and not mandatory and role != RESPONSIBLE)

            if index > letter.route_stage:
                waiting = [
                    {
                        "role": role,
                        "blocking": blocking_of(role),
                        "kind": "execute" if role == RESPONSIBLE else "review",
                        "task_kind": {RESPONSIBLE: EXECUTE, GENERAL_DIRECTOR: RESOLUTION}.get(
                            role, ""
                        ),
                        "status": "waiting",
                        "reason": ROLE_LABELS[role],
                    }
                    for role in roles
                ]
                stages.append((roles, "cancelled" if finished else "waiting", waiting))
                continue
            steps = started_steps(roles, events, blocking_of)
            current = index == letter.route_stage
            done = not current or letter.status == "done" or stage_complete(steps)
            stages.append((roles, "done" if done else "active", steps))

        running = any(status in ("active", "waiting") for _r, status, _s in stages)
        decided = [
            s["decided_at"] for _r, _st, steps in stages for s in steps if s.get("decided_at")
        ]
        finished_at = None
        if not running:
            finished_at = letter.completed_at or (max(decided) if decided else None)
        route = Route.objects.create(
            content_type=content_type,
            object_id=letter.pk,
            document_type=DOC_TYPE,
            status="running" if running else "done",
            round=1,
            author_id=letter.registered_by_id,
            started_at=letter.registered_at,
            finished_at=finished_at,
        )
        RouteRound.objects.create(
            route=route,
            number=1,
            started_at=letter.registered_at,
            started_by_id=letter.registered_by_id,
            outcome="running" if running else "approved",
            ended_at=finished_at,
        )
        for order, (roles, status, steps) in enumerate(stages):
            started = [s["started_at"] for s in steps if s.get("started_at")]
            ended = [s["decided_at"] for s in steps if s.get("decided_at")]
            stage = RouteStage.objects.create(
                route=route,
                round=1,
                order=order,
                name=stage_name(roles),
                phase=stage_phase(roles),
                allow_return=False,
                status=status,
                started_at=min(started) if started else None,
                completed_at=(max(ended) if ended else None) if status == "done" else None,
            )
            RouteStep.objects.bulk_create(
                [
                    RouteStep(
                        stage=stage,
                        route=route,
                        round=1,
                        order=position,
                        due_at_fixed=due_at,
                        remind_days=letter.reminder_working_days,
                        **fields,
                    )
                    for position, fields in enumerate(steps)
                ]
            )
    Task.objects.filter(content_type=content_type, kind=OLD_REVIEW).update(kind=NEW_REVIEW)


def backward(apps, schema_editor):
    """Rebuild ``route_plan``/``route_stage`` from the stages and drop the routes."""
    Letter = apps.get_model("correspondence", "IncomingLetter")
    Route = apps.get_model("workflow", "Route")
    Task = apps.get_model("workflow", "Task")
    routes = Route.objects.filter(document_type=DOC_TYPE)
    for route in routes.prefetch_related("stages__steps"):
        stages = sorted(route.stages.all(), key=lambda s: s.order)
        plan = [
            [s.role for s in sorted(stage.steps.all(), key=lambda s: s.order) if s.role]
            for stage in stages
        ]
        reached = [i for i, stage in enumerate(stages) if stage.status in ("active", "done")]
        Letter.objects.filter(pk=route.object_id).update(
            route_plan=plan, route_stage=max(reached) if reached else 0
        )
    Task.objects.filter(kind=NEW_REVIEW, content_type__model="incomingletter").update(
        kind=OLD_REVIEW
    )
    routes.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0007_routerule_review_with_execution"),
        ("workflow", "0006_history_task_bookkeeping"),
    ]

    operations = [migrations.RunPython(forward, backward)]
