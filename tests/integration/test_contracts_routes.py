"""Route building from the approval rules (R15) and the generated contract name (R19)."""

from decimal import Decimal

import pytest

from contracts import services
from contracts.models import ApprovalRule, ApproverKind, Contract, Fund
from contracts.routing import route_plan
from contracts.testing import new_contract, theatre
from tests.factories import employee
from workflow.routes.plan import participant_count


@pytest.fixture
def t(org):
    return theatre(org)


def _groups(contract) -> dict[int, list[str]]:
    """Approval groups by number («Согласование, группа N») and the fund stage as «fund»."""
    groups = {}
    for stage in route_plan(contract):
        if stage.phase == "approval":
            key = int(stage.name.rsplit(" ", 1)[1])
        elif stage.phase == "fund_members":
            key = "fund"
        else:
            continue
        groups[key] = sorted(step.participant.username for step in stage.steps)
    return groups


@pytest.mark.parametrize(
    ("kind", "category", "fund", "amount", "expected"),
    [
        pytest.param(
            "expense",
            "services",
            "budget",
            "150000",
            {1: ["lawyer", "sales_head"], 2: ["economist"], 3: ["accountant"]},
            id="expense-services-budget",
        ),
        pytest.param(
            "expense",
            "equipment",
            "budget",
            "150000",
            {1: ["lawyer", "sales_head"], 2: ["accountant", "economist"]},
            id="accountant-through-two-rules-keeps-earliest-group",
        ),
        pytest.param(
            "expense",
            "services",
            "comfund",
            "150000",
            {1: ["lawyer", "sales_head"], 2: ["comdir", "economist"], 3: ["com_a", "com_b"]},
            id="commercial-directors-fund-brings-her-approvers",
        ),
        pytest.param(
            "income",
            "services",
            "comfund",
            "2000000",
            {1: ["lawyer", "sales_head"], 2: ["comdir"], 3: ["com_a", "com_b"], 4: ["gendir"]},
            id="income-large-amount-adds-general-director",
        ),
        pytest.param(
            "income",
            "services",
            None,
            "999999.99",
            {1: ["lawyer", "sales_head"]},
            id="income-no-fund-below-threshold",
        ),
    ],
)
def test_route_follows_the_rules(t, kind, category, fund, amount, expected):
    """GIVEN the theatre's rules WHEN a contract of a type/category/fund/amount is drafted
    THEN the route lists exactly the expected approvers in ordered, parallel groups."""
    contract = new_contract(
        t,
        contract_type=t[kind],
        subject_category=t[category],
        fund=t[fund] if fund else None,
        amount=Decimal(amount),
    )
    assert _groups(contract) == expected


def test_fund_member_no_rule_mentions_approves_in_a_stage_before_signing(t):
    """GIVEN a fund with an attached employee and no rule about that fund
    WHEN a contract on that fund is routed THEN that employee approves in a stage named after the
    fund, after the approval groups and before invoice signing (R18)."""
    tour_fund = Fund.objects.create(name="Гастрольный фонд", owner=t["gendir"])
    tour_fund.members.add(t["seller2"])
    contract = new_contract(t, fund=tour_fund)
    plan = route_plan(contract)
    assert [s.phase for s in plan][-3:] == ["fund_members", "invoice_signing", "contract_signing"]
    assert plan[-3].name == "Сотрудники фонда «Гастрольный фонд»"
    assert [s.participant.username for s in plan[-3].steps] == ["seller2"]
    approvers = {s.participant.username for st in plan if st.phase == "approval" for s in st.steps}
    assert "seller2" not in approvers


def test_route_of_fifteen_participants(t):
    """GIVEN rules that bring 14 different approvers in three groups, and the general director
    who signs THEN the route has all 15 people, each once, and an inactive rule changes
    nothing."""
    extra = [employee(f"approver{i}", t["departments"]["board"]) for i in range(11)]
    for index, user in enumerate(extra):
        ApprovalRule.objects.create(
            name=f"Согласующий {index}",
            contract_type=t["income"],
            approver_kind=ApproverKind.USER,
            approver_user=user,
            group=2 + index % 2,
        )
    ApprovalRule.objects.create(
        name="Выключенное правило",
        approver_kind=ApproverKind.USER,
        approver_user=t["office"],
        group=1,
        is_active=False,
    )
    contract = new_contract(t, contract_type=t["income"], fund=t["budget"])
    plan = route_plan(contract)
    people = [s.participant for stage in plan for s in stage.steps]
    # sales_head, lawyer + 11 + the budget fund's accountant; the general director signs
    assert participant_count(plan) == len(people) == 15
    assert "office" not in {p.username for p in people}
    assert list(_groups(contract)) == [1, 2, 3]
    assert plan[-1].phase == "contract_signing"
    assert plan[-1].steps[0].participant == t["gendir"]


def test_name_is_generated_from_the_type_template(t):
    """GIVEN a type whose template uses every placeholder
    WHEN a contract is created and later edited THEN its name follows the template each time."""
    t[
        "expense"
    ].name_template = "{type} № {number} от {date} — {counterparty} — {subject} ({amount} ₽)"
    t["expense"].save()
    contract = new_contract(t, amount=Decimal("1234.5"))
    date = contract.created_at.astimezone().strftime("%d.%m.%Y")
    assert contract.name == (
        f"Расходный: закупка № {contract.number} от {date} — ООО «Свет сцены» — "
        f"Поставка прожекторов (1 234,50 ₽)"
    )
    services.contract_update(
        contract_id=contract.pk, user=t["seller"], data={"subject": "Аренда звука"}
    )
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.name.endswith("— Аренда звука (1 234,50 ₽)")


def test_unknown_placeholder_is_kept_literally(t):
    """GIVEN a template with a typo in a placeholder THEN the name keeps it instead of failing."""
    t["income"].name_template = "{type} {nomer} {number}"
    t["income"].save()
    contract = new_contract(t, contract_type=t["income"])
    assert contract.name == f"Доходный: продажа билетов {{nomer}} {contract.number}"


def test_a_round_restarted_from_the_returning_stage_keeps_earlier_fund_approvals(t):
    """GIVEN contracts set to restart from the returning stage, and the budget fund's accountant
    approving in group 1 WHEN the economist returns the contract in group 2 and it is resubmitted
    THEN round 2 starts at group 2, and after it invoice signing opens at once: the accountant's
    round-1 approval still counts for the fund gate (R18), nobody is asked twice."""
    from contracts.testing import decide, pending
    from workflow.models import RouteSettings
    from workflow.routes.services import route_of

    RouteSettings.objects.create(document_type="contracts.contract", restart_from="returning")
    ApprovalRule.objects.create(
        name="Бухгалтер сразу",
        approver_kind=ApproverKind.USER,
        approver_user=t["accountant"],
        group=1,
    )
    contract = new_contract(t)
    services.contract_submit(contract_id=contract.pk, user=t["seller"])
    decide(contract, t["docspec"])
    for user in (t["lawyer"], t["sales_head"], t["accountant"]):
        decide(contract, user)
    decide(contract, t["economist"], "return", "Уточните сумму")
    services.contract_submit(contract_id=contract.pk, user=t["seller"], note="Уточнил сумму")
    route = route_of(contract)
    assert route.rounds.get(number=2).first_stage == 2
    assert pending(contract) == ["economist"]
    decide(contract, t["economist"])
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == "invoice_signing"
    assert contract.fund_gate_open()
    assert not route.stages.filter(round=2, phase="fund_members").exists()
