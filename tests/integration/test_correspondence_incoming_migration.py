"""The data migration of incoming routes: letters built with the models as they were before it
(``route_plan``/``route_stage`` and route tasks) come out as engine routes that show the same
and keep working."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from correspondence.models import IncomingLetter
from correspondence.services import incoming as services
from correspondence.testing import build_world, control_in
from tests.factories import small_org
from workflow.models import RouteStep, Task
from workflow.routes.services import route_of
from workflow.routes.tasks import step_task_complete
from workflow.selectors import tasks_of

BEFORE = [("correspondence", "0007_routerule_review_with_execution")]
GOV = [["general_director"], ["lawyer"], ["responsible"]]
TENANT = [["responsible", "director"]]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


class OldWorld:
    """Letters and route tasks written with the historical models (the pre-migration schema)."""

    def __init__(self, apps, world):
        self.apps, self.world = apps, world
        self.clock = timezone.now() - dt.timedelta(days=3)
        self.content_type = ContentType.objects.get_for_model(IncomingLetter).pk
        self.sequence = 0

    def _tick(self):
        self.clock += dt.timedelta(minutes=5)
        return self.clock

    def letter(self, *, counterparty, plan, stage, status, responsible=None):
        world, apps = self.world, self.apps
        self.sequence += 1
        journal = apps.get_model("correspondence", "RegistrationJournal").objects.get(
            direction="incoming", legal_entity_id=world["entity"].pk
        )
        thread = apps.get_model("correspondence", "Thread").objects.create(
            counterparty_id=world[counterparty].pk, subject="Старое письмо"
        )
        rule = apps.get_model("correspondence", "RouteRule").objects.get(
            category=world[counterparty].category
        )
        return apps.get_model("correspondence", "IncomingLetter").objects.create(
            journal=journal,
            reg_number=f"Вх-{self.sequence:04d}/БЦ/2026",
            reg_year=2026,
            reg_sequence=self.sequence,
            legal_entity_id=world["entity"].pk,
            counterparty_id=world[counterparty].pk,
            subject=f"Старое письмо {self.sequence}",
            received_on=timezone.localdate(),
            control_date=control_in(5),
            responsible_id=responsible.pk if responsible else None,
            thread=thread,
            route_rule=rule,
            route_plan=plan,
            route_stage=stage,
            reminder_working_days=2,
            status=status,
            registered_by_id=world["office"].pk,
            registered_at=self.clock,
        )

    def task(self, letter, kind, assignee, *, status="open", comment="", deputy=None, by=None):
        created = self._tick()
        done = status != "open"
        return self.apps.get_model("workflow", "Task").objects.create(
            kind=kind,
            title=f"{kind} {letter.reg_number}",
            content_type_id=self.content_type,
            object_id=letter.pk,
            assignee_id=(deputy or assignee).pk,
            original_assignee_id=assignee.pk if deputy else None,
            created_by_id=(by or self.world["office"]).pk,
            created_at=created,
            due_at=timezone.make_aware(dt.datetime.combine(letter.control_date, dt.time(18))),
            status=status,
            outcome={"done": "done", "cancelled": ""}.get(status, ""),
            comment=comment,
            completed_at=self._tick() if done else None,
            completed_by_id=((deputy or assignee).pk if status == "done" else None),
        )

    def skipped(self, letter, label):
        self.apps.get_model("workflow", "HistoryEntry").objects.create(
            content_type_id=self.content_type,
            object_id=letter.pk,
            action="assignment",
            description=f"Шаг «{label}» пропущен: сотрудник не найден",
            created_at=self._tick(),
        )


def _steps(letter):
    return [
        (
            s.stage.order,
            s.stage.status,
            s.role,
            s.participant.username if s.participant else None,
            s.kind,
            s.task_kind,
            s.status,
            s.decision,
            s.blocking,
        )
        for s in RouteStep.objects.filter(route=route_of(letter))
        .select_related("stage", "participant")
        .order_by("stage__order", "order")
    ]


@pytest.mark.django_db(transaction=True)
def test_old_routes_become_engine_routes_that_show_the_same_and_keep_working(client):
    """GIVEN letters routed by the old code: a government letter at the lawyer (reviewing through
    a deputy) after the general director's resolution; an executed tenant letter whose director's
    review was withdrawn; a tenant letter waiting for its executor to be named; a government
    letter whose lawyer step was skipped; a tenant letter whose reply is being prepared; a tenant
    letter executed by the person the head named
    WHEN the migrations run
    THEN each has a route with the same stages, people, decisions, comments and deadlines; the
    stages not reached keep their roles; the old fields are gone; and the open tasks still work:
    the deputy's review opens the execution, the head's assignment adds the executor."""
    world = build_world(small_org())
    world["deputy"] = world["seller2"]
    try:
        _migrate(BEFORE)
        old = OldWorld(MigrationExecutor(connection).loader.project_state(BEFORE).apps, world)

        at_lawyer = old.letter(
            counterparty="government",
            plan=GOV,
            stage=1,
            status="in_review",
            responsible=world["seller"],
        )
        old.task(
            at_lawyer,
            "correspondence.resolution",
            world["gendir"],
            status="done",
            comment="Ответить до срока",
        )
        old.task(
            at_lawyer,
            "correspondence.review",
            world["lawyer"],
            deputy=world["deputy"],
            by=world["gendir"],
        )

        executed = old.letter(
            counterparty="tenant", plan=TENANT, stage=0, status="done", responsible=world["seller"]
        )
        old.task(
            executed, "correspondence.execute", world["seller"], status="done", comment="Продлили"
        )
        old.task(
            executed,
            "correspondence.review",
            world["director"],
            status="cancelled",
            comment="Письмо исполнено.",
        )

        assigning = old.letter(counterparty="tenant", plan=TENANT, stage=0, status="assigning")
        old.task(assigning, "correspondence.assign_executor", world["sales_head"])
        old.task(assigning, "correspondence.review", world["director"])

        skipped = old.letter(
            counterparty="government",
            plan=GOV,
            stage=2,
            status="in_work",
            responsible=world["seller"],
        )
        old.task(skipped, "correspondence.resolution", world["gendir"], status="done")
        old.skipped(skipped, "Юрист")
        old.task(skipped, "correspondence.execute", world["seller"])

        replying = old.letter(
            counterparty="tenant",
            plan=TENANT,
            stage=0,
            status="reply_preparing",
            responsible=world["seller"],
        )
        old.task(replying, "correspondence.execute", world["seller"], status="done")
        old.task(replying, "correspondence.review", world["director"])

        named = old.letter(
            counterparty="tenant",
            plan=TENANT,
            stage=0,
            status="in_work",
            responsible=world["seller2"],
        )
        old.task(
            named,
            "correspondence.assign_executor",
            world["sales_head"],
            status="done",
            comment="Ответьте арендатору",
        )
        old.task(named, "correspondence.review", world["director"])
        old.task(named, "correspondence.execute", world["seller2"], by=world["sales_head"])
    finally:
        _migrate(None)

    assert not hasattr(IncomingLetter(), "route_plan")
    assert not Task.objects.filter(kind="correspondence.review").exists()

    # the government letter at the lawyer: a done resolution, the lawyer's open review through
    # her deputy, the executor still planned by role
    letter = IncomingLetter.objects.get(pk=at_lawyer.pk)
    assert _steps(letter) == [
        (
            0,
            "done",
            "general_director",
            "gendir",
            "review",
            services.KIND_RESOLUTION,
            "decided",
            "review",
            True,
        ),
        (1, "active", "lawyer", "lawyer", "review", "", "pending", "", True),
        (2, "waiting", "responsible", None, "execute", services.KIND_EXECUTE, "waiting", "", True),
    ]
    route = route_of(letter)
    assert (route.status, route.round, route.author) == ("running", 1, world["office"])
    lawyer_step = RouteStep.objects.get(route=route, role="lawyer")
    assert lawyer_step.deputy == world["deputy"]
    assert lawyer_step.task.kind == services.KIND_REVIEW
    assert lawyer_step.due_at == lawyer_step.task.due_at
    resolution = RouteStep.objects.get(route=route, role="general_director")
    assert (resolution.comment, resolution.decided_by) == ("Ответить до срока", world["gendir"])
    waiting = RouteStep.objects.get(route=route, role="responsible")
    assert waiting.reason == "Ответственный исполнитель"
    assert timezone.localtime(waiting.due_at).date() == letter.control_date

    client.force_login(world["office"])
    page = client.get(letter.get_absolute_url()).content.decode()
    for text in ("Резолюция", "Рассмотрение", "Исполнение", "Ответить до срока", "Ждём:"):
        assert text in page, text
    assert world["deputy"].get_full_name() in page

    # the executed tenant letter: done, the director's withdrawn review stays «не потребовалось»
    assert _steps(IncomingLetter.objects.get(pk=executed.pk)) == [
        (
            0,
            "done",
            "responsible",
            "seller",
            "execute",
            services.KIND_EXECUTE,
            "decided",
            "done",
            True,
        ),
        (0, "done", "director", "director", "review", "", "cancelled", "", False),
    ]
    route = route_of(executed)
    assert (route.status, route.rounds.get().outcome) == ("done", "approved")
    assert RouteStep.objects.get(route=route, role="responsible").comment == "Продлили"

    # waiting for the executor to be named: the head's assignment and the director, both open
    assert _steps(IncomingLetter.objects.get(pk=assigning.pk)) == [
        (
            0,
            "active",
            "responsible",
            "sales_head",
            "review",
            services.KIND_ASSIGN,
            "pending",
            "",
            True,
        ),
        (0, "active", "director", "director", "review", "", "pending", "", False),
    ]

    # the skipped lawyer
    assert _steps(IncomingLetter.objects.get(pk=skipped.pk)) == [
        (
            0,
            "done",
            "general_director",
            "gendir",
            "review",
            services.KIND_RESOLUTION,
            "decided",
            "review",
            True,
        ),
        (1, "done", "lawyer", None, "review", "", "skipped", "", True),
        (
            2,
            "active",
            "responsible",
            "seller",
            "execute",
            services.KIND_EXECUTE,
            "pending",
            "",
            True,
        ),
    ]

    # the reply being prepared: the executor is done, the director may still review
    assert _steps(IncomingLetter.objects.get(pk=replying.pk))[1][6] == "pending"
    assert route_of(replying).status == "done"

    # the executor named by the head: an added step credited to her
    steps = _steps(IncomingLetter.objects.get(pk=named.pk))
    assert steps[0][5:8] == (services.KIND_ASSIGN, "decided", "review")
    added = RouteStep.objects.get(route=route_of(named), added_by__isnull=False)
    assert (added.participant, added.added_by, added.reason, added.status) == (
        world["seller2"],
        world["sales_head"],
        "Ответьте арендатору",
        "pending",
    )

    # open tasks keep working after the migration
    step_task_complete(
        task_id=lawyer_step.task_id,
        user=world["deputy"],
        data={"decision": "review", "comment": ""},
    )
    letter = IncomingLetter.objects.get(pk=at_lawyer.pk)
    assert letter.status == "in_work"
    assert tasks_of(letter).get(kind=services.KIND_EXECUTE).assignee == world["seller"]
    services.assign_complete(
        task_id=tasks_of(assigning).get(kind=services.KIND_ASSIGN).pk,
        user=world["sales_head"],
        data={"executor": world["seller"], "comment": ""},
    )
    assert IncomingLetter.objects.get(pk=assigning.pk).status == "in_work"
    services.execute_complete(
        task_id=tasks_of(skipped).get(kind=services.KIND_EXECUTE).pk,
        user=world["seller"],
        data={"decision": services.NO_REPLY, "comment": "Исполнено"},
    )
    assert IncomingLetter.objects.get(pk=skipped.pk).status == "done"
    assert client.get(reverse("correspondence:incoming-list")).status_code == 200
