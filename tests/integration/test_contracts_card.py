"""The contract card on the route engine: the route panel, the revision note, resubmission from
the route preview, task links only where the viewer may open them (in a constant number of
queries), history with «Все события», the approval sheet PDF's rows, kanban and KPI from steps."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import pdf, services
from contracts.models import Contract, ContractStatus
from contracts.testing import decide, new_contract, open_task, theatre
from tests.factories import AbsenceFactory
from workflow.models import RouteStep, Task
from workflow.routes.selectors import route_view
from workflow.services import display_name


@pytest.fixture
def t(org):
    return theatre(org)


def _away(user, deputy):
    today = dt.date.today()
    AbsenceFactory(
        employee=user, starts_on=today, ends_on=today + dt.timedelta(days=7), deputy=deputy
    )


def _card(client, user, contract, **params) -> str:
    client.force_login(user)
    url = reverse("contracts:contract-detail", args=[contract.pk])
    return client.get(url, params).content.decode()


def test_resubmission_from_the_preview_needs_the_note_and_shows_it(client, t):
    """GIVEN a contract returned by the lawyer WHEN the initiator confirms the route again without
    saying what was fixed THEN the page asks for it and keeps the contract returned; WITH the
    note THEN round 2 starts, the card shows the note and round 1's return, and the round-2 task
    of the lawyer carries the note."""
    contract = new_contract(t, contract_type=t["income"], fund=None)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    decide(contract, t["lawyer"], "return", "Нет акта сверки")
    client.force_login(t["seller"])
    url = reverse("contracts:contract-submit", args=[contract.pk])
    preview = client.get(url).content.decode()
    assert 'data-testid="revision-note-input"' in preview
    fingerprint = preview.split('name="fingerprint" value="')[1].split('"')[0]
    refused = client.post(url, {"fingerprint": fingerprint, "note": "  "})
    assert refused.status_code == 400
    assert "Напишите, что исправлено" in refused.content.decode()
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.RETURNED
    client.post(url, {"fingerprint": fingerprint, "note": "Приложил акт сверки"})
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.APPROVAL
    card = _card(client, t["seller"], contract)
    assert "Что исправлено (круг 2):</strong> Приложил акт сверки" in card
    assert "Круг 1: Возвращён на доработку" in card and "Нет акта сверки" in card
    assert "Приложил акт сверки" in open_task(contract, t["lawyer"]).description


def test_card_says_whom_the_contract_waits_for(client, t):
    """GIVEN group 1 of a contract open WHEN the initiator opens the card THEN the route panel
    names both approvers with the deadline; the old approval sheet is gone."""
    contract = new_contract(t, contract_type=t["income"], fund=None)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    card = _card(client, t["seller"], contract)
    waiting = card.split('data-testid="route-waiting"')[1].split("</p>")[0]
    assert display_name(t["lawyer"]) in waiting and display_name(t["sales_head"]) in waiting
    assert "срок" in waiting
    assert 'data-testid="approval-sheet"' not in card


def test_task_links_only_where_the_viewer_may_open_the_task(client, t):
    """GIVEN group 1's tasks (the lawyer's and the sales head's), given by the initiator
    WHEN the sales head opens the card THEN the lawyer's task is listed without a link (its page
    would answer 404 to him); the general director and the initiator, who gave it, get the link."""
    contract = new_contract(t, contract_type=t["income"], fund=None)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    lawyer_task = open_task(contract, t["lawyer"])
    link = reverse("workflow:task-detail", args=[lawyer_task.pk])
    card = _card(client, t["sales_head"], contract)
    assert link not in card and lawyer_task.title in card
    assert client.get(link).status_code == 404
    for allowed in (t["gendir"], t["seller"]):
        assert link in _card(client, allowed, contract)
        assert client.get(link).status_code == 200


def test_card_runs_a_constant_number_of_queries_whatever_the_tasks(client, t):
    """GIVEN a contract with a few tasks, then with many more (rounds returned and resubmitted)
    WHEN a head who may open some of them views the card THEN the query count stays put."""
    contract = new_contract(t, contract_type=t["income"], fund=t["comfund"])
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    client.force_login(t["comdir"])
    url = reverse("contracts:contract-detail", args=[contract.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(3):
        decide(contract, t["lawyer"], "return", f"Замечание {number}")
        services.contract_submit(contract_id=contract.pk, user=t["seller"], note=f"Ответ {number}")
    assert Task.objects.filter(object_id=contract.pk).count() >= 10
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_history_shows_decisions_and_hides_task_bookkeeping_until_asked(client, t):
    """GIVEN a contract approved by group 1 WHEN the card opens THEN history lists the submission
    and both decisions but not the task assignments; «Все события» shows those too."""
    contract = new_contract(t, contract_type=t["income"], fund=None)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    decide(contract, t["lawyer"])
    card = _card(client, t["seller"], contract)
    assert 'id="history"' in card
    assert "Отправлен на согласование: круг 1" in card
    assert f"Согласовано: {display_name(t['lawyer'])}" in card
    assert "назначено" not in card and "?history=all#history" in card
    everything = _card(client, t["seller"], contract, history="all")
    assert "назначено" in everything


def test_approval_sheet_rows_name_signers_with_positions(t):
    """GIVEN an income contract approved, its contract signed by the general director
    THEN the sheet's rows list each approver and the signer with position, decision and mark,
    and the PDF renders."""
    contract = new_contract(t, contract_type=t["income"], fund=None)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    decide(contract, t["lawyer"], "approve", "Без замечаний")
    decide(contract, t["sales_head"])
    decide(contract, t["gendir"], "sign")
    ((title, note, rows),) = pdf.sheet_rounds(route_view(contract))
    assert title == "Круг 1: Пройден" and note == ""
    by_person = {row[1]: row for row in rows}
    signer = by_person[display_name(t["gendir"])]
    assert signer[0] == "Подписание договора"
    assert signer[2] == t["gendir"].employee.position
    assert signer[3] == "Подписано" and signer[7] == "да"
    assert by_person[display_name(t["lawyer"])][8] == "Без замечаний"
    content = pdf.approval_sheet(contract, route_view(contract))
    assert content.startswith(b"%PDF")


def test_sheet_rows_say_who_decided_for_an_absent_approver(t):
    """GIVEN the lawyer away with the economist as her deputy WHEN the deputy approves
    THEN the row is the lawyer's and says the economist decided."""
    _away(t["lawyer"], t["economist"])
    contract = new_contract(t, contract_type=t["income"], fund=None)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    decide(contract, t["economist"])
    ((_title, _note, rows),) = pdf.sheet_rounds(route_view(contract))
    lawyer = next(row for row in rows if row[1] == display_name(t["lawyer"]))
    assert f"решение принял(а) {display_name(t['economist'])}" in lawyer[3]


def test_kpi_credits_the_deputy_who_really_decided(client, t):
    """GIVEN the lawyer away with the economist deciding for her, late
    THEN KPI credits one late decision to the economist and none to the lawyer."""
    _away(t["lawyer"], t["economist"])
    contract = new_contract(t, contract_type=t["income"], fund=None)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    task = open_task(contract, t["economist"])
    Task.objects.filter(pk=task.pk).update(due_at=task.created_at - dt.timedelta(minutes=1))
    decide(contract, t["economist"])
    client.force_login(t["watcher"])
    people = {row.label: row for row in client.get(reverse("contracts:kpi")).context["people"]}
    economist = people[t["economist"].get_full_name()]
    assert (economist.on_time, economist.late) == (0, 1)
    assert t["lawyer"].get_full_name() not in people
    assert RouteStep.objects.get(task=task).participant == t["lawyer"]


def test_kpi_counts_an_open_overdue_step_for_whoever_holds_it(client, t):
    """GIVEN the head's step overdue and undecided THEN KPI shows it as open overdue for him,
    and the KPI runs the same number of queries for one or many decisions."""
    contract = new_contract(t, contract_type=t["income"], fund=None)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    task = open_task(contract, t["sales_head"])
    Task.objects.filter(pk=task.pk).update(due_at=task.created_at - dt.timedelta(minutes=1))
    client.force_login(t["watcher"])
    with CaptureQueriesContext(connection) as one:
        response = client.get(reverse("contracts:kpi"))
    people = {row.label: row for row in response.context["people"]}
    assert people[t["sales_head"].get_full_name()].open_overdue == 1
    for index in range(3):
        other = new_contract(t, contract_type=t["income"], fund=None, subject=f"Показ {index}")
        services.contract_submit(contract_id=other.pk, user=t["seller"])
        decide(other, t["lawyer"])
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("contracts:kpi"))
    assert len(more.captured_queries) == len(one.captured_queries)


def test_kanban_card_names_whom_the_contract_waits_for(client, t):
    """GIVEN a contract in approval THEN its kanban card says «Ждём:» with both approvers."""
    contract = new_contract(t, contract_type=t["income"], fund=None)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    client.force_login(t["seller"])
    response = client.get(reverse("contracts:kanban"), {"contract_type": t["income"].pk})
    column = next(c for c in response.context["columns"] if c.kind == "approval")
    assert [c.pk for c in column.cards] == [contract.pk]
    assert {u.username for u in column.cards[0].waiting_for} == {"lawyer", "sales_head"}
