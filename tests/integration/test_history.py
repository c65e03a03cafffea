import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, transaction
from django.template.loader import render_to_string

from tests.helpers import give
from workflow import selectors, services
from workflow.models import HistoryEntry


def test_history_cannot_be_rewritten_or_deleted(org):
    """GIVEN a history entry WHEN anyone updates or deletes it in the database
    THEN PostgreSQL refuses: the log is append-only."""
    task = give(org["sales_head"], org["seller"])
    entry = selectors.history_of(task).get()
    errors = (InternalError, ProgrammingError, IntegrityError)
    with pytest.raises(errors, match="append-only"), transaction.atomic():
        HistoryEntry.objects.filter(pk=entry.pk).update(description="подделка")
    with pytest.raises(errors, match="append-only"), transaction.atomic():
        HistoryEntry.objects.filter(pk=entry.pk).delete()
    assert HistoryEntry.objects.get(pk=entry.pk).description == entry.description


def test_timeline_shows_who_did_what_in_order(org):
    """GIVEN a task that was assigned and then completed with a comment
    THEN the timeline lists both, oldest first, with the actor and the comment."""
    task = give(org["sales_head"], org["seller"], "Проверить договор")
    services.task_complete(task_id=task.pk, user=org["seller"], outcome="done", comment="Ок")
    entries = selectors.history_of(task)
    html = render_to_string("workflow/_timeline.html", {"entries": entries})
    assert [e.action for e in entries] == ["task", "task"]  # task bookkeeping
    assert html.index("назначено") < html.index("выполнено")
    assert "«Ок»" in html
    assert org["seller"].get_full_name() in html
