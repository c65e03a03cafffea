"""Permission predicates of the engine (django-rules): who may see, complete or cancel a task."""

import rules

from workflow import roles
from workflow.selectors import has_role, subordinate_department_ids


@rules.predicate
def is_employee(user) -> bool:
    return hasattr(user, "employee")


@rules.predicate
def is_general_director(user) -> bool:
    return has_role(user, roles.GENERAL_DIRECTOR)


@rules.predicate
def is_task_assignee(user, task) -> bool:
    return task is not None and task.assignee_id == user.pk


@rules.predicate
def is_task_author(user, task) -> bool:
    return task is not None and task.created_by_id == user.pk


@rules.predicate
def is_original_assignee(user, task) -> bool:
    return task is not None and task.original_assignee_id == user.pk


def _headed_department_ids(user) -> set[int]:
    """The departments ``user`` heads, read once per user object (one request): a card checking
    each of its tasks asks the org tree once, not once per task."""
    cached = getattr(user, "_argo_headed_department_ids", None)
    if cached is None:
        cached = subordinate_department_ids(user)
        user._argo_headed_department_ids = cached
    return cached


@rules.predicate
def is_head_of_task_assignee(user, task) -> bool:
    if task is None:
        return False
    department_id = getattr(getattr(task.assignee, "employee", None), "department_id", None)
    return department_id is not None and department_id in _headed_department_ids(user)


can_view_task = rules.is_authenticated & (
    is_task_assignee
    | is_task_author
    | is_original_assignee
    | is_head_of_task_assignee
    | is_general_director
)

rules.add_perm("workflow.view_task", can_view_task)
rules.add_perm("workflow.complete_task", rules.is_authenticated & is_task_assignee)
rules.add_perm("workflow.cancel_task", rules.is_authenticated & is_task_author)
rules.add_perm("workflow.give_instruction", rules.is_authenticated & is_employee)
