"""The inbox's rows are written in Python (``workflow.inbox_rows``): they must be the HTML the
row template gave, for every state a task shows (overdue, no deadline, snoozed, a deputy's, with
a document, on the team tab), in Russian and in English."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.utils import timezone, translation

from tests.engine_app.models import Paper
from tests.helpers import give
from workflow.inbox_rows import render_rows
from workflow.models import Task
from workflow.selectors import subordinate_tasks, tasks_for
from workflow.services import INSTRUCTION, task_create

# the row loop of workflow/task_list.html before the rows moved to Python
ROW_TEMPLATE = """{% load i18n workflow_tags %}{% for task in tasks %}
ROWS
{% endfor %}"""


@pytest.fixture
def tasks(org):
    seller = org["seller"]
    give(org["sales_head"], seller, "Просроченное <срочно> & важно", due_in_days=-2)
    give(org["sales_head"], seller, "Без срока")
    snoozed = give(org["sales_head"], seller, "Отложенное", due_in_days=5)
    Task.objects.filter(pk=snoozed.pk).update(snoozed_until=timezone.now() + dt.timedelta(days=2))
    deputy = give(org["sales_head"], seller, "За коллегу", due_in_days=1)
    Task.objects.filter(pk=deputy.pk).update(original_assignee=org["sales_head"])
    paper = Paper.objects.create(title="Положение «О продажах»", author=org["gendir"])
    task_create(kind=INSTRUCTION, title="По документу", assignee=seller, subject=paper)
    return org


@pytest.mark.parametrize("language", ["ru", "en"])
def test_rows_are_the_templates_html(tasks, language, settings):
    org = tasks
    mine = list(tasks_for(org["seller"])) + list(tasks_for(org["seller"], snoozed=True))
    team = list(subordinate_tasks(org["sales_head"]))
    assert len(mine) == 5 and len(team) >= 5
    reference = Template(ROW_TEMPLATE.replace("ROWS", _old_row()))
    with translation.override(language):
        for tab, rows in (("mine", mine), ("snoozed", mine), ("team", team)):
            context = Context({"tasks": rows, "tab": tab, "csrf_token": "tok<en>"})
            expected = reference.render(context)
            ours = render_rows(rows, tab=tab, csrf_token="tok<en>")
            assert parse_html(ours) == parse_html(expected), tab
    if language == "en":
        assert "Overdue" in ours or "Deadline" in ours


def _old_row() -> str:
    with open(__file__.replace("test_inbox_rows.py", "inbox_row_reference.html")) as source:
        return source.read()
