"""Sorting a list by a column that may be an expression (a status in workflow order)."""

from __future__ import annotations

from django.db.models import Case, F, Func, IntegerField, Value, When


def workflow_rank(field: str, states: list[str]) -> Case:
    """A status sorted by its place in the workflow, not by its internal code."""
    return Case(
        *[When(**{field: state}, then=Value(rank)) for rank, state in enumerate(states)],
        default=Value(len(states)),
        output_field=IntegerField(),
    )


def ordered(fields, descending: bool, *, unindexed: bool = False) -> list:
    """``order_by`` arguments for ``fields`` (names or expressions), all one direction.

    ``unindexed``: the first column is sorted as ``COALESCE(col, col)``, the same order that no
    index serves. For a text search: the planner cannot estimate how many rows a ``LIKE
    '%…%'`` matches, and when it guesses hundreds it walks the date index of a million letters
    looking for the first 25 of the 30 that match (a second per page); sorting the matches
    themselves costs what counting them costs."""
    result = []
    for position, field in enumerate(fields):
        expression = F(field) if isinstance(field, str) else field
        if unindexed and position == 0 and isinstance(field, str):
            expression = Func(expression, expression, function="COALESCE")
        result.append(expression.desc() if descending else expression.asc())
    return result
