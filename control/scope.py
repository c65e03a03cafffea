"""Whose documents a viewer of the control pages sees: their department subtree; the general
director and the «вся корреспонденция» role see everything. Someone who heads nothing sees none."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from correspondence.roles import ALL_CORRESPONDENCE
from workflow.roles import GENERAL_DIRECTOR
from workflow.selectors import has_role, subordinate_department_ids


@dataclass(frozen=True)
class Scope:
    everything: bool
    department_ids: tuple[int, ...] = ()

    def sql(self, employee_alias: str = "e") -> tuple[str, list]:
        """A WHERE fragment on the holder's employee row, and its parameters."""
        if self.everything:
            return "TRUE", []
        return f"{employee_alias}.department_id = ANY(%s)", [list(self.department_ids)]


def scope_for(user) -> Scope | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser or has_role(user, GENERAL_DIRECTOR) or has_role(user, ALL_CORRESPONDENCE):
        return Scope(everything=True)
    departments = subordinate_department_ids(user)
    if not departments:
        return None
    return Scope(everything=False, department_ids=tuple(sorted(departments)))


def scope_or_404(user) -> Scope:
    scope = scope_for(user)
    if scope is None:
        raise Http404  # the page does not exist for someone who heads nothing
    return scope
