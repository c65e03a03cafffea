"""The route of an incoming letter on the shared route engine.

The builder is the category's route rule (``RouteRule``/``RouteStep``, edited in the admin): its
steps grouped into stages, each step planned by role and resolved to a person when its stage
starts. The general director's step is a resolution (its own task kind), the responsible
employee's step is the execution (its own task kind; without a responsible employee, the head of
the addressee department first gets «Назначить исполнителя», and the choice adds the execute step),
every other role reviews through the engine's review kind («Рассмотрено» / «Есть возражения»).
The letter's state follows the route through the hooks below."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from correspondence import roles
from correspondence.models import (
    DEFAULT_PLAN,
    IncomingLetter,
    IncomingStatus,
    ReviewWithExecution,
    RouteRule,
    StepRole,
)
from correspondence.services.filing import letter_file_into_folders
from workflow.models import Department, StepKind, StepStatus
from workflow.models.routes import Decision
from workflow.routes.plan import StagePlan, StepPlan
from workflow.routes.registry import RouteHooks
from workflow.routes.services import STEP_TASK_KINDS
from workflow.selectors import users_with_role
from workflow.services import display_name, notification_send
from workflow.transitions import transition_apply

DOC_TYPE = "correspondence.incoming"
KIND_RESOLUTION = "correspondence.resolution"
KIND_ASSIGN = "correspondence.assign_executor"
KIND_EXECUTE = "correspondence.execute"
KIND_REVIEW = STEP_TASK_KINDS[StepKind.REVIEW]  # the engine's own review

PHASE_EXECUTION = "execution"
PHASE_RESOLUTION = "resolution"
PHASE_REVIEW = "review"


def describe(letter: IncomingLetter) -> str:
    return _("входящее № %(number)s: %(subject)s") % {
        "number": letter.reg_number,
        "subject": letter.subject,
    }


def letter_due_at(control_date: dt.date) -> dt.datetime:
    """Every task of the letter is due at 18:00 on its control date."""
    return timezone.make_aware(dt.datetime.combine(control_date, dt.time(18, 0)))


# --- who takes each role -------------------------------------------------------------------------


def addressee_department(letter: IncomingLetter) -> Department | None:
    """The department the letter is addressed to: chosen at registration, else the top
    department of the addressee legal entity."""
    if letter.addressee_department_id:
        return letter.addressee_department
    departments = list(
        Department.objects.filter(legal_entity_id=letter.legal_entity_id).select_related(
            "parent", "head"
        )
    )
    for department in departments:
        if department.parent is None or department.parent.legal_entity_id != letter.legal_entity_id:
            return department
    return None


def role_person(letter: IncomingLetter, role: str):
    """The person who takes ``role`` on ``letter`` (saved or not: the admin preview asks too)."""
    if role == StepRole.GENERAL_DIRECTOR:
        return users_with_role(roles.GENERAL_DIRECTOR).first()
    if role == StepRole.LAWYER:
        return users_with_role(roles.LAWYER).first()
    if role == StepRole.DIRECTOR:
        directors = users_with_role(roles.DIRECTOR)
        return (
            directors.filter(employee__department__legal_entity_id=letter.legal_entity_id).first()
            or directors.first()
        )
    if role == StepRole.DEPARTMENT_HEAD:
        department = addressee_department(letter)
        return department.head if department and department.head_id else None
    if role == StepRole.RESPONSIBLE:
        return letter.responsible if letter.responsible_id else None
    raise ValueError(f"unknown route role {role!r}")


def assigner(letter: IncomingLetter):
    """Who names the executor when the registrar did not: the head of the addressee department,
    else the general director, else the registrar."""
    department = addressee_department(letter)
    if department is not None and department.head_id:
        return department.head
    return users_with_role(roles.GENERAL_DIRECTOR).first() or (
        letter.registered_by if letter.registered_by_id else None
    )


# --- the builder ---------------------------------------------------------------------------------


def rule_for(category: str) -> RouteRule | None:
    return (
        RouteRule.objects.filter(category=category, is_active=True)
        .prefetch_related("steps")
        .first()
    )


# each role's step: its kind and the task kind it opens (others: the engine's own review)
ROLE_STEPS = {
    StepRole.RESPONSIBLE: (StepKind.EXECUTE, KIND_EXECUTE),
    StepRole.GENERAL_DIRECTOR: (StepKind.REVIEW, KIND_RESOLUTION),
}


def stage_of(stage_roles: list[str]) -> tuple[str, str]:
    """A stage's name and phase, from its roles."""
    if StepRole.RESPONSIBLE in stage_roles:
        return _("Исполнение"), PHASE_EXECUTION
    if StepRole.GENERAL_DIRECTOR in stage_roles:
        return _("Резолюция"), PHASE_RESOLUTION
    return _("Рассмотрение"), PHASE_REVIEW


def incoming_plan(letter: IncomingLetter, rule: RouteRule | None) -> list[StagePlan]:
    """The rule's stages (the default: the responsible employee alone), every step by role and
    due at the control date. Reviewers beside the executor block the letter or not, per rule."""
    informational = rule is None or rule.review_with_execution == ReviewWithExecution.INFORMATIONAL
    plan = []
    for stage_roles in (rule.plan() if rule else None) or DEFAULT_PLAN:
        name, phase = stage_of(stage_roles)
        steps = []
        for role in stage_roles:
            kind, task_kind = ROLE_STEPS.get(role, (StepKind.REVIEW, ""))
            beside_executor = phase == PHASE_EXECUTION and role != StepRole.RESPONSIBLE
            steps.append(
                StepPlan(
                    kind=kind,
                    role=role,
                    reason=str(StepRole(role).label),  # shown while the step waits
                    task_kind=task_kind,
                    blocking=not (beside_executor and informational),
                    due_at=letter_due_at(letter.control_date),
                    remind_days=letter.reminder_working_days,
                )
            )
        plan.append(StagePlan(name=name, steps=steps, phase=phase, allow_return=False))
    return plan


# --- the letter's hooks --------------------------------------------------------------------------

# the state a started stage puts the letter in, by the task kinds it opened
MOVES = [
    (KIND_EXECUTE, "start_work", IncomingStatus.IN_WORK),
    (KIND_ASSIGN, "await_assignment", IncomingStatus.ASSIGNING),
]


def letter_move(letter: IncomingLetter, name: str, target: str, *, actor, description: str):
    """Run transition ``name`` unless the letter is there already or past it (a review stage
    after the execution leaves the letter «на исполнении» until the route completes)."""
    if letter.status == target or not can_proceed(getattr(letter, name)):
        return
    transition_apply(letter, name, actor=actor, description=description)


def execution_description(person) -> str:
    return _("Письмо передано на исполнение: %(who)s") % {"who": display_name(person)}


class IncomingHooks(RouteHooks):
    def resolve_step(self, letter, *, step):
        if step.role != StepRole.RESPONSIBLE:
            person = role_person(letter, step.role)
        elif letter.responsible_id:
            person = letter.responsible
        else:  # nobody named yet: the head names the executor, which adds the execute step
            step.kind = StepKind.REVIEW
            step.task_kind = KIND_ASSIGN
            step.reason = _("Назначение исполнителя")
            return assigner(letter)
        if person is not None:
            step.reason = ""  # the person's name and position say it now
        return person

    def task_title(self, letter, *, step) -> str:
        titles = {
            KIND_RESOLUTION: _("Рассмотреть письмо %(number)s и дать резолюцию: %(subject)s"),
            KIND_ASSIGN: _("Назначить исполнителя по письму %(number)s: %(subject)s"),
            KIND_EXECUTE: _("Исполнить письмо %(number)s: %(subject)s"),
        }
        title = titles.get(step.task_kind, _("Рассмотреть письмо %(number)s: %(subject)s"))
        return title % {"number": letter.reg_number, "subject": letter.subject}

    def task_description(self, letter, *, step) -> str:
        """The summary; the executor also reads the resolution and every objection so far."""
        parts = [letter.summary] if letter.summary else []
        if step.task_kind == KIND_EXECUTE:
            if letter.resolution:
                parts.append(_("Резолюция: %(text)s") % {"text": letter.resolution})
            objections = step.route.steps.filter(decision=Decision.OBJECT).select_related(
                "decided_by"
            )
            parts += [
                _("Возражения (%(who)s): %(comment)s")
                % {"who": display_name(o.decided_by), "comment": o.comment}
                for o in objections
            ]
        return "\n\n".join(parts)

    def on_stage_started(self, letter, *, route, stage, actor) -> None:
        opened = {s.task_kind for s in stage.steps.all() if s.status == StepStatus.PENDING}
        if not opened:
            return  # nobody took the stage: the engine goes on with the next one
        for kind, name, target in MOVES:
            if kind in opened:
                description = (
                    execution_description(letter.responsible)
                    if kind == KIND_EXECUTE
                    else _("Ожидается назначение исполнителя")
                )
                letter_move(letter, name, target, actor=actor, description=description)
                return
        letter_move(
            letter,
            "send_for_review",
            IncomingStatus.IN_REVIEW,
            actor=actor,
            description=_("Письмо на рассмотрении"),
        )

    def on_step_decided(self, letter, *, route, step, actor) -> None:
        """An objection reaches the executor and the registrar, whoever decided when."""
        if step.decision != Decision.OBJECT:
            return
        people = {p.pk: p for p in (letter.responsible, letter.registered_by) if p is not None}
        for person in people.values():
            if actor is not None and person.pk == actor.pk:
                continue
            notification_send(
                recipient=person,
                text=_("Возражения по письму %(number)s (%(who)s): %(comment)s")
                % {
                    "number": letter.reg_number,
                    "who": display_name(actor) if actor else _("Система"),
                    "comment": step.comment,
                },
                url=letter.get_absolute_url(),
            )

    def on_route_completed(self, letter, *, route, actor) -> None:
        """Every blocking step is done: the letter on execution is executed with the executor's
        report, filed, and the registrar told. (A letter whose reply is being prepared closes
        when the reply is sent.)"""
        if letter.status != IncomingStatus.IN_WORK:
            return
        executed = (
            route.steps.filter(round=route.round, kind=StepKind.EXECUTE, decision=Decision.DONE)
            .order_by("-decided_at", "-id")
            .first()
        )
        transition_apply(
            letter,
            "execute",
            actor=actor,
            description=_("Письмо исполнено, ответ не требуется"),
            report=executed.comment if executed else "",
        )
        letter_file_into_folders(letter)
        if actor is None or letter.registered_by_id != actor.pk:
            notification_send(
                recipient=letter.registered_by,
                text=_("Письмо %(number)s исполнено") % {"number": letter.reg_number},
                url=letter.get_absolute_url(),
            )
