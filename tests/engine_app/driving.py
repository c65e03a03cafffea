"""Driving the test document type through the engine: plans, submission, decisions, reading
the steps back. Shared by the engine's test modules."""

from tests.engine_app import paper as paper_type
from tests.engine_app.models import Paper
from workflow.models import Decision, StepKind, Task, TaskStatus
from workflow.routes.plan import StagePlan, StepPlan
from workflow.routes.services import route_of, step_decide


def stage(name, *people, rule="all", quorum=None, kind=StepKind.APPROVE, **flags):
    return StagePlan(
        name=name,
        rule=rule,
        quorum=quorum,
        steps=[
            StepPlan(kind=kind, participant=p, deadline_days=2)
            if not isinstance(p, StepPlan)
            else p
            for p in people
        ],
        **flags,
    )


def submit(paper, plan, note=""):
    return paper_type.paper_submit(paper_id=paper.pk, user=paper.author, plan=plan, note=note)


def open_task(paper, user):
    return Task.objects.get(object_id=paper.pk, assignee=user, status=TaskStatus.OPEN)


def decide(paper, user, decision=Decision.APPROVE, comment=""):
    return step_decide(
        task_id=open_task(paper, user).pk, user=user, decision=decision, comment=comment
    )


def reload(paper):
    return Paper.objects.get(pk=paper.pk)


def step_states(paper, round_=None):
    route = route_of(paper)
    steps = route.steps.filter(round=round_ or route.round).order_by("stage__order", "order")
    return [(s.stage.order, s.participant.username, s.status, s.decision) for s in steps]
