"""Every list page runs a constant number of queries whatever its rows: the page is built with
5 rows, then with 30, and both counts must be equal (registers, contracts, memos, CRM)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.testing import new_contract, theatre
from correspondence.services import outgoing as outgoing_services
from correspondence.testing import build_world, control_in, register
from crm.models import Counterparty, CounterpartyCategory
from tests.memo_world import memo_world, write


def queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def _assert_constant(client, users, url, add_rows, params=None):
    add_rows(5)
    few = {name: queries(client_as(client, user), url, params) for name, user in users.items()}
    add_rows(25)
    many = {name: queries(client_as(client, user), url, params) for name, user in users.items()}
    assert few == many


def client_as(client, user):
    client.force_login(user)
    return client


def test_incoming_register(client, org):
    """GIVEN 5 then 30 letters THEN the register's queries do not grow, for the office manager
    (through the access table), the general director (sees all) and a head of department."""
    w = build_world(org)

    def add(n):
        for i in range(n):
            register(
                w["office"],
                entity=w["entity"],
                counterparty=w["tenant"],
                responsible=w["seller"],
                subject=f"Письмо {i}",
                files=[],
            )

    users = {"office": w["office"], "gendir": w["gendir"], "head": w["sales_head"]}
    _assert_constant(client, users, "/letters/incoming/", add)
    _assert_constant(
        client, users, "/letters/incoming/", lambda n: None, {"q": "Письмо", "sort": "status"}
    )


def test_outgoing_register(client, org):
    w = build_world(org)

    def add(n):
        for i in range(n):
            outgoing_services.outgoing_create(
                user=w["seller"],
                legal_entity=w["entity"],
                counterparty=w["tenant"],
                subject=f"Исходящее {i}",
                executor=w["seller2"],
                control_date=control_in(10),
            )

    users = {"author": w["seller"], "gendir": w["gendir"], "head": w["sales_head"]}
    _assert_constant(client, users, "/letters/outgoing/", add)
    _assert_constant(
        client,
        users,
        "/letters/outgoing/",
        lambda n: None,
        {"q": "Исходящее", "counterparty": w["tenant"].pk},
    )


def test_contract_list(client, org):
    t = theatre(org)

    def add(n):
        for _i in range(n):
            new_contract(t)

    users = {"initiator": t["seller"], "gendir": t["gendir"], "head": t["sales_head"]}
    _assert_constant(client, users, "/contracts/", add)


def test_memo_list(client, db):
    w = memo_world()

    def add(n):
        for i in range(n):
            write(w, subject=f"Записка {i}")

    users = {"author": w["clerk"], "gendir": w["gendir"], "head": w["rent_head"]}
    _assert_constant(client, users, "/memos/", add)


def test_crm_company_list(client, org):
    def add(n):
        start = Counterparty.objects.count()
        for i in range(start, start + n):
            Counterparty.objects.create(
                name=f"ООО «Компания {i}»", category=CounterpartyCategory.CLIENT
            )

    _assert_constant(client, {"gendir": org["gendir"]}, "/crm/", add)
    _assert_constant(client, {"gendir": org["gendir"]}, "/crm/", lambda n: None, {"q": "Компания"})
