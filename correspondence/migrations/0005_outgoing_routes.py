"""Move the outgoing letters' approval sheets (OutgoingApproval: one row per approver per round)
into the shared route engine: a route per letter, a round per approval round, a stage with one
approve step per approver. Every round, decision, comment, task and deadline is kept; open tasks
keep working because their kinds become the engine's."""

from django.db import migrations

STEP_STATUS = {
    "waiting": "waiting",
    "pending": "pending",
    "approved": "decided",
    "returned": "decided",
    "cancelled": "cancelled",
}
STAGE_STATUS = {
    "waiting": "waiting",
    "pending": "active",
    "approved": "done",
    "returned": "cancelled",
    "cancelled": "cancelled",
}
DECISION = {"approved": "approve", "returned": "return"}
ROUTE_STATUS = {"approval": "running", "returned": "returned", "draft": "withdrawn"}


def _round_outcome(steps, *, last: bool, route_status: str) -> str:
    decisions = {s.decision for s in steps}
    if "returned" in decisions:
        return "returned"
    if last and route_status == "running":
        return "running"
    if decisions == {"approved"}:
        return "approved"
    return "withdrawn"


def forward(apps, schema_editor):
    Letter = apps.get_model("correspondence", "OutgoingLetter")
    Approval = apps.get_model("correspondence", "OutgoingApproval")
    Settings = apps.get_model("correspondence", "OutgoingApprovalSettings")
    Employee = apps.get_model("workflow", "Employee")
    Task = apps.get_model("workflow", "Task")
    Route = apps.get_model("workflow", "Route")
    RouteRound = apps.get_model("workflow", "RouteRound")
    RouteStage = apps.get_model("workflow", "RouteStage")
    RouteStep = apps.get_model("workflow", "RouteStep")
    ContentType = apps.get_model("contenttypes", "ContentType")

    Task.objects.filter(kind="correspondence.outgoing_approve").update(kind="workflow.route_approve")
    Task.objects.filter(kind="correspondence.outgoing_revise").update(kind="workflow.route_revise")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="correspondence", model="outgoingletter"
    )
    positions = dict(Employee.objects.values_list("user_id", "position"))
    configs = {s.legal_entity_id: s for s in Settings.objects.all()}
    assignees = {}
    letter_ids = Approval.objects.values_list("letter_id", flat=True).distinct()
    for letter in Letter.objects.filter(pk__in=letter_ids).iterator():
        approvals = list(Approval.objects.filter(letter=letter).order_by("round", "order", "id"))
        task_ids = [a.task_id for a in approvals if a.task_id]
        assignees.update(Task.objects.filter(pk__in=task_ids).values_list("pk", "assignee_id"))
        config = configs.get(letter.legal_entity_id)
        numbers = sorted({a.round for a in approvals})
        last = numbers[-1]
        status = ROUTE_STATUS.get(letter.status, "done")
        decided = [a.decided_at for a in approvals if a.decided_at]
        started = [a.started_at for a in approvals if a.started_at]
        route = Route.objects.create(
            content_type=content_type,
            object_id=letter.pk,
            document_type="correspondence.outgoing",
            status=status,
            round=last,
            author_id=letter.author_id,
            started_at=min(started) if started else letter.created_at,
            finished_at=max(decided) if decided and status == "done" else None,
        )
        for number in numbers:
            steps = [a for a in approvals if a.round == number]
            round_started = [a.started_at for a in steps if a.started_at]
            round_decided = [a.decided_at for a in steps if a.decided_at]
            outcome = _round_outcome(steps, last=number == last, route_status=status)
            returner = next((a for a in steps if a.decision == "returned"), None)
            RouteRound.objects.create(
                route=route,
                number=number,
                started_at=min(round_started) if round_started else letter.created_at,
                started_by_id=letter.author_id,
                outcome=outcome,
                ended_at=max(round_decided) if round_decided and outcome != "running" else None,
                ended_by_id=returner.acted_by_id if returner else None,
                end_comment=returner.comment if returner else "",
            )
            for approval in steps:
                stage = RouteStage.objects.create(
                    route=route,
                    round=number,
                    order=approval.order,
                    name="Согласование: %s" % (positions.get(approval.approver_id) or "—"),
                    status=STAGE_STATUS[approval.decision],
                    started_at=approval.started_at,
                    completed_at=approval.decided_at if approval.decision == "approved" else None,
                )
                acting = assignees.get(approval.task_id)
                RouteStep.objects.create(
                    stage=stage,
                    route=route,
                    round=number,
                    order=0,
                    kind="approve",
                    participant_id=approval.approver_id,
                    status=STEP_STATUS[approval.decision],
                    decision=DECISION.get(approval.decision, ""),
                    comment=approval.comment,
                    decided_at=approval.decided_at,
                    decided_by_id=approval.acted_by_id,
                    started_at=approval.started_at,
                    task_id=approval.task_id,
                    deputy_id=acting if acting and acting != approval.approver_id else None,
                    deadline_days=config.approval_working_days if config else 2,
                    remind_days=config.reminder_working_days if config else 1,
                    due_at_fixed=approval.due_at if approval.task_id is None else None,
                )


def backward(apps, schema_editor):
    Route = apps.get_model("workflow", "Route")
    Task = apps.get_model("workflow", "Task")
    Route.objects.filter(document_type="correspondence.outgoing").delete()
    Task.objects.filter(
        kind="workflow.route_approve", content_type__model="outgoingletter"
    ).update(kind="correspondence.outgoing_approve")
    Task.objects.filter(kind="workflow.route_revise", content_type__model="outgoingletter").update(
        kind="correspondence.outgoing_revise"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0004_outgoing_recent_index"),
        ("workflow", "0006_history_task_bookkeeping"),
    ]

    operations = [migrations.RunPython(forward, backward)]
