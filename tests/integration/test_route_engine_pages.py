"""The shared route engine, continued: the participant cap, what history records, the generic
task page and the route panel, ``transition_apply``, acknowledgement stages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_fsm import TransitionNotAllowed

from tests.engine_app import paper as paper_type
from tests.engine_app.driving import decide, open_task, reload, stage, submit
from tests.engine_app.models import Paper
from workflow.models import (
    Decision,
    HistoryAction,
    HistoryEntry,
    RouteSettings,
    RouteStep,
    StageStatus,
    StepKind,
    Task,
    TaskStatus,
)
from workflow.routes.plan import StepPlan
from workflow.routes.selectors import route_view
from workflow.routes.services import (
    route_of,
    step_decide,
)
from workflow.selectors import history_of
from workflow.services import display_name


@pytest.fixture
def paper(org):
    return Paper.objects.create(title="Положение о премировании", author=org["seller"])


# --- the participant cap -------------------------------------------------------------------------


@pytest.fixture
def crowd(org):
    from tests.factories import employee

    return [employee(f"approver{i}", org["departments"]["sales"]) for i in range(16)]


def test_a_route_over_the_cap_is_refused_with_the_figures(org, paper, crowd):
    """GIVEN the default cap of 15 WHEN a route of 16 people is submitted THEN it is refused
    with a Russian message naming 16 and 15, and nothing was started."""
    with pytest.raises(ValidationError) as refused:
        submit(paper, [stage("Все", *crowd)])
    assert (
        "16 участников" in refused.value.messages[0] and "не более 15" in refused.value.messages[0]
    )
    assert route_of(paper) is None and reload(paper).state == "draft"


def test_the_admin_may_admit_an_over_cap_route_with_a_warning(org, paper, crowd):
    """GIVEN the document type set to «warn» THEN a 16-person route starts with a warning that
    the card shows."""
    RouteSettings.objects.create(document_type=paper_type.CODE, over_cap="warn")
    submit(paper, [stage("Все", *crowd)])
    assert "16 участников" in route_of(paper).warning
    assert Task.objects.filter(object_id=paper.pk, status=TaskStatus.OPEN).count() == 16


# --- history -------------------------------------------------------------------------------------


def test_each_decision_is_logged_once_and_assignments_name_who_opened_them(org, paper):
    """GIVEN a two-stage route WHEN the head approves THEN history has exactly one decision
    row for it, the task closure is bookkeeping, and the gendir's task assignment is credited to
    the head (whose decision opened it), not to the author."""
    submit(paper, [stage("Руководитель", org["sales_head"]), stage("ГД", org["gendir"])])
    decide(paper, org["sales_head"], comment="Согласен")
    entries = list(history_of(paper))
    decisions = [e for e in entries if e.action == HistoryAction.DECISION]
    assert len(decisions) == 1 and decisions[0].actor == org["sales_head"]
    assert decisions[0].comment == "Согласен"
    opened = [
        e
        for e in entries
        if e.action == HistoryAction.TASK and display_name(org["gendir"]) in e.description
    ]
    assert len(opened) == 1 and opened[0].actor == org["sales_head"]
    assert [e.action for e in entries].count(HistoryAction.TRANSITION) == 1  # the submission


def test_a_return_is_logged_as_a_return_not_as_done(org, paper):
    """GIVEN an approver returning the document THEN the task's bookkeeping says «возвращено на
    доработку» and the decision row says who returned it, with the comment."""
    submit(paper, [stage("Руководитель", org["sales_head"])])
    decide(paper, org["sales_head"], Decision.RETURN, "Нет подписи")
    descriptions = [e.description for e in history_of(paper)]
    assert any("закрыто: Возвращено на доработку" in d for d in descriptions)
    assert not any(d.endswith("выполнено") for d in descriptions)
    decision = HistoryEntry.objects.get(action=HistoryAction.DECISION)
    assert decision.description.startswith("Возвращено на доработку") and decision.comment


# --- the generic task page -----------------------------------------------------------------------


def test_task_page_offers_the_steps_decisions_and_says_what_was_decided(client, org, paper):
    """GIVEN an approval task WHEN the approver opens it THEN the form offers «Согласовать» and
    «Вернуть на доработку»; a return without a comment is refused on the form; a return with one
    is saved and the message says «Возвращено на доработку»."""
    submit(paper, [stage("Руководитель", org["sales_head"])])
    task = open_task(paper, org["sales_head"])
    client.force_login(org["sales_head"])
    url = reverse("workflow:task-detail", args=[task.pk])
    page = client.get(url).content.decode()
    assert "Согласовать" in page and "Вернуть на доработку" in page and "Отклонить" not in page
    refused = client.post(url, {"decision": "return", "comment": ""})
    assert "Напишите комментарий" in refused.content.decode()
    assert reload(paper).state == "approval"
    done = client.post(url, {"decision": "return", "comment": "Нет подписи"}, follow=True)
    assert "Решение «Возвращено на доработку» сохранено." in done.content.decode()
    assert reload(paper).state == "returned"


def test_a_stale_decision_is_refused_with_a_message(org, paper):
    """GIVEN a step already decided THEN deciding it again is refused (TransitionNotAllowed)."""
    submit(paper, [stage("Руководитель", org["sales_head"]), stage("ГД", org["gendir"])])
    task = open_task(paper, org["sales_head"])
    step_decide(task_id=task.pk, user=org["sales_head"], decision=Decision.APPROVE)
    with pytest.raises(TransitionNotAllowed):
        step_decide(task_id=task.pk, user=org["sales_head"], decision=Decision.APPROVE)


def test_the_route_panel_shows_whom_we_wait_for(client, org, paper):
    """GIVEN a running route THEN the route panel says «Ждём: <name>, срок …» and the stages."""
    from django.template.loader import render_to_string

    submit(paper, [stage("Руководитель", org["sales_head"]), stage("ГД", org["gendir"])])
    html = render_to_string("workflow/_route.html", {"route": route_view(paper)})
    assert "Ждём:" in html and display_name(org["sales_head"]) in html and "срок" in html
    assert 'aria-current="step"' in html and "ГД" in html
    assert route_view(paper).current.stages[1].state == "next"
    assert route_view(paper).current.stages[0].stage.status == StageStatus.ACTIVE


# --- transition_apply ----------------------------------------------------------------------------


def test_transition_apply_checks_state_and_permission_and_logs_once(org, paper):
    """GIVEN a draft paper THEN «approve» (not allowed from a draft) is refused in Russian,
    «submit» by someone other than the author is refused, and the author's submit changes the
    state with exactly one history row naming them."""
    from workflow.transitions import transition_apply

    with pytest.raises(TransitionNotAllowed, match="Действие недоступно"):
        transition_apply(paper, "approve", actor=org["gendir"])
    with pytest.raises(PermissionDenied):
        transition_apply(paper, "submit", actor=org["lawyer"])
    assert reload(paper).state == "draft" and not history_of(paper).exists()
    transition_apply(paper, "submit", actor=org["seller"], comment="Прошу согласовать")
    (entry,) = history_of(paper)
    assert (reload(paper).state, entry.actor, entry.from_state, entry.to_state) == (
        "approval",
        org["seller"],
        "draft",
        "approval",
    )
    assert entry.comment == "Прошу согласовать"


def test_an_acknowledgement_stage_completes_when_everyone_has_read(org, paper):
    """GIVEN an acknowledgement stage of two readers THEN each answers «Ознакомлен(а)» (the only
    choice), and the route completes after the second."""
    readers = [
        StepPlan(kind=StepKind.ACKNOWLEDGE, participant=p) for p in (org["lawyer"], org["office"])
    ]
    submit(paper, [stage("Ознакомление", *readers, allow_return=False)])
    step = RouteStep.objects.get(participant=org["lawyer"])
    from workflow.routes.services import allowed_decisions

    assert allowed_decisions(step) == [Decision.ACKNOWLEDGE]
    decide(paper, org["lawyer"], Decision.ACKNOWLEDGE)
    assert reload(paper).state == "approval"
    decide(paper, org["office"], Decision.ACKNOWLEDGE)
    assert reload(paper).state == "approved"
