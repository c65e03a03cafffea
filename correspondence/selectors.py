"""Reads with rules: which letters a user may see, the register query, a letter's card data."""

from __future__ import annotations

import rules
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from correspondence import roles
from correspondence.models import (
    IncomingLetter,
    LetterFile,
    OutgoingLetter,
    ReviewWithExecution,
    StepRole,
)
from correspondence.services.incoming.route import PHASE_EXECUTION
from workflow import registry
from workflow.models import Task
from workflow.selectors import has_role, subordinate_department_ids, tasks_of


def _sees_everything(user) -> bool:
    return has_role(user, roles.GENERAL_DIRECTOR) or has_role(user, roles.ALL_CORRESPONDENCE)


def _participant_tasks(user, model, department_ids: set[int]) -> QuerySet:
    condition = Q(assignee=user) | Q(original_assignee=user)
    if department_ids:
        condition |= Q(assignee__employee__department_id__in=department_ids) | Q(
            original_assignee__employee__department_id__in=department_ids
        )
    return Task.objects.filter(
        condition, content_type=ContentType.objects.get_for_model(model)
    ).values("object_id")


def incoming_visible_to(user) -> QuerySet:
    """Letters ``user`` may open: registered by them, with a task of theirs (now or before),
    those of people in the departments they head, or all for the general director and the
    «all correspondence» role."""
    if not user.is_authenticated:
        return IncomingLetter.objects.none()
    if _sees_everything(user):
        return IncomingLetter.objects.all()
    department_ids = subordinate_department_ids(user)
    condition = Q(registered_by=user) | Q(
        pk__in=_participant_tasks(user, IncomingLetter, department_ids)
    )
    if department_ids:
        condition |= Q(registered_by__employee__department_id__in=department_ids)
    return IncomingLetter.objects.filter(condition)


def outgoing_visible_to(user) -> QuerySet:
    """Outgoing letters: their author and executor, participants of their tasks and the heads
    above them, and everyone who may see the incoming letter they answer."""
    if not user.is_authenticated:
        return OutgoingLetter.objects.none()
    if _sees_everything(user):
        return OutgoingLetter.objects.all()
    department_ids = subordinate_department_ids(user)
    condition = (
        Q(author=user)
        | Q(executor=user)
        | Q(pk__in=_participant_tasks(user, OutgoingLetter, department_ids))
        | Q(in_reply_to__in=incoming_visible_to(user).values("pk"))
    )
    if department_ids:
        condition |= Q(author__employee__department_id__in=department_ids) | Q(
            executor__employee__department_id__in=department_ids
        )
    return OutgoingLetter.objects.filter(condition)


def user_may_download(user, stored_file) -> bool:
    """Storage asks this: may ``user`` fetch a file? Yes if they may see a letter holding it."""
    links = LetterFile.objects.filter(stored_file=stored_file)
    incoming_ids = [i for i in links.values_list("incoming_id", flat=True) if i]
    outgoing_ids = [o for o in links.values_list("outgoing_id", flat=True) if o]
    return (
        bool(incoming_ids) and incoming_visible_to(user).filter(pk__in=incoming_ids).exists()
    ) or (bool(outgoing_ids) and outgoing_visible_to(user).filter(pk__in=outgoing_ids).exists())


def visible_incoming_ids(user, ids: list[int]) -> set[int]:
    return set(incoming_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def visible_outgoing_ids(user, ids: list[int]) -> set[int]:
    return set(outgoing_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def register_queryset(user) -> QuerySet:
    return incoming_visible_to(user).select_related(
        "legal_entity", "counterparty", "responsible", "journal"
    )


def letter_files(letter) -> QuerySet:
    return LetterFile.objects.filter(
        **{"incoming" if isinstance(letter, IncomingLetter) else "outgoing": letter}
    ).select_related("stored_file", "added_by")


def card_tasks(letter, user) -> list[Task]:
    """The letter's tasks for its card, each with its kind's label and ``may_open``: whether
    ``user`` may open the task page (``workflow.view_task``; the assignee's employee comes with
    the task and the rule reads the viewer's departments once, so the card's queries stay
    constant)."""
    tasks = list(tasks_of(letter).select_related("parent", "created_by", "assignee__employee"))
    for task in tasks:
        try:
            task.kind_label = registry.task_kind(task.kind).label
        except LookupError:
            task.kind_label = task.kind
        task.may_open = rules.has_perm("workflow.view_task", user, task)
    return tasks


def reviews_with_execution(route_view) -> str:
    """How reviewers beside the executor treat the letter («для сведения» / «обязательно»), read
    from the route's own steps; empty when nobody reviews beside the executor."""
    if route_view is None:
        return ""
    for stage in route_view.current.stages:
        if stage.stage.phase != PHASE_EXECUTION:
            continue
        reviewers = [s for s in stage.steps if s.role and s.role != StepRole.RESPONSIBLE]
        if reviewers:
            blocking = any(s.blocking for s in reviewers)
            mode = ReviewWithExecution.MANDATORY if blocking else ReviewWithExecution.INFORMATIONAL
            return str(mode.label)
    return ""
