"""What a document type's route builder produces: stages of steps, before anything is stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class StepPlan:
    kind: str  # StepKind
    participant: object | None = None  # a User, or None with ``role`` set
    role: str = ""  # resolved by the document type's hooks when the stage starts
    reason: str = ""
    task_kind: str = ""  # the document type's own task kind; empty: the engine's default
    blocking: bool = True
    deadline_days: int | None = None
    due_at: dt.datetime | None = None
    remind_days: int | None = None


@dataclass
class StagePlan:
    name: str
    steps: list[StepPlan] = field(default_factory=list)
    phase: str = ""
    rule: str = "all"  # CompletionRule
    quorum: int | None = None
    allow_return: bool = True
    allow_reject: bool = False


def participant_count(plan: list[StagePlan]) -> int:
    """Distinct people in the plan; every step still planned by role counts as one more."""
    people = {s.participant.pk for stage in plan for s in stage.steps if s.participant is not None}
    roles = sum(1 for stage in plan for s in stage.steps if s.participant is None)
    return len(people) + roles
