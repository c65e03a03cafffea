"""The demo memos: one in each state of the flow, loaded once."""

from django.core.management import call_command

from memos.models import Memo
from memos.route import KIND_DECIDE
from workflow.selectors import tasks_for


def test_demo_shows_the_memo_flow_and_loads_once(db, settings):
    """GIVEN the demo loaded twice THEN five memos: at the general director's decision,
    returned, in execution, declined and a draft; the general director has the decision task."""
    settings.DEBUG = True
    call_command("demo_data", stdout=None)
    call_command("demo_data", stdout=None)
    states = sorted(Memo.objects.values_list("status", flat=True))
    assert states == ["declined", "draft", "execution", "returned", "review"]
    gendir = Memo.objects.get(status="review").addressee
    assert tasks_for(gendir).filter(kind=KIND_DECIDE).count() == 1
