"""The contracts' data migrations: Approval rows built with the historical models before
0005 become routes that show the same history and keep working; the JSON lists of extra
fields become typed fields (0007)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from tests.factories import small_org

BEFORE = ("contracts", "0004_alter_approvalrule_approver_role_and_more")

pytestmark = [pytest.mark.migration, pytest.mark.django_db(transaction=True)]


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


@pytest.fixture
def old_apps():
    """The schema rolled back to ``BEFORE`` (other apps stay at their latest), its historical
    models; the schema goes forward again at the end whatever happens."""
    executor = _executor()
    executor.migrate([BEFORE])
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "contracts"]
    apps = _executor().loader.project_state([BEFORE, *others]).apps
    try:
        yield apps
    finally:
        executor = _executor()
        executor.migrate(executor.loader.graph.leaf_nodes())


def _build_old_data(apps, people) -> dict:
    """Four contracts as the old code left them (Approval rows and process tasks)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Counterparty = apps.get_model("crm", "Counterparty")
    ContractType = apps.get_model("contracts", "ContractType")
    Stage = apps.get_model("contracts", "Stage")
    Fund = apps.get_model("contracts", "Fund")
    Contract = apps.get_model("contracts", "Contract")
    Approval = apps.get_model("contracts", "Approval")
    Task = apps.get_model("workflow", "Task")

    ct = ContentType.objects.get_or_create(app_label="contracts", model="contract")[0]
    expense = ContractType.objects.create(
        name="Расходный", direction="expense", extra_fields=["Номер счёта", "Дата показа"]
    )
    income = ContractType.objects.create(name="Доходный", direction="income", extra_fields=[])
    for order, (kind, name) in enumerate(
        [
            ("draft", "Черновик"),
            ("preparation", "Подготовка"),
            ("approval", "Согласование"),
            ("invoice_signing", "Счёт"),
            ("contract_signing", "Подписание"),
        ]
    ):
        Stage.objects.create(contract_type=expense, kind=kind, name=name, order=order)
    fund = Fund.objects.create(name="Бюджет", owner_id=people["gendir"].pk)
    party = Counterparty.objects.create(name="ООО «Свет»")
    now = timezone.now()
    hour = dt.timedelta(hours=1)

    def contract(number, ctype, status, round_, **extra):
        return Contract.objects.create(
            number=number,
            name=f"Договор {number}",
            contract_type=ctype,
            subject="Свет",
            counterparty=party,
            amount=1000,
            initiator_id=people["seller"].pk,
            status=status,
            round=round_,
            created_at=now - 30 * hour,
            submitted_at=now - 29 * hour,
            **extra,
        )

    def task(subject, kind, who, at, *, status="done", outcome="", comment="", by=None, **more):
        return Task.objects.create(
            kind=kind,
            title=f"{kind} {who.username}",
            content_type=ct,
            object_id=subject.pk,
            assignee_id=(by or who).pk,
            original_assignee_id=who.pk if by else None,
            created_by_id=people["seller"].pk,
            created_at=at,
            due_at=at + 24 * hour,
            status=status,
            outcome=outcome,
            comment=comment,
            completed_at=at + hour if status != "open" else None,
            completed_by_id=(by or who).pk if status != "open" else None,
            **more,
        )

    def approval(subject, round_, group, who, status, at=None, task_=None, **more):
        return Approval.objects.create(
            contract=subject,
            round=round_,
            group=group,
            approver_id=who.pk,
            reason=more.pop("reason", "Правило"),
            deadline_days=2,
            status=status,
            task=task_,
            started_at=at,
            due_at=task_.due_at if task_ else None,
            decided_at=at + hour if status in ("approved", "returned") else None,
            decided_by_id=(more.pop("by", None) or who).pk
            if status in ("approved", "returned")
            else None,
            comment=more.pop("comment", ""),
        )

    # A: expense, returned once by the head, now in approval round 2 with the lawyer's task held
    # by her deputy (the economist); a fund member still waits in a group of their own
    a = contract(1, expense, "approval", 2, fund=fund)
    t0 = now - 28 * hour
    task(a, "contracts.prepare", people["docspec"], t0, outcome="done")
    lawyer1 = task(a, "contracts.approve", people["lawyer"], t0 + hour, outcome="approve")
    approval(a, 1, 1, people["lawyer"], "approved", t0 + hour, lawyer1, comment="Ок")
    head1 = task(a, "contracts.approve", people["sales_head"], t0 + hour, outcome="return")
    approval(a, 1, 1, people["sales_head"], "returned", t0 + hour, head1, comment="Нет акта")
    approval(a, 1, 2, people["economist"], "cancelled")
    task(a, "contracts.revise", people["seller"], t0 + 3 * hour, outcome="resubmitted")
    t1 = now - 10 * hour
    task(a, "contracts.prepare", people["docspec"], t1, outcome="done")
    lawyer2 = task(
        a, "contracts.approve", people["lawyer"], t1 + hour, status="open", by=people["economist"]
    )
    approval(a, 2, 1, people["lawyer"], "pending", t1 + hour, lawyer2)
    head2 = task(a, "contracts.approve", people["sales_head"], t1 + hour, outcome="approve")
    approval(a, 2, 1, people["sales_head"], "approved", t1 + hour, head2)
    approval(a, 2, 2, people["economist"], "waiting")
    approval(a, 2, 3, people["accountant"], "waiting", reason="Прикреплён к фонду «Бюджет»")
    # B: income, approved and signed
    b = contract(2, income, "active", 1)
    head = task(b, "contracts.approve", people["sales_head"], t0, outcome="approve")
    approval(b, 1, 1, people["sales_head"], "approved", t0, head)
    task(b, "contracts.sign_contract", people["gendir"], t0 + 2 * hour, outcome="signed")
    # C: income, returned by the lawyer, the initiator's revision task open
    c = contract(3, income, "returned", 1)
    lawyer = task(c, "contracts.approve", people["lawyer"], t0, outcome="return", comment="Дорого")
    approval(c, 1, 1, people["lawyer"], "returned", t0, lawyer, comment="Дорого")
    task(c, "contracts.revise", people["seller"], t0 + 2 * hour, status="open")
    # D: income, rejected by the signer
    d = contract(4, income, "rejected", 1)
    head = task(d, "contracts.approve", people["sales_head"], t0, outcome="approve")
    approval(d, 1, 1, people["sales_head"], "approved", t0, head)
    task(
        d,
        "contracts.sign_contract",
        people["gendir"],
        t0 + 2 * hour,
        outcome="rejected",
        comment="Дорого",
    )
    return {"a": a.pk, "b": b.pk, "c": c.pk, "d": d.pk, "expense": expense.pk}


def _sheet(route, number):
    return [
        (
            s.stage.order,
            s.stage.phase,
            s.stage.status,
            s.participant.username if s.participant else s.role,
            s.status,
            s.decision,
            s.comment,
        )
        for s in route.steps.filter(round=number).select_related("stage", "participant")
    ]


def test_old_approval_sheets_become_routes_that_keep_working(old_apps, client):
    """GIVEN contracts left by the old process (a resubmitted one in approval with a deputy
    holding a task, an active one, a returned one, one rejected at signing)
    WHEN the migrations run THEN each has a route with the same rounds, decisions, comments,
    deputies and tasks; the card shows them; and the open tasks go on through the engine."""
    from tests.factories import employee

    people = small_org()
    board = people["departments"]["board"]
    for name in ("docspec", "economist", "accountant"):
        people[name] = employee(name, board)
    ids = _build_old_data(old_apps, people)
    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from contracts.models import Contract, ContractField
    from contracts.testing import decide
    from workflow.models import Route, Task
    from workflow.routes.tasks import revision_task_complete

    a = Contract.objects.get(pk=ids["a"])
    route = Route.objects.get(object_id=a.pk, document_type="contracts.contract")
    assert (route.status, route.round) == ("running", 2)
    first, second = route.rounds.order_by("number")
    assert (first.outcome, first.ended_by, first.end_comment) == (
        "returned",
        people["sales_head"],
        "Нет акта",
    )
    assert second.outcome == "running"
    assert _sheet(route, 1) == [
        (0, "preparation", "done", "docspec", "decided", "approve", ""),
        (1, "approval", "cancelled", "lawyer", "decided", "approve", "Ок"),
        (1, "approval", "cancelled", "sales_head", "decided", "return", "Нет акта"),
        (2, "approval", "cancelled", "economist", "cancelled", "", ""),
    ]
    assert _sheet(route, 2) == [
        (0, "preparation", "done", "docspec", "decided", "approve", ""),
        (1, "approval", "active", "lawyer", "pending", "", ""),
        (1, "approval", "active", "sales_head", "decided", "approve", ""),
        (2, "approval", "waiting", "economist", "waiting", "", ""),
        (3, "fund_members", "waiting", "accountant", "waiting", "", ""),
        (4, "invoice_signing", "waiting", "invoice_signing", "waiting", "", ""),
        (5, "contract_signing", "waiting", "contract_signing", "waiting", "", ""),
    ]
    held = route.steps.get(round=2, participant=people["lawyer"])
    assert held.deputy == people["economist"] and held.task.kind == "workflow.route_approve"
    assert held.due_at == held.task.due_at

    client.force_login(people["seller"])
    card = client.get(reverse("contracts:contract-detail", args=[a.pk])).content.decode()
    assert "Круг 1: Возвращён на доработку" in card and "«Нет акта»" in card

    decide(a, people["economist"])  # the deputy decides for the lawyer: group 2 opens
    decide(a, people["economist"])
    decide(a, people["accountant"])
    a = Contract.objects.get(pk=a.pk)
    assert a.status == "invoice_signing"
    signer = Task.objects.get(object_id=a.pk, status="open")
    assert (signer.kind, signer.assignee) == ("contracts.sign_invoice", people["gendir"])

    b = Route.objects.get(object_id=ids["b"], document_type="contracts.contract")
    assert b.status == "done" and b.rounds.get().outcome == "approved"
    assert _sheet(b, 1)[-1] == (1, "contract_signing", "done", "gendir", "decided", "sign", "")

    c = Route.objects.get(object_id=ids["c"], document_type="contracts.contract")
    assert c.status == "returned"
    revise = Task.objects.get(object_id=ids["c"], status="open")
    assert revise.kind == "workflow.route_revise"
    revision_task_complete(task_id=revise.pk, user=people["seller"], data={"note": "Снизили цену"})
    c.refresh_from_db()
    assert (c.status, c.round) == ("running", 2)
    assert Contract.objects.get(pk=ids["c"]).status == "signing"  # no rules: straight to signing

    d = Route.objects.get(object_id=ids["d"], document_type="contracts.contract")
    assert d.status == "rejected"
    assert (d.rounds.get().outcome, d.rounds.get().end_comment) == ("rejected", "Дорого")

    fields = ContractField.objects.filter(contract_type_id=ids["expense"])
    assert list(fields.values_list("label", "kind")) == [
        ("Номер счёта", "text"),
        ("Дата показа", "text"),
    ]
