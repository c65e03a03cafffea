"""The registers as lists over big tables: sort by status in workflow order, a wrong date filter
said in Russian, the counterparty (by id) and project filters, the capped total and the message
for a page past the cap, and search plans on the UPPER(col) trigram indexes."""

import pytest
from django.db import connection

from argo_docs import paging
from correspondence.models import IncomingLetter, IncomingStatus, OutgoingLetter, Project
from correspondence.register import INCOMING_FLOW
from correspondence.services import outgoing as outgoing_services
from correspondence.testing import build_world, control_in, register

INCOMING = "/letters/incoming/"
OUTGOING = "/letters/outgoing/"


@pytest.fixture
def world(org, client):
    world = build_world(org)
    client.force_login(world["gendir"])
    return world


def _incoming(world, n=1, **overrides):
    overrides.setdefault("counterparty", world["tenant"])
    return [
        register(
            world["office"],
            entity=world["entity"],
            files=[],
            **overrides,
        )
        for _ in range(n)
    ]


def _outgoing(world, **fields):
    data = {
        "user": world["seller"],
        "legal_entity": world["entity"],
        "counterparty": world["tenant"],
        "subject": "Исходящее",
        "control_date": control_in(10),
    }
    data.update(fields)
    return outgoing_services.outgoing_create(**data)


def _rows(response):
    return list(response.context["page"].object_list)


def test_status_sort_follows_the_workflow_not_the_code(world, client):
    """GIVEN letters in every state WHEN sorted by status THEN they come in workflow order
    (registered, in review, assigning, in work, reply preparing, done), and reversed for -status;
    alphabetical codes would put «assigning» first."""
    letters = _incoming(world, len(INCOMING_FLOW))
    for letter, state in zip(letters, reversed(INCOMING_FLOW), strict=True):
        IncomingLetter.objects.filter(pk=letter.pk).update(status=state)
    states = [row.status for row in _rows(client.get(INCOMING, {"sort": "status"}))]
    assert states == INCOMING_FLOW
    states = [row.status for row in _rows(client.get(INCOMING, {"sort": "-status"}))]
    assert states == list(reversed(INCOMING_FLOW))
    assert sorted(IncomingStatus.values)[0] == "assigning"  # the code order this replaces


def test_outgoing_status_sort_follows_the_workflow(world, client):
    draft = _outgoing(world, subject="Черновик")
    sent = _outgoing(world, subject="Отправлено")
    approval = _outgoing(world, subject="Согласование")
    OutgoingLetter.objects.filter(pk=sent.pk).update(status="sent")
    OutgoingLetter.objects.filter(pk=approval.pk).update(status="approval")
    rows = _rows(client.get(OUTGOING, {"sort": "status"}))
    assert [r.pk for r in rows] == [draft.pk, approval.pk, sent.pk]


@pytest.mark.parametrize(("url", "final"), [(INCOMING, "done"), (OUTGOING, "closed")])
def test_a_wrong_date_is_reported_and_the_other_filters_still_apply(world, client, url, final):
    """GIVEN a date filter «31.02.2026» and a valid status filter THEN the page says in Russian
    that the date filter was not applied, and the status filter still narrows the list."""
    _incoming(world, 2)
    _outgoing(world)
    response = client.get(url, {"date_from": "31.02.2026", "status": final})
    assert response.status_code == 200
    text = response.content.decode()
    assert "не применён" in text and "Дата не распознана" in text
    assert _rows(response) == []  # nothing is closed: the status filter did apply


def test_counterparty_filter_by_id_in_both_registers(world, client):
    """GIVEN letters of two counterparties WHEN filtered by one's id THEN only its letters are
    listed and the picker shows the chosen name."""
    mine = _incoming(world, 2)
    _incoming(world, 1, counterparty=world["government"])
    response = client.get(INCOMING, {"counterparty": world["tenant"].pk})
    assert {r.pk for r in _rows(response)} == {letter.pk for letter in mine}
    assert world["tenant"].name in response.content.decode()

    ours = _outgoing(world)
    _outgoing(world, counterparty=world["contractor"])
    response = client.get(OUTGOING, {"counterparty": world["tenant"].pk})
    assert [r.pk for r in _rows(response)] == [ours.pk]


def test_project_filter_in_the_outgoing_register(world, client):
    project = Project.objects.create(name="Реконструкция фасада")
    in_project = _outgoing(world, project=project)
    _outgoing(world)
    response = client.get(OUTGOING, {"project": project.pk})
    assert [r.pk for r in _rows(response)] == [in_project.pk]


def test_picker_finds_counterparties_and_picks_one_by_id(world, client):
    response = client.get(
        "/letters/registers/counterparties/search/", {"counterparty_q": "северный"}
    )
    assert world["tenant"].name in response.content.decode()
    response = client.get("/letters/registers/counterparties/pick/", {"id": world["tenant"].pk})
    assert f'name="counterparty" value="{world["tenant"].pk}"' in response.content.decode()


def test_total_is_capped_and_a_page_past_the_cap_says_to_narrow_the_filter(
    world, client, monkeypatch
):
    """GIVEN 5 letters and a cap of 3 THEN the total reads «более 3 писем», and a deep link to
    page 2 shows page 1 with the Russian message to narrow the filter."""
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    _incoming(world, 5)
    response = client.get(INCOMING)
    assert "более 3 писем" in response.content.decode()
    assert len(_rows(response)) == 3
    response = client.get(INCOMING, {"page": 2})
    assert response.context["page"].number == 1
    assert "сузьте фильтр" in response.content.decode()


def _plan(qs) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_search_plans_use_the_upper_trigram_indexes(world):
    """The register's search expression is the indexed one: told to avoid table and btree
    scans, the planner reads the GIN indexes on UPPER(col) (a plain-column index could not serve
    it); for someone who sees part of the letters the subject's index also takes their access
    tokens, so only the matches they may open leave it."""
    from correspondence import register, selectors

    everyone = register.apply_filters(IncomingLetter.objects.all(), {"q": "пожарн"}).order_by()
    plan = _plan(everyone)
    assert "incoming_subject_tokens" in plan and "incoming_reg_number_utrgm" in plan
    seller = world["seller"]
    theirs = register.apply_filters(selectors.register_queryset(seller), {"q": "пожарн"})
    plan = _plan(theirs.order_by())
    subject_scan = plan[plan.index("incoming_subject_tokens") :].splitlines()[1]
    assert "Index Cond" in subject_scan and f"{{u{seller.pk}" in subject_scan, plan


def test_contract_list_past_the_depth_says_to_narrow_the_filter(org, client, monkeypatch):
    """GIVEN 3 contracts and pages that reach only 2 rows WHEN page 2 is asked for THEN the
    list shows what it can and the Russian message to narrow the filter."""
    from contracts.testing import new_contract, theatre

    monkeypatch.setattr(paging, "DEPTH_CAP", 2)
    t = theatre(org)
    for _ in range(3):
        new_contract(t)
    client.force_login(t["gendir"])
    response = client.get("/contracts/", {"page": 2})
    assert response.status_code == 200
    assert "сузьте фильтр" in response.content.decode()


def test_memo_list_past_the_last_page_says_to_narrow_the_filter(db, client, monkeypatch):
    from memos import register as memo_register
    from tests.memo_world import memo_world, write

    monkeypatch.setattr(memo_register, "MAX_PAGES", 1)
    w = memo_world()
    write(w)
    client.force_login(w["clerk"])
    response = client.get("/memos/", {"page": 5})
    assert response.status_code == 200
    assert "сузьте фильтр" in response.content.decode()
