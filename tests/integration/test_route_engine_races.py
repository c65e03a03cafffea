"""Races on the route engine with real threads on PostgreSQL: the engine locks the document row,
then the route, so simultaneous decisions are serialised and the loser gets a message."""

import threading

import pytest
from django.db import connection
from django_fsm import TransitionNotAllowed

from tests.engine_app import paper as paper_type
from tests.engine_app.models import Paper
from tests.factories import small_org
from workflow.models import Decision, StepKind, Task, TaskStatus
from workflow.routes.plan import StagePlan, StepPlan
from workflow.routes.services import route_of, route_withdraw, step_decide

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls) -> list[str]:
    """Run each call in its own thread, released at the same moment; 'done' or the refusal."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(index, call) -> None:
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "done"
        except TransitionNotAllowed as error:
            outcomes[index] = f"refused: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def submitted(org, plan) -> Paper:
    paper = Paper.objects.create(title="Регламент", author=org["seller"])
    paper_type.paper_submit(paper_id=paper.pk, user=org["seller"], plan=plan)
    return paper


def approve_plan(*people, name="Этап"):
    return StagePlan(
        name=name, steps=[StepPlan(kind=StepKind.APPROVE, participant=p) for p in people]
    )


def task_of(paper, user) -> Task:
    return Task.objects.get(object_id=paper.pk, assignee=user, status=TaskStatus.OPEN)


def test_two_submissions_of_one_decision_leave_one():
    """GIVEN one open step WHEN its approver's decision arrives twice at once (two tabs)
    THEN one is recorded and the other is refused with «обновите страницу»."""
    org = small_org()
    paper = submitted(org, [approve_plan(org["sales_head"])])
    task = task_of(paper, org["sales_head"])
    outcomes = run_together(
        *[
            lambda: step_decide(task_id=task.pk, user=org["sales_head"], decision=Decision.APPROVE)
            for _ in range(2)
        ]
    )
    assert sorted(o.split(":")[0] for o in outcomes) == ["done", "refused"]
    assert Paper.objects.get(pk=paper.pk).state == "approved"


def test_the_last_two_parallel_steps_open_the_next_stage_exactly_once():
    """GIVEN a parallel stage of two and a next stage WHEN both approve at the same moment
    THEN both decisions count and the next stage's task is created exactly once."""
    org = small_org()
    paper = submitted(
        org,
        [approve_plan(org["sales_head"], org["lawyer"]), approve_plan(org["gendir"], name="ГД")],
    )
    first, second = task_of(paper, org["sales_head"]), task_of(paper, org["lawyer"])
    outcomes = run_together(
        lambda: step_decide(task_id=first.pk, user=org["sales_head"], decision=Decision.APPROVE),
        lambda: step_decide(task_id=second.pk, user=org["lawyer"], decision=Decision.APPROVE),
    )
    assert outcomes == ["done", "done"]
    assert Task.objects.filter(object_id=paper.pk, assignee=org["gendir"]).count() == 1
    assert route_of(paper).stages.get(order=1).status == "active"


def test_a_withdrawal_racing_an_approval_leaves_one_consistent_outcome():
    """GIVEN one approver WHEN he approves and the author withdraws at the same moment
    THEN exactly one wins; the document is approved with no open task, or withdrawn with
    the approval refused."""
    org = small_org()
    paper = submitted(org, [approve_plan(org["sales_head"])])
    task = task_of(paper, org["sales_head"])

    def withdraw():
        from django.db import transaction

        with transaction.atomic():
            locked = Paper.objects.select_for_update().get(pk=paper.pk)
            route_withdraw(subject=locked, actor=org["seller"])

    outcomes = run_together(
        lambda: step_decide(task_id=task.pk, user=org["sales_head"], decision=Decision.APPROVE),
        withdraw,
    )
    assert [o.split(":")[0] for o in outcomes].count("done") == 1
    state = Paper.objects.get(pk=paper.pk).state
    assert state in ("approved", "withdrawn")
    assert (state == "approved") == (outcomes[0] == "done")
    assert not Task.objects.filter(object_id=paper.pk, status=TaskStatus.OPEN).exists()
