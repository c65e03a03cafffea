"""Sorting a list by a column that may be an expression (a status in workflow order)."""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, Value, When


def workflow_rank(field: str, states: list[str]) -> Case:
    """A status sorted by its place in the workflow, not by its internal code."""
    return Case(
        *[When(**{field: state}, then=Value(rank)) for rank, state in enumerate(states)],
        default=Value(len(states)),
        output_field=IntegerField(),
    )


def ordered(fields, descending: bool) -> list:
    """``order_by`` arguments for ``fields`` (names or expressions), all one direction."""
    result = []
    for field in fields:
        expression = F(field) if isinstance(field, str) else field
        result.append(expression.desc() if descending else expression.asc())
    return result
