"""The shared route engine on a document type it knows nothing about (tests.engine_app.Paper):
completion rules, rounds, restarts, rejections, mid-run additions, deputies, «для сведения» steps
and role resolution. The cap, history and the task page: test_route_engine_pages.py."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.engine_app import paper as paper_type
from tests.engine_app.driving import decide, open_task, reload, stage, step_states, submit
from tests.engine_app.models import Paper
from tests.factories import AbsenceFactory
from workflow.models import (
    Decision,
    HistoryAction,
    HistoryEntry,
    RouteSettings,
    RouteStatus,
    RouteStep,
    StepKind,
    StepStatus,
    Task,
    TaskStatus,
)
from workflow.routes.plan import StepPlan
from workflow.routes.selectors import route_view
from workflow.routes.services import (
    REVISE_TASK_KIND,
    route_cancel,
    route_of,
    route_step_add,
    route_withdraw,
)
from workflow.routes.tasks import revision_task_complete
from workflow.selectors import history_of
from workflow.services import display_name


@pytest.fixture
def paper(org):
    return Paper.objects.create(title="Положение о премировании", author=org["seller"])


# --- completion rules ----------------------------------------------------------------------------


def test_all_rule_waits_for_every_parallel_step_then_opens_the_next_stage(org, paper):
    """GIVEN stage 1 with two parallel approvers and stage 2 with the general director
    WHEN only one approves THEN the stage waits; WHEN the second approves THEN stage 2 opens,
    and when he approves the route completes and the document's hook approves it."""
    submit(paper, [stage("Отделы", org["sales_head"], org["lawyer"]), stage("ГД", org["gendir"])])
    assert reload(paper).state == "approval"
    decide(paper, org["sales_head"])
    assert not Task.objects.filter(assignee=org["gendir"], status=TaskStatus.OPEN).exists()
    decide(paper, org["lawyer"])
    assert reload(paper).stages_seen == ["Отделы", "ГД"]
    decide(paper, org["gendir"])
    assert reload(paper).state == "approved"
    assert route_of(paper).status == RouteStatus.DONE
    assert route_of(paper).rounds.get().outcome == "approved"


def test_any_rule_completes_on_the_first_decision_and_cancels_the_others(org, paper):
    """GIVEN «any of» two people WHEN one approves THEN the other's task is cancelled and the
    step shows «не потребовалось»."""
    submit(paper, [stage("Любой", org["sales_head"], org["lawyer"], rule="any")])
    decide(paper, org["lawyer"])
    assert reload(paper).state == "approved"
    assert step_states(paper) == [
        (0, "sales_head", StepStatus.CANCELLED, ""),
        (0, "lawyer", StepStatus.DECIDED, Decision.APPROVE),
    ]
    assert Task.objects.get(route_step__participant=org["sales_head"]).status == "cancelled"


def test_quorum_of_two_out_of_three(org, paper):
    """GIVEN a quorum of 2 out of 3 WHEN one approves THEN it waits; WHEN a second approves
    THEN the stage completes and the third is not needed."""
    submit(
        paper,
        [
            stage(
                "Комиссия", org["sales_head"], org["lawyer"], org["gendir"], rule="quorum", quorum=2
            )
        ],
    )
    decide(paper, org["gendir"])
    assert reload(paper).state == "approval"
    decide(paper, org["sales_head"])
    assert reload(paper).state == "approved"
    statuses = {username: status for _o, username, status, _d in step_states(paper)}
    assert statuses == {
        "sales_head": StepStatus.DECIDED,
        "lawyer": StepStatus.CANCELLED,
        "gendir": StepStatus.DECIDED,
    }


# --- rounds --------------------------------------------------------------------------------------


def test_return_ends_the_round_and_the_revision_note_reaches_the_next_round(org, paper):
    """GIVEN two stages WHEN the second returns with a comment THEN the round ends, the author
    gets a revision task with a deadline and the comment; WHEN the author resubmits through that
    task with «что исправлено» THEN round 2 starts at the first stage and every task of round 2
    carries the note, which the card shows too."""
    submit(paper, [stage("Руководитель", org["sales_head"]), stage("ГД", org["gendir"])])
    decide(paper, org["sales_head"])
    decide(paper, org["gendir"], Decision.RETURN, "Уточните сумму")
    assert reload(paper).state == "returned"
    revision = Task.objects.get(kind=REVISE_TASK_KIND, status=TaskStatus.OPEN)
    assert revision.assignee == org["seller"] and revision.due_at is not None
    assert "Уточните сумму" in revision.description
    revision_task_complete(
        task_id=revision.pk, user=org["seller"], data={"note": "Сумма исправлена на 10 000 ₽"}
    )
    route = route_of(paper)
    assert (route.round, reload(paper).state) == (2, "approval")
    assert route.rounds.get(number=1).outcome == "returned"
    assert route.rounds.get(number=2).note == "Сумма исправлена на 10 000 ₽"
    assert "Сумма исправлена на 10 000 ₽" in open_task(paper, org["sales_head"]).description
    assert Task.objects.get(pk=revision.pk).status == TaskStatus.DONE
    view = route_view(paper)
    assert view.current.round.note == "Сумма исправлена на 10 000 ₽"
    assert [r.round.number for r in view.rounds] == [2, 1]


def test_resubmission_can_restart_from_the_returning_stage(org, paper):
    """GIVEN the document type set to restart from the returning stage
    WHEN stage 2 of 3 returns and the author resubmits THEN round 2 holds stages 2 and 3 only,
    with the same people, and starts at stage 2."""
    RouteSettings.objects.create(document_type=paper_type.CODE, restart_from="returning")
    plan = [
        stage("Первый", org["sales_head"]),
        stage("Второй", org["lawyer"]),
        stage("Третий", org["gendir"]),
    ]
    submit(paper, plan)
    decide(paper, org["sales_head"])
    decide(paper, org["lawyer"], Decision.RETURN, "Нет ссылки на приказ")
    submit(paper, [stage("Иной план", org["seller2"])], note="Добавил ссылку")
    assert step_states(paper) == [
        (1, "lawyer", StepStatus.PENDING, ""),
        (2, "gendir", StepStatus.WAITING, ""),
    ]
    assert route_of(paper).rounds.get(number=2).first_stage == 1
    assert route_view(paper).skipped_before == 1


def test_reject_ends_the_route(org, paper):
    """GIVEN a stage that allows rejection WHEN the approver rejects with a reason
    THEN the route is rejected, later stages never open, and the document's hook rejects it."""
    submit(paper, [stage("ГД", org["gendir"], allow_reject=True), stage("Юрист", org["lawyer"])])
    with pytest.raises(ValidationError):
        decide(paper, org["gendir"], Decision.REJECT, "")
    decide(paper, org["gendir"], Decision.REJECT, "Нецелесообразно")
    assert reload(paper).state == "rejected"
    assert route_of(paper).status == RouteStatus.REJECTED
    assert not Task.objects.filter(assignee=org["lawyer"]).exists()


def test_a_decision_the_step_does_not_offer_is_refused(org, paper):
    """GIVEN an approve step in a stage without rejection THEN «reject» and «done» are refused."""
    submit(paper, [stage("Руководитель", org["sales_head"])])
    for decision in (Decision.REJECT, Decision.DONE):
        with pytest.raises(ValidationError):
            decide(paper, org["sales_head"], decision, "причина")


def test_withdrawal_cancels_every_open_task(org, paper):
    """GIVEN a running route WHEN the author withdraws THEN every open task is cancelled, the
    round ends as withdrawn; someone else cannot withdraw."""
    submit(paper, [stage("Отделы", org["sales_head"], org["lawyer"])])
    with pytest.raises(PermissionDenied):
        route_withdraw(subject=reload(paper), actor=org["lawyer"])
    route_withdraw(subject=reload(paper), actor=org["seller"], reason="Передумал")
    assert reload(paper).state == "withdrawn"
    assert not Task.objects.filter(object_id=paper.pk, status=TaskStatus.OPEN).exists()
    assert route_of(paper).rounds.get().outcome == "withdrawn"


# --- additions, deputies, roles, «для сведения» ------------------------------------------------


def test_a_participant_adds_an_approver_to_the_current_stage(org, paper):
    """GIVEN the head of sales on the current stage WHEN he adds the lawyer to it
    THEN the lawyer gets a task now, the stage waits for both, history names who added whom;
    a bystander cannot add anyone."""
    submit(paper, [stage("Руководитель", org["sales_head"]), stage("ГД", org["gendir"])])
    current = route_of(paper).stages.get(order=0)
    with pytest.raises(PermissionDenied):
        route_step_add(subject=paper, actor=org["seller2"], participant=org["lawyer"])
    route_step_add(
        subject=paper,
        actor=org["sales_head"],
        participant=org["lawyer"],
        stage_id=current.pk,
        reason="Нужна юридическая оценка",
    )
    assert open_task(paper, org["lawyer"])
    decide(paper, org["sales_head"])
    assert not Task.objects.filter(assignee=org["gendir"]).exists()
    decide(paper, org["lawyer"])
    assert open_task(paper, org["gendir"])
    added = HistoryEntry.objects.get(action=HistoryAction.ASSIGNMENT, object_id=paper.pk)
    assert added.actor == org["sales_head"]
    assert display_name(org["lawyer"]) in added.description
    assert RouteStep.objects.get(participant=org["lawyer"]).added_by == org["sales_head"]


def test_the_author_adds_a_new_stage_after_the_current_one(org, paper):
    """GIVEN stage «Руководитель» then «ГД» WHEN the author adds the lawyer in a new stage
    THEN the order becomes Руководитель → Дополнительное согласование → ГД."""
    submit(paper, [stage("Руководитель", org["sales_head"]), stage("ГД", org["gendir"])])
    route_step_add(subject=paper, actor=org["seller"], participant=org["lawyer"])
    decide(paper, org["sales_head"])
    decide(paper, org["lawyer"])
    decide(paper, org["gendir"])
    assert reload(paper).stages_seen == ["Руководитель", "Дополнительное согласование", "ГД"]


def test_an_absent_participant_is_replaced_by_the_deputy(org, paper):
    """GIVEN the head of sales on vacation with seller2 as deputy WHEN his stage starts
    THEN the deputy gets the task and decides; the step keeps the participant and shows the
    deputy, the card waits for «seller2 (за head)»."""
    today = timezone.localdate()
    AbsenceFactory(
        employee=org["sales_head"],
        starts_on=today,
        ends_on=today + dt.timedelta(days=5),
        deputy=org["seller2"],
    )
    submit(paper, [stage("Руководитель", org["sales_head"]), stage("ГД", org["gendir"])])
    step = RouteStep.objects.get(participant=org["sales_head"])
    assert (step.deputy, step.task.assignee) == (org["seller2"], org["seller2"])
    assert route_view(paper).waiting[0].acting == org["seller2"]
    decide(paper, org["seller2"])
    step.refresh_from_db()
    assert (step.participant, step.decided_by) == (org["sales_head"], org["seller2"])


def test_steps_planned_by_role_are_resolved_when_the_stage_starts(org, paper):
    """GIVEN a step planned by a role nobody holds THEN it is skipped with a history note and
    the route goes on; a role that resolves gets its task."""
    plan = [
        stage("Роль", StepPlan(kind=StepKind.REVIEW, role="nobody")),
        stage("ГД", StepPlan(kind=StepKind.APPROVE, role="gendir")),
    ]
    submit(paper, plan)
    assert open_task(paper, org["gendir"])
    skipped = RouteStep.objects.get(role="nobody")
    assert skipped.status == StepStatus.SKIPPED
    assert any("пропущен" in e.description for e in history_of(paper))


def test_an_informational_step_never_holds_the_document(org, paper):
    """GIVEN the lawyer «для сведения» beside the head WHEN the head approves THEN the route
    completes while the lawyer's review stays open; she may still answer (with an objection)."""
    submit(
        paper,
        [
            stage(
                "Руководитель",
                org["sales_head"],
                StepPlan(kind=StepKind.REVIEW, participant=org["lawyer"], blocking=False),
            )
        ],
    )
    decide(paper, org["sales_head"])
    assert reload(paper).state == "approved"
    assert route_view(paper).informational[0].participant == org["lawyer"]
    decide(paper, org["lawyer"], Decision.OBJECT, "Пункт 3 спорный")
    assert RouteStep.objects.get(participant=org["lawyer"]).decision == Decision.OBJECT


def test_route_cancel_closes_blocking_steps_and_keeps_informational_ones(org, paper):
    """GIVEN a running route with a blocking and a «для сведения» step WHEN the document ends
    outside the route THEN the blocking step closes as «не потребовалось», the other stays open."""
    submit(
        paper,
        [
            stage(
                "Этап",
                org["sales_head"],
                StepPlan(kind=StepKind.REVIEW, participant=org["lawyer"], blocking=False),
            )
        ],
    )
    route_cancel(subject=paper, actor=None, reason="Ответ отправлен")
    assert Task.objects.get(assignee=org["sales_head"]).status == "cancelled"
    assert Task.objects.get(assignee=org["lawyer"]).status == TaskStatus.OPEN
    assert route_of(paper).status == RouteStatus.DONE
