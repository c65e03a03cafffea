"""Shared test helpers."""

import datetime as dt

from django.utils import timezone

from workflow import services


def give(author, assignee, title="Подготовить справку", *, due_in_days=None, **kwargs):
    """An instruction task from ``author`` to ``assignee`` due ``due_in_days`` days from now."""
    due_at = None
    if due_in_days is not None:
        due_at = timezone.now() + dt.timedelta(days=due_in_days)
    return services.instruction_give(
        author=author, assignee=assignee, title=title, due_at=due_at, **kwargs
    )
