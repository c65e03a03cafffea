"""Reads with rules: which letters a user may see, the register query, a letter's card data."""

from __future__ import annotations

import rules
from django.db.models import QuerySet

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
from workflow.access import access_tokens, accessible_count_floor, accessible_ids
from workflow.models import Task
from workflow.selectors import has_role, subordinate_department_ids, tasks_of


def _sees_everything(user) -> bool:
    return has_role(user, roles.GENERAL_DIRECTOR) or has_role(user, roles.ALL_CORRESPONDENCE)


def _visible(model, user, by_tokens: bool) -> QuerySet:
    if not user.is_authenticated:
        return model.objects.none()
    if _sees_everything(user):
        return model.objects.all()
    if by_tokens:
        # the same access rows, as the tokens the letter carries (kept by the database in the
        # transaction that changes them): a text search meets them inside the subject's index
        return model.objects.filter(access_tokens__overlap=access_tokens(user))
    departments = subordinate_department_ids(user)
    return model.objects.filter(pk__in=accessible_ids(user, model, departments))


def incoming_visible_to(user, *, by_tokens: bool = False) -> QuerySet:
    """Letters ``user`` may open: those the access table opens to them (registered by them, a
    task of theirs now or before, the reply to our letter they execute), or to the departments
    they head; all for the general director and the «all correspondence» role.

    ``by_tokens``: the same rule read from the letters' access tokens instead of a semi-join on
    the access table; for the register's lists (``register_queryset``)."""
    return _visible(IncomingLetter, user, by_tokens)


def outgoing_visible_to(user, *, by_tokens: bool = False) -> QuerySet:
    """Outgoing letters: their author and executor, participants of their tasks, everyone who
    may see the incoming letter they answer (rows copied from it) and the heads above them, all
    from the access table; all for the role-wide readers. ``by_tokens`` as for incoming."""
    return _visible(OutgoingLetter, user, by_tokens)


def unfiltered_count_floor(user, model):
    """For a register without filters: a cheap lower bound of its count (``floor(cap)``), or None
    where counting is cheap anyway (someone who sees every letter counts the table itself)."""
    if not user.is_authenticated or _sees_everything(user):
        return None
    departments = subordinate_department_ids(user)
    return lambda cap: accessible_count_floor(user, model, departments, cap)


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


def register_rows_rule(user, model) -> QuerySet | None:
    """The exact rule the register's page rows are checked by (the access table), since its
    lists read the letters' tokens; None for those who see every letter."""
    if user.is_authenticated and _sees_everything(user):
        return None
    return _visible(model, user, by_tokens=False)


def register_queryset(user) -> QuerySet:
    """The register's letters: visibility from the letters' tokens, which the subject's trigram
    index holds too (a text search reads only the matches the viewer may open), and which a
    walk of the date index checks on the row itself instead of probing the access table."""
    return incoming_visible_to(user, by_tokens=True).select_related(
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
