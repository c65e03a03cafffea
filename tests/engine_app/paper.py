"""The test document type: its hooks move the paper's state, like a real document app's."""

from django.db import transaction

from tests.engine_app.models import Paper
from workflow.routes.registry import DocumentType, RouteHooks, register_document_type
from workflow.routes.services import route_start
from workflow.transitions import transition_apply

CODE = "tests.paper"


class PaperHooks(RouteHooks):
    def on_round_started(self, paper, *, route, round, actor):
        transition_apply(paper, "submit", actor=actor, comment=round.note)

    def on_stage_started(self, paper, *, route, stage, actor):
        Paper.objects.filter(pk=paper.pk).update(stages_seen=paper.stages_seen + [stage.name])
        paper.stages_seen = paper.stages_seen + [stage.name]

    def on_round_returned(self, paper, *, route, step, actor):
        transition_apply(paper, "return_for_revision", actor=actor)

    def on_route_completed(self, paper, *, route, actor):
        transition_apply(paper, "approve", actor=actor)

    def on_route_rejected(self, paper, *, route, step, actor):
        transition_apply(paper, "reject", actor=actor)

    def on_withdrawn(self, paper, *, route, actor, reason):
        transition_apply(paper, "withdraw", actor=actor, comment=reason)

    def resolve_step(self, paper, *, step):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(username=step.role).first()


# the plan the next submission uses (tests set it)
NEXT_PLAN: dict[int, list] = {}


def paper_submit(*, paper_id: int, user, plan=None, note: str = "") -> Paper:
    if plan is not None:
        NEXT_PLAN[paper_id] = plan  # a resubmission through the revision task reuses it
    with transaction.atomic():
        paper = Paper.objects.select_for_update().get(pk=paper_id)
        route_start(
            subject=paper,
            document_type_code=CODE,
            plan=NEXT_PLAN[paper_id],
            actor=user,
            note=note,
        )
    return paper


def paper_resubmit(*, document_id: int, user, note: str) -> Paper:
    return paper_submit(paper_id=document_id, user=user, note=note)


def register() -> None:
    register_document_type(
        DocumentType(
            code=CODE,
            model="engine_app.Paper",
            label="Тестовый документ",
            author_of=lambda paper: paper.author,
            resubmit=paper_resubmit,
            hooks=PaperHooks(),
            describe=lambda paper: f"документ «{paper.title}»",
            edit_url=lambda paper: paper.get_absolute_url(),
        )
    )
