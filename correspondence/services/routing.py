"""Who takes each step of an incoming letter's route, and starting a stage of the route."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from correspondence import roles
from correspondence.models import IncomingLetter, IncomingStatus, StepRole
from workflow.models import Department, HistoryAction, Task, TaskStatus
from workflow.selectors import tasks_of, users_with_role
from workflow.services import display_name, history_record, task_cancel, task_create

User = get_user_model()

KIND_RESOLUTION = "correspondence.resolution"
KIND_REVIEW = "correspondence.review"
KIND_ASSIGN = "correspondence.assign_executor"
KIND_EXECUTE = "correspondence.execute"
ROUTE_KINDS = (KIND_RESOLUTION, KIND_REVIEW, KIND_ASSIGN, KIND_EXECUTE)


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


def role_assignee(letter: IncomingLetter, role: str):
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
        return letter.responsible
    raise ValueError(f"unknown route role {role!r}")


def letter_due_at(letter: IncomingLetter) -> dt.datetime:
    """Every task of the letter is due at 18:00 on its control date."""
    return timezone.make_aware(dt.datetime.combine(letter.control_date, dt.time(18, 0)))


def _task(letter: IncomingLetter, *, kind: str, title: str, assignee, actor) -> Task:
    return task_create(
        kind=kind,
        title=title,
        assignee=assignee,
        subject=letter,
        due_at=letter_due_at(letter),
        created_by=actor,
        description=letter.summary,
        remind_working_days=letter.reminder_working_days,
    )


def execute_task_create(letter: IncomingLetter, *, actor) -> Task:
    return _task(
        letter,
        kind=KIND_EXECUTE,
        title=_("Исполнить письмо %(number)s: %(subject)s")
        % {"number": letter.reg_number, "subject": letter.subject},
        assignee=letter.responsible,
        actor=actor,
    )


def _assigner(letter: IncomingLetter):
    department = addressee_department(letter)
    if department is not None and department.head_id:
        return department.head
    return users_with_role(roles.GENERAL_DIRECTOR).first() or letter.registered_by


def _transition(letter: IncomingLetter, method, *, actor, description: str) -> None:
    before = letter.status
    method()
    if letter.status != before:
        history_record(
            subject=letter,
            actor=actor,
            action=HistoryAction.TRANSITION,
            description=description,
            from_state=before,
            to_state=letter.status,
        )


def stage_start(letter: IncomingLetter, index: int, *, actor) -> None:
    """Give every participant of stage ``index`` their task and move the letter's status."""
    plan = letter.route_plan
    if index >= len(plan):
        return
    letter.route_stage = index
    kinds: set[str] = set()
    for role in plan[index]:
        if role == StepRole.RESPONSIBLE:
            if letter.responsible_id:
                execute_task_create(letter, actor=actor)
                kinds.add(KIND_EXECUTE)
            else:
                _task(
                    letter,
                    kind=KIND_ASSIGN,
                    title=_("Назначить исполнителя по письму %(number)s: %(subject)s")
                    % {"number": letter.reg_number, "subject": letter.subject},
                    assignee=_assigner(letter),
                    actor=actor,
                )
                kinds.add(KIND_ASSIGN)
            continue
        assignee = role_assignee(letter, role)
        if assignee is None:
            history_record(
                subject=letter,
                actor=actor,
                action=HistoryAction.ASSIGNMENT,
                description=_("Шаг «%(role)s» пропущен: сотрудник не найден")
                % {"role": StepRole(role).label},
            )
            continue
        kind = KIND_RESOLUTION if role == StepRole.GENERAL_DIRECTOR else KIND_REVIEW
        title = (
            _("Рассмотреть письмо %(number)s и дать резолюцию: %(subject)s")
            if kind == KIND_RESOLUTION
            else _("Рассмотреть письмо %(number)s: %(subject)s")
        )
        _task(
            letter,
            kind=kind,
            title=title % {"number": letter.reg_number, "subject": letter.subject},
            assignee=assignee,
            actor=actor,
        )
        kinds.add(kind)
    if KIND_EXECUTE in kinds:
        _transition(
            letter,
            letter.start_work,
            actor=actor,
            description=_("Письмо передано на исполнение: %(who)s")
            % {"who": display_name(letter.responsible)},
        )
    elif KIND_ASSIGN in kinds:
        _transition(
            letter,
            letter.await_assignment,
            actor=actor,
            description=_("Ожидается назначение исполнителя"),
        )
    elif kinds:
        _transition(
            letter, letter.send_for_review, actor=actor, description=_("Письмо на рассмотрении")
        )
    else:  # nobody to take this stage: go on with the next one
        stage_start(letter, index + 1, actor=actor)
        return
    letter.save()


def open_route_tasks(letter: IncomingLetter):
    return tasks_of(letter).filter(kind__in=ROUTE_KINDS, status=TaskStatus.OPEN)


def route_continue(letter: IncomingLetter, *, actor) -> None:
    """After a route task closed: when the stage has no open task left, start the next one."""
    if letter.status not in (IncomingStatus.IN_REVIEW, IncomingStatus.REGISTERED):
        return
    if open_route_tasks(letter).exists():
        return
    stage_start(letter, letter.route_stage + 1, actor=actor)


def route_tasks_withdraw(letter: IncomingLetter, *, reason: str) -> None:
    for task in open_route_tasks(letter):
        task_cancel(task_id=task.pk, reason=reason)
