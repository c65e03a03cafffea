"""Reads of the route engine for cards, registers and dashboards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from workflow.models.routes import (
    Route,
    RouteRound,
    RouteStage,
    RouteStatus,
    RouteStep,
    StageStatus,
    StepStatus,
)


@dataclass
class StageView:
    stage: RouteStage
    steps: list[RouteStep] = field(default_factory=list)

    @property
    def state(self) -> str:
        return {
            StageStatus.DONE: "done",
            StageStatus.ACTIVE: "current",
            StageStatus.WAITING: "next",
        }.get(self.stage.status, "cancelled")


@dataclass
class RoundView:
    round: RouteRound
    stages: list[StageView] = field(default_factory=list)

    @property
    def steps(self) -> list[RouteStep]:
        return [step for stage in self.stages for step in stage.steps]


@dataclass
class RouteView:
    route: Route
    rounds: list[RoundView]  # the latest first

    @property
    def current(self) -> RoundView:
        return self.rounds[0]

    @property
    def earlier(self) -> list[RoundView]:
        return self.rounds[1:]

    @property
    def active_stage(self) -> StageView | None:
        return next((s for s in self.current.stages if s.state == "current"), None)

    @property
    def waiting(self) -> list[RouteStep]:
        """Whom the document waits for: the open blocking steps of the current stage."""
        if self.route.status != RouteStatus.RUNNING or self.active_stage is None:
            return []
        return [s for s in self.active_stage.steps if s.blocking and s.status == StepStatus.PENDING]

    @property
    def informational(self) -> list[RouteStep]:
        """Open «для сведения» steps: they don't hold the document."""
        return [s for s in self.current.steps if not s.blocking and s.status == StepStatus.PENDING]

    @property
    def waiting_due(self) -> dt.datetime | None:
        dues = [s.due_at for s in self.waiting if s.due_at is not None]
        return min(dues) if dues else None

    @property
    def waiting_overdue(self) -> bool:
        due = self.waiting_due
        return due is not None and due < timezone.now()

    @property
    def skipped_before(self) -> int:
        """Stages not repeated in the current round (it restarted from the returning stage)."""
        return self.current.round.first_stage


def route_view(subject) -> RouteView | None:
    """The whole route of a document, every round, in four queries."""
    route = (
        Route.objects.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
        )
        .select_related("author")
        .first()
    )
    if route is None:
        return None
    rounds = {r.number: RoundView(r) for r in route.rounds.select_related("started_by")}
    stages: dict[int, StageView] = {}
    for stage in route.stages.order_by("round", "order"):
        view = StageView(stage)
        stages[stage.pk] = view
        if stage.round in rounds:
            rounds[stage.round].stages.append(view)
    steps = route.steps.select_related(
        "participant__employee", "deputy", "decided_by", "task", "added_by"
    ).order_by("round", "order", "id")
    for step in steps:
        if step.stage_id in stages:
            stages[step.stage_id].steps.append(step)
    ordered = [rounds[n] for n in sorted(rounds, reverse=True)]
    if not ordered:
        return None
    return RouteView(route=route, rounds=ordered)


def route_step_of_task(task) -> RouteStep | None:
    return RouteStep.objects.select_related("stage", "route").filter(task=task).first()
