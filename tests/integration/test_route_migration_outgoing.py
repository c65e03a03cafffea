"""The outgoing letters' old approval sheets survive the move into the route engine: data built
with the old models (as they were before the migration) is migrated, and every round, decision,
comment, acting deputy, task and deadline shows as before."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("correspondence", "0004_outgoing_recent_index")]
AFTER = [("correspondence", "0005_outgoing_routes")]


def _migrate(targets):
    """Migrate to ``targets`` and return the models as the database now has them: every app at
    whatever it is at after the move (the other apps stay at their latest)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()  # re-read what is applied now
    applied = list(executor.loader.applied_migrations)
    return executor.loader.project_state(applied, at_end=True).apps


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_old_approval_sheets_become_routes_losslessly():
    """GIVEN a letter in its second approval round, built with the old models: round 1 approved
    by the head's deputy and returned by the general director with a comment, round 2 pending
    at the head with an open task WHEN the data migration runs THEN the letter has one route in
    round 2 with both rounds, the same decisions, comments, deputy, task and deadlines, and
    its open task is now the engine's approve kind."""
    old = _migrate(BEFORE)
    try:
        User = old.get_model("auth", "User")
        Employee = old.get_model("workflow", "Employee")
        LegalEntity = old.get_model("workflow", "LegalEntity")
        Counterparty = old.get_model("crm", "Counterparty")
        Thread = old.get_model("correspondence", "Thread")
        Letter = old.get_model("correspondence", "OutgoingLetter")
        Approval = old.get_model("correspondence", "OutgoingApproval")
        Task = old.get_model("workflow", "Task")
        ContentType = old.get_model("contenttypes", "ContentType")

        author, head, deputy, gendir = (
            User.objects.create(username=name) for name in ("author", "head", "deputy", "gd")
        )
        Employee.objects.create(user=head, position="Руководитель отдела продаж")
        Employee.objects.create(user=gendir, position="Генеральный директор")
        entity = LegalEntity.objects.create(name="ООО «Арго»", short_name="Арго", code="АО")
        company = Counterparty.objects.create(name="ООО «Ветер»", category="tenant")
        thread = Thread.objects.create(counterparty=company, subject="Аренда", created_by=author)
        letter = Letter.objects.create(
            legal_entity=entity,
            counterparty=company,
            subject="О продлении аренды",
            author=author,
            executor=author,
            thread=thread,
            status="approval",
            approval_round=2,
        )
        ct = ContentType.objects.get(app_label="correspondence", model="outgoingletter")
        now = timezone.now()
        day = dt.timedelta(days=1)

        def task(kind, assignee, status, due):
            return Task.objects.create(
                kind=kind,
                title="Согласовать",
                content_type=ct,
                object_id=letter.pk,
                assignee=assignee,
                status=status,
                due_at=due,
            )

        first_task = task("correspondence.outgoing_approve", deputy, "done", now - 3 * day)
        second_task = task("correspondence.outgoing_approve", gendir, "done", now - 2 * day)
        open_task = task("correspondence.outgoing_approve", head, "open", now + day)
        revise = task("correspondence.outgoing_revise", author, "done", None)
        rows = [
            (1, 0, head, deputy, first_task, "approved", "", now - 4 * day, now - 3.5 * day),
            (
                1,
                1,
                gendir,
                gendir,
                second_task,
                "returned",
                "Уберите штраф",
                now - 3 * day,
                now - day,
            ),
            (2, 0, head, None, open_task, "pending", "", now - 0.5 * day, None),
            (2, 1, gendir, None, None, "waiting", "", None, None),
        ]
        for number, order, approver, acted, t, decision, comment, started, decided in rows:
            Approval.objects.create(
                letter=letter,
                round=number,
                order=order,
                approver=approver,
                acted_by=acted,
                task=t,
                decision=decision,
                comment=comment,
                started_at=started,
                due_at=t.due_at if t else None,
                decided_at=decided,
            )

        new = _migrate(AFTER)
        Route = new.get_model("workflow", "Route")
        Step = new.get_model("workflow", "RouteStep")
        NewTask = new.get_model("workflow", "Task")
        route = Route.objects.get(object_id=letter.pk, document_type="correspondence.outgoing")
        assert (route.status, route.round, route.author_id) == ("running", 2, author.pk)
        rounds = {r.number: r for r in route.rounds.all()}
        assert rounds[1].outcome == "returned" and rounds[1].end_comment == "Уберите штраф"
        assert rounds[1].ended_by_id == gendir.pk and rounds[2].outcome == "running"
        steps = [
            (
                s.round,
                s.stage.order,
                s.participant_id,
                s.status,
                s.decision,
                s.comment,
                s.decided_by_id,
                s.deputy_id,
                s.task_id,
                s.stage.status,
            )
            for s in Step.objects.filter(route=route).order_by("round", "stage__order")
        ]
        assert steps == [
            (1, 0, head.pk, "decided", "approve", "", deputy.pk, deputy.pk, first_task.pk, "done"),
            (1, 1, gendir.pk, "decided", "return", "Уберите штраф", gendir.pk, None, second_task.pk,
             "cancelled"),
            (2, 0, head.pk, "pending", "", "", None, None, open_task.pk, "active"),
            (2, 1, gendir.pk, "waiting", "", "", None, None, None, "waiting"),
        ]  # fmt: skip
        stage_names = set(Step.objects.filter(route=route).values_list("stage__name", flat=True))
        assert "Согласование: Руководитель отдела продаж" in stage_names
        assert NewTask.objects.get(pk=open_task.pk).kind == "workflow.route_approve"
        assert NewTask.objects.get(pk=revise.pk).kind == "workflow.route_revise"
        assert NewTask.objects.get(pk=open_task.pk).due_at == open_task.due_at
    finally:
        _migrate_to_latest()
