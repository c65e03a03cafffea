"""Contract pages: who sees what (404 for others), the card's inline decisions, search, the
kanban board, KPI, the approval sheet PDF, and constant query counts on list pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import Contract, ContractStatus
from contracts.testing import decide, new_contract, theatre
from tests.factories import CounterpartyFactory
from workflow.models import RouteStep, Task, TaskStatus


@pytest.fixture
def t(org):
    return theatre(org)


@pytest.fixture
def submitted(t):
    contract = new_contract(t, contract_type=t["income"], fund=t["comfund"])
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    return contract


def _login(client, user):
    client.force_login(user)
    return client


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("seller", True),  # initiator
        ("lawyer", True),  # participant (approver of group 1)
        ("com_b", True),  # participant later in the route (frozen at submit)
        ("sales_head", True),  # initiator's head (and an approver)
        ("comdir", True),  # head of the participants com_a/com_b
        ("watcher", True),  # role «all contracts»
        ("gendir", True),  # general director
        ("seller2", False),  # colleague of the initiator, not involved
        ("office", False),
        ("docspec", False),  # the income type has no preparation
    ],
)
def test_contract_card_is_visible_only_to_those_involved(client, t, submitted, who, sees):
    """GIVEN a submitted contract WHEN someone opens its card THEN those involved see it and
    everyone else gets 404 (its existence is not revealed)."""
    response = _login(client, t[who]).get(reverse("contracts:contract-detail", args=[submitted.pk]))
    assert response.status_code == (200 if sees else 404)
    listed = _login(client, t[who]).get(reverse("contracts:contract-list"))
    assert (submitted.name in listed.content.decode()) is sees


@pytest.mark.parametrize(
    "name",
    ["contract-list", "kanban", "kpi", "contract-create"],
)
def test_anonymous_is_sent_to_login(client, t, name):
    """GIVEN no session WHEN a contracts page is opened THEN the login page is shown."""
    response = client.get(reverse(f"contracts:{name}"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_anonymous_card_redirects_to_login(client, submitted):
    """GIVEN no session WHEN a contract card is opened THEN login is required."""
    response = client.get(reverse("contracts:contract-detail", args=[submitted.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_kpi_is_for_management_only(client, t):
    """GIVEN a manager WHEN she opens KPI THEN 403; the «all contracts» role sees it."""
    assert _login(client, t["seller"]).get(reverse("contracts:kpi")).status_code == 403
    assert _login(client, t["watcher"]).get(reverse("contracts:kpi")).status_code == 200


def test_others_cannot_edit_or_submit(client, t):
    """GIVEN a draft WHEN the head (who sees it) tries to edit or submit it
    THEN he is sent back with a message and nothing changes."""
    contract = new_contract(t)
    _login(client, t["sales_head"])
    response = client.post(
        reverse("contracts:contract-submit", args=[contract.pk]), {"fingerprint": "x"}
    )
    assert response.status_code == 302
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.DRAFT
    response = client.get(reverse("contracts:contract-edit", args=[contract.pk]), follow=True)
    assert "Изменять договор может инициатор" in response.content.decode()


# --- create, submit, decide ----------------------------------------------------------------------


def test_initiator_creates_previews_the_route_and_submits(client, t):
    """GIVEN the seller WHEN she fills the form for an expense contract
    THEN the name is generated; the submit page shows the route; confirming starts it."""
    counterparty = CounterpartyFactory(name="ООО «Звук и свет»")
    _login(client, t["seller"])
    url = reverse("contracts:contract-create")
    assert "Расходный: закупка" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "contract_type": t["expense"].pk,
            "subject": "Микрофоны",
            "subject_category": t["equipment"].pk,
            "counterparty": counterparty.pk,
            "amount": "99000",
            "fund": t["budget"].pk,
        },
    )
    contract = Contract.objects.get(subject="Микрофоны")
    assert response.status_code == 302
    assert "ООО «Звук и свет» — Микрофоны" in contract.name
    preview = client.get(reverse("contracts:contract-submit", args=[contract.pk])).content.decode()
    # the document specialist; head and lawyer; economist and accountant; the general director
    # signs the invoice (he owns the budget fund) and the contract
    assert preview.count('data-testid="route-step"') == 7
    assert "Участников: 6 (допускается не более 15)" in preview
    fingerprint = preview.split('name="fingerprint" value="')[1].split('"')[0]
    client.post(
        reverse("contracts:contract-submit", args=[contract.pk]), {"fingerprint": fingerprint}
    )
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.PREPARATION


def test_bad_form_keeps_what_was_typed(client, t):
    """GIVEN the create form WHEN the amount is negative and the dates reversed
    THEN the form comes back with Russian errors and the typed subject kept."""
    _login(client, t["seller"])
    response = client.post(
        reverse("contracts:contract-create"),
        {
            "contract_type": t["expense"].pk,
            "subject": "Декорации к премьере",
            "counterparty": CounterpartyFactory().pk,
            "amount": "-5",
            "starts_on": "2026-05-10",
            "ends_on": "2026-05-01",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Декорации к премьере" in body
    assert "Окончание не может быть раньше начала" in body
    assert not Contract.objects.exists()


def test_approver_decides_from_the_card(client, t, submitted):
    """GIVEN the lawyer's open task WHEN she returns from the card without a comment
    THEN an error and nothing changes; WITH a comment THEN the contract is returned and she reads
    «Возвращено на доработку»; posting again is refused."""
    task = Task.objects.get(object_id=submitted.pk, assignee=t["lawyer"], status=TaskStatus.OPEN)
    _login(client, t["lawyer"])
    card = client.get(reverse("contracts:contract-detail", args=[submitted.pk])).content.decode()
    assert 'data-testid="my-task"' in card
    url = reverse("contracts:task-decide", args=[submitted.pk, task.pk])
    response = client.post(url, {f"t{task.pk}-decision": "return", f"t{task.pk}-comment": ""})
    assert response.status_code == 400
    assert "Напишите комментарий: что не так и что нужно исправить." in response.content.decode()
    assert Contract.objects.get(pk=submitted.pk).status == ContractStatus.APPROVAL
    returned = client.post(
        url, {f"t{task.pk}-decision": "return", f"t{task.pk}-comment": "Нет акта"}, follow=True
    )
    body = returned.content.decode()
    assert "Решение «Возвращено на доработку» сохранено." in body
    assert "Решение принято" not in body
    assert Contract.objects.get(pk=submitted.pk).status == ContractStatus.RETURNED
    again = client.post(url, {f"t{task.pk}-decision": "approve"}, follow=True)
    assert "уже завершено" in again.content.decode()


def test_someone_else_cannot_decide_anothers_task(client, t, submitted):
    """GIVEN the lawyer's task WHEN the head (who sees the card) posts a decision on it
    THEN it is refused with a message and the task stays open."""
    task = Task.objects.get(object_id=submitted.pk, assignee=t["lawyer"], status=TaskStatus.OPEN)
    _login(client, t["sales_head"])
    response = client.post(
        reverse("contracts:task-decide", args=[submitted.pk, task.pk]),
        {f"t{task.pk}-decision": "approve"},
        follow=True,
    )
    assert "уже завершено или изменено" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_comment_is_added_to_the_card(client, t, submitted):
    """GIVEN a participant WHEN she comments THEN the comment shows on the card and in history."""
    _login(client, t["lawyer"])
    client.post(reverse("contracts:comment-add", args=[submitted.pk]), {"text": "Проверю к среде"})
    card = client.get(reverse("contracts:contract-detail", args=[submitted.pk])).content.decode()
    assert "Проверю к среде" in card


# --- search, kanban, KPI, PDF, queries -----------------------------------------------------------


def test_search_finds_a_contract_by_any_part_of_its_name(client, t):
    """GIVEN two contracts WHEN searching by number, counterparty word or subject word
    in any case THEN only the matching one is listed."""
    wanted = new_contract(t, subject="Пошив костюмов")
    new_contract(t, subject="Ремонт кресел", counterparty=CounterpartyFactory(name="ИП Мебель"))
    _login(client, t["seller"])
    for query in ["костюмов", "СВЕТ сцены", f"№ {wanted.number} от", "пошив свет"]:
        body = client.get(reverse("contracts:contract-list"), {"q": query}).content.decode()
        assert "Пошив костюмов" in body, query
        assert "Ремонт кресел" not in body, query


def test_kanban_shows_contracts_in_their_stage_columns(client, t, submitted):
    """GIVEN a contract in approval and a draft WHEN the board of that type is opened
    THEN each sits in its stage column; the overdue filter hides a contract with no overdue task."""
    draft = new_contract(t, contract_type=t["income"], subject="Черновой")
    _login(client, t["seller"])
    response = client.get(reverse("contracts:kanban"), {"contract_type": t["income"].pk})
    columns = {c.kind: [x.pk for x in c.cards] for c in response.context["columns"]}
    assert columns["approval"] == [submitted.pk]
    assert columns["draft"] == [draft.pk]
    response = client.get(
        reverse("contracts:kanban"), {"contract_type": t["income"].pk, "overdue": "on"}
    )
    assert all(not c.cards for c in response.context["columns"])


def test_kpi_counts_on_time_and_late_decisions(client, t, submitted):
    """GIVEN the lawyer approved on time and the head late
    THEN KPI shows one on-time and one late decision with a median time."""
    for user in (t["lawyer"], t["sales_head"]):
        decide(submitted, user)
    head = RouteStep.objects.select_related("task").get(participant=t["sales_head"])
    Task.objects.filter(pk=head.task_id).update(due_at=head.decided_at - dt.timedelta(hours=1))
    response = _login(client, t["watcher"]).get(reverse("contracts:kpi"))
    people = {row.label: row for row in response.context["people"]}
    lawyer = people[t["lawyer"].get_full_name()]
    late = people[t["sales_head"].get_full_name()]
    assert (lawyer.on_time, lawyer.late) == (1, 0)
    assert (late.on_time, late.late) == (0, 1)
    assert lawyer.median_hours is not None
    # the departments' table comes from the same pass (grouping sets): each decision counted
    # once, under the decider's department, with its own median
    units = {row.label: row for row in response.context["units"]}
    head_unit = units[t["sales_head"].employee.department.name]
    assert head_unit.late >= 1 and head_unit.median_hours is not None
    assert sum(u.on_time for u in units.values()) == sum(p.on_time for p in people.values())
    assert sum(u.late for u in units.values()) == sum(p.late for p in people.values())
    assert 'data-testid="kpi-chart"' in response.content.decode()


def test_kpi_reads_the_contract_steps_by_their_own_indexes(t, submitted):
    """The KPI reads the period's decided steps and the pending steps of contracts through the
    steps' partial indexes (their document type kept on the step), not by walking every contract
    route: with the table scan priced out, the plan names both indexes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contracts.selectors import kpi

    decide(submitted, t["lawyer"])
    today = dt.date.today()
    with CaptureQueriesContext(connection) as captured:
        kpi(start=today - dt.timedelta(days=30), end=today)
    (sql,) = [q["sql"] for q in captured if "array_agg" in q["sql"].lower()]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "route_step_type_decided" in plan and "route_step_type_pending" in plan


def test_a_step_carries_its_routes_document_type_whoever_writes_it(t, submitted):
    """The engine's steps and a step written by other code (a data migration, a bulk load) carry
    their route's document type: the database sets it, corrects a wrong one and refuses a step
    whose route does not exist."""
    steps = RouteStep.objects.filter(route__object_id=submitted.pk)
    assert set(steps.values_list("document_type", flat=True)) == {"contracts.contract"}
    step = steps.first()
    RouteStep.objects.filter(pk=step.pk).update(document_type="memos.memo")
    step.pk = None
    step.task = None
    step.document_type = ""
    step.save()
    stored = RouteStep.objects.filter(route__object_id=submitted.pk)
    assert set(stored.values_list("document_type", flat=True)) == {"contracts.contract"}
    # a step of no route (its foreign key checked only at commit) would keep no type: refused
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError, match="does not exist"), transaction.atomic():
        RouteStep.objects.create(stage=step.stage, route_id=10**9, round=1, kind=step.kind)


def test_approval_sheet_pdf(client, t, submitted):
    """GIVEN a submitted contract WHEN its approval sheet is downloaded THEN it is a PDF;
    a stranger gets 404."""
    response = _login(client, t["seller"]).get(
        reverse("contracts:approval-sheet-pdf", args=[submitted.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"DejaVuSans" in response.content  # the vendored Cyrillic font is embedded
    stranger = _login(client, t["seller2"]).get(
        reverse("contracts:approval-sheet-pdf", args=[submitted.pk])
    )
    assert stranger.status_code == 404


def _many(t, n):
    for i in range(n):
        contract = new_contract(
            t,
            contract_type=t["income"],
            subject=f"Билеты {i}",
            counterparty=CounterpartyFactory(),
            amount=Decimal(1000 + i),
        )
        if i % 2:
            services.contract_submit(contract_id=contract.pk, user=t["seller"])


@pytest.mark.parametrize("name", ["contract-list", "kanban"])
def test_list_pages_run_a_constant_number_of_queries(
    client, t, django_assert_max_num_queries, name
):
    """GIVEN 3 then 12 contracts WHEN the list/kanban is opened THEN the query count stays put."""
    _login(client, t["sales_head"])
    url = reverse(f"contracts:{name}")
    params = {"contract_type": t["income"].pk} if name == "kanban" else {}
    _many(t, 3)
    client.get(url, params)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url, params)
    _many(t, 9)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, params)
    assert response.status_code == 200


# --- files ---------------------------------------------------------------------------------------


def test_files_are_attached_and_downloaded_only_by_those_who_see_the_contract(
    client, t, submitted, settings, tmp_path
):
    """GIVEN the initiator attaches a PDF on the card
    THEN it is listed; a participant downloads it; a stranger gets 404 for the file."""
    from storage.models import StoredFile
    from storage.testing import pdf_bytes, upload

    settings.MEDIA_ROOT = tmp_path
    _login(client, t["seller"])
    client.post(
        reverse("contracts:files-add", args=[submitted.pk]),
        {"files": [upload("Счёт 15.pdf", pdf_bytes("Invoice"), "application/pdf")]},
    )
    stored = StoredFile.objects.get()
    card = client.get(reverse("contracts:contract-detail", args=[submitted.pk])).content.decode()
    assert "Счёт 15.pdf" in card
    download = reverse("storage:download", args=[stored.pk])
    assert _login(client, t["lawyer"]).get(download).status_code == 200
    assert _login(client, t["seller2"]).get(download).status_code in (403, 404)


def test_a_head_who_only_sees_the_contract_cannot_attach(client, t, submitted, settings, tmp_path):
    """GIVEN the commercial director sees the contract as head of participants (not one herself)
    WHEN she posts a file THEN it is refused with a message."""
    from storage.models import StoredFile
    from storage.testing import pdf_bytes, upload

    settings.MEDIA_ROOT = tmp_path
    submitted.participants.remove(t["comdir"])
    response = _login(client, t["comdir"]).post(
        reverse("contracts:files-add", args=[submitted.pk]),
        {"files": [upload("x.pdf", pdf_bytes(), "application/pdf")]},
        follow=True,
    )
    assert "Прикладывать файлы могут" in response.content.decode()
    assert not StoredFile.objects.exists()


@pytest.mark.parametrize(
    "model", ["contracttype", "fund", "approvalrule", "subjectcategory", "contract"]
)
def test_admin_pages_of_the_configuration_open(client, t, submitted, django_user_model, model):
    """GIVEN an administrator WHEN the contracts configuration pages are opened THEN they load;
    a contract opens read-only (its state changes only through tasks)."""
    admin = django_user_model.objects.create_superuser("root", password="x-123456789")
    client.force_login(admin)
    assert client.get(reverse(f"admin:contracts_{model}_changelist")).status_code == 200
    if model == "contract":
        page = client.get(reverse("admin:contracts_contract_change", args=[submitted.pk]))
        assert page.status_code == 200
        assert 'name="amount"' not in page.content.decode()


def test_kanban_column_shows_the_newest_cards_and_counts_all(client, t, monkeypatch):
    """GIVEN three drafts and a board limited to two cards per column
    WHEN the board is opened THEN the draft column counts 3, shows the two newest and
    links to that column alone for the rest."""
    from contracts import kanban

    monkeypatch.setattr(kanban, "KANBAN_CARDS_PER_COLUMN", 2)
    made = [new_contract(t, contract_type=t["income"], subject=f"Показ {i}") for i in range(3)]
    response = _login(client, t["seller"]).get(
        reverse("contracts:kanban"), {"contract_type": t["income"].pk}
    )
    draft = next(c for c in response.context["columns"] if c.kind == "draft")
    assert draft.total == 3
    assert [c.pk for c in draft.cards] == [made[2].pk, made[1].pk]
    assert "и ещё 1" in response.content.decode()


def test_approver_decides_on_the_generic_task_page_too(client, t, submitted):
    """GIVEN the lawyer's contract task WHEN she opens it from her inbox
    THEN the page links to the contract and approving there records the approval."""
    task = Task.objects.get(object_id=submitted.pk, assignee=t["lawyer"], status=TaskStatus.OPEN)
    _login(client, t["lawyer"])
    page = client.get(reverse("workflow:task-detail", args=[task.pk])).content.decode()
    assert submitted.get_absolute_url() in page
    client.post(reverse("workflow:task-detail", args=[task.pk]), {"decision": "approve"})
    assert RouteStep.objects.get(task=task).decision == "approve"
