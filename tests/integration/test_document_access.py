"""The access table: after a scripted flow of each document type (incoming, outgoing, contract,
memo) the rows the services wrote equal a rebuild from scratch, and the table answers who sees
what (the executor of our letter reads the counterparty's reply; a deputy keeps the document)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from contracts import services as contract_services
from contracts.selectors import contracts_visible_to
from contracts.testing import decide, new_contract, pending, theatre
from correspondence import selectors
from correspondence.models import IncomingLetter, OutgoingLetter
from correspondence.services import incoming as incoming_services
from correspondence.services import outgoing as outgoing_services
from correspondence.services.incoming import KIND_RESOLUTION
from correspondence.testing import build_world, control_in, register, stored_pdf
from memos import services as memo_services
from memos.selectors import memos_visible_to
from search.models import SearchEntry
from tests.factories import employee
from tests.memo_world import decision, in_days, memo_world, open_task, write
from workflow.access import access_rebuild
from workflow.models import DocumentAccess, TaskStatus
from workflow.routes.services import step_decide
from workflow.selectors import tasks_of
from workflow.services import task_reassign


def _rows() -> set[tuple]:
    return set(
        DocumentAccess.objects.values_list(
            "content_type_id", "object_id", "user_id", "department_id", "reason"
        )
    )


def assert_search_tokens_current() -> None:
    """Every search entry and every letter carries the tokens of its object's access rows
    ("u<user>", "d<department>"): the search index and the registers' subject index narrow a
    viewer's matches by them."""
    expected: dict[tuple, set] = {}
    for ct, oid, user_id, department_id in DocumentAccess.objects.values_list(
        "content_type_id", "object_id", "user_id", "department_id"
    ):
        tokens = expected.setdefault((ct, oid), set())
        if user_id:
            tokens.add(f"u{user_id}")
        if department_id:
            tokens.add(f"d{department_id}")
    entries = SearchEntry.objects.exclude(kind="company")
    assert entries.exists()
    for ct, oid, access in entries.values_list("content_type_id", "object_id", "access"):
        assert set(access) == expected.get((ct, oid), set()), (ct, oid)
    for model in (IncomingLetter, OutgoingLetter):
        ct = ContentType.objects.get_for_model(model).pk
        for oid, tokens in model.objects.values_list("pk", "access_tokens"):
            assert set(tokens) == expected.get((ct, oid), set()), (model.__name__, oid)


def assert_equals_rebuild() -> set[tuple]:
    incremental = _rows()
    assert incremental, "the flow wrote no access rows"
    assert_search_tokens_current()
    access_rebuild()
    rebuilt = _rows()
    assert incremental == rebuilt, {
        "missing": rebuilt - incremental,
        "extra": incremental - rebuilt,
    }
    assert_search_tokens_current()
    return rebuilt


def test_letters_flow_equals_rebuild_and_the_reply_opens_to_our_executor(org):
    """GIVEN an incoming letter resolved with a co-executor and a subtask, its open task handed
    to a deputy, an outgoing reply drafted, an outgoing letter submitted for approval, its
    executor changed, and the counterparty's letter answering it registered
    THEN the table equals a rebuild, the executor of our letter sees the reply, the previous
    executor no longer sees the outgoing letter, and an outsider sees nothing."""
    w = build_world(org)
    letter = register(
        w["office"], entity=w["entity"], counterparty=w["government"], responsible=w["seller"]
    )
    resolution = tasks_of(letter).get(kind=KIND_RESOLUTION, status=TaskStatus.OPEN)
    incoming_services.resolution_complete(
        task_id=resolution.pk,
        user=w["gendir"],
        data={
            "resolution": "Подготовить ответ совместно",
            "co_executors": [w["seller2"]],
            "subtasks": [
                {"title": "Проверить", "assignee": w["lawyer"], "due_date": control_in(3)}
            ],
        },
    )
    subtask = tasks_of(letter).get(assignee=w["lawyer"], status=TaskStatus.OPEN, parent=resolution)
    task_reassign(task_id=subtask.pk, to_user=w["director"], reason="отпуск")
    answer = incoming_services.outgoing_reply_draft_create(
        letter=letter, user=w["seller"], text="Ответ"
    )

    ours = outgoing_services.outgoing_create(
        user=w["seller"],
        legal_entity=w["entity"],
        counterparty=w["tenant"],
        subject="О продлении аренды",
        executor=w["seller"],
        control_date=control_in(10),
        files=[stored_pdf(w["seller"], "pismo.pdf")],
    )
    outgoing_services.outgoing_update(
        letter_id=ours.pk, user=w["seller"], data={"executor": w["seller2"]}
    )
    outgoing_services.outgoing_submit(letter_id=ours.pk, user=w["seller"])
    reply = register(
        w["office"], entity=w["entity"], counterparty=w["tenant"], answers_outgoing=ours
    )
    assert_equals_rebuild()

    assert selectors.incoming_visible_to(w["seller2"]).filter(pk=reply.pk).exists()
    assert selectors.incoming_visible_to(w["director"]).filter(pk=letter.pk).exists()
    assert selectors.incoming_visible_to(w["lawyer"]).filter(pk=letter.pk).exists()
    assert not selectors.incoming_visible_to(w["outsider"]).filter(pk=letter.pk).exists()
    assert not selectors.outgoing_visible_to(w["outsider"]).filter(pk=ours.pk).exists()
    assert selectors.outgoing_visible_to(w["seller2"]).filter(pk=ours.pk).exists()
    # who sees the incoming letter sees our answer to it (rows copied from the letter)
    assert selectors.outgoing_visible_to(w["director"]).filter(pk=answer.pk).exists()
    assert selectors.outgoing_visible_to(w["office"]).filter(pk=answer.pk).exists()


def test_contract_flow_equals_rebuild(org):
    """GIVEN a contract submitted, prepared and approved by its first group
    THEN the table equals a rebuild and every participant sees it, an outsider does not."""
    t = theatre(org)
    contract = new_contract(t)
    contract_services.contract_submit(contract_id=contract.pk, user=t["seller"])
    decide(contract, t["docspec"])
    approver = pending(contract)[0]
    decide(contract, t[approver])
    assert_equals_rebuild()
    assert contracts_visible_to(t["docspec"]).filter(pk=contract.pk).exists()
    assert contracts_visible_to(t[approver]).filter(pk=contract.pk).exists()
    outsider = employee("outsider", org["departments"]["legal"])
    assert not contracts_visible_to(outsider).filter(pk=contract.pk).exists()


def test_memo_flow_equals_rebuild(db):
    """GIVEN a memo approved by two heads and resolved by the general director with two
    executors and a reader THEN the table equals a rebuild and the executors see the memo."""
    w = memo_world()
    memo = write(w, acknowledgers=[w["office"]])
    memo_services.memo_submit(memo_id=memo.pk, user=w["clerk"])
    for head in ("rent_head", "sales_head"):
        step_decide(task_id=open_task(memo, w[head]).pk, user=w[head], decision="approve")
    executors = [(w["seller"], in_days(3)), (w["lawyer"], in_days(5))]
    data = decision(resolution="Отремонтировать", executors=executors, acknowledgers=[w["jurist"]])
    memo_services.memo_decide(task_id=open_task(memo, w["gendir"]).pk, user=w["gendir"], data=data)
    assert_equals_rebuild()
    assert memos_visible_to(w["seller"]).filter(pk=memo.pk).exists()
    assert not memos_visible_to(w["office"]).filter(pk=memo.pk).exists()  # reads it later


def test_rebuild_command_prints_the_row_count(org):
    """GIVEN the table emptied (every letter's tokens emptied with it) WHEN it is rebuilt THEN
    the rows come back and so do the letters' tokens (written once by the rebuild, the
    per-statement triggers being off meanwhile), and the registrar finds the letter again."""
    w = build_world(org)
    letter = register(w["office"], entity=w["entity"], counterparty=w["tenant"])
    before = _rows()
    DocumentAccess.objects.all().delete()
    assert IncomingLetter.objects.get(pk=letter.pk).access_tokens == []
    call_command("rebuild_document_access")
    assert _rows() == before
    assert_search_tokens_current()
    registers = selectors.register_queryset(w["office"])
    assert registers.filter(pk=letter.pk).exists()


@pytest.mark.parametrize("role", ["office", "seller"])
def test_registrar_sees_only_through_the_table(org, role):
    """GIVEN a letter registered by the office manager THEN without its rows nobody but the
    role-wide readers sees it (the predicate reads the table, not the letter's fields)."""
    w = build_world(org)
    letter = register(w["office"], entity=w["entity"], counterparty=w["tenant"])
    DocumentAccess.objects.filter(object_id=letter.pk).delete()
    assert not selectors.incoming_visible_to(w[role]).filter(pk=letter.pk).exists()


def test_moving_an_employee_moves_the_heads_who_see_their_letters(org):
    """GIVEN a letter registered by the office manager (board) WHEN she moves to sales THEN
    the table still equals a rebuild: the sales head sees the letter."""
    w = build_world(org)
    letter = register(w["office"], entity=w["entity"], counterparty=w["tenant"])
    assert not selectors.incoming_visible_to(w["sales_head"]).filter(pk=letter.pk).exists()
    employee_row = w["office"].employee
    employee_row.department = org["departments"]["sales"]
    employee_row.save()
    assert_equals_rebuild()
    assert selectors.incoming_visible_to(w["sales_head"]).filter(pk=letter.pk).exists()


def test_a_letter_saved_from_a_stale_copy_keeps_its_tokens(org, client):
    """GIVEN a letter loaded before a co-executor was added to it WHEN that copy is saved
    THEN the letter still carries the co-executor's token (the database recomputes what a stale
    copy writes), so their text search in the register finds it; and the rule read from the
    tokens equals the rule read from the table for every person."""
    w = build_world(org)
    letter = register(
        w["office"],
        entity=w["entity"],
        counterparty=w["government"],
        responsible=w["seller"],
        subject="О ремонте кровли",
    )
    stale = IncomingLetter.objects.get(pk=letter.pk)
    token = f"u{w['seller2'].pk}"
    assert token not in stale.access_tokens
    resolution = tasks_of(letter).get(kind=KIND_RESOLUTION, status=TaskStatus.OPEN)
    incoming_services.resolution_complete(
        task_id=resolution.pk,
        user=w["gendir"],
        data={"resolution": "Совместно", "co_executors": [w["seller2"]], "subtasks": []},
    )
    stale.summary = "Правка из старой копии"
    stale.save()
    letter = IncomingLetter.objects.get(pk=letter.pk)
    assert letter.summary == "Правка из старой копии"
    assert token in letter.access_tokens
    assert_search_tokens_current()
    for name in ("gendir", "office", "seller", "seller2", "sales_head", "outsider"):
        by_table = set(selectors.incoming_visible_to(w[name]).values_list("pk", flat=True))
        by_tokens = set(
            selectors.incoming_visible_to(w[name], by_tokens=True).values_list("pk", flat=True)
        )
        assert by_table == by_tokens, name
    for name, found in (("seller2", True), ("outsider", False)):
        client.force_login(w[name])
        page = client.get("/letters/incoming/", {"q": "кровли"}).content.decode()
        assert (letter.reg_number in page) is found, name


def test_a_stale_letter_token_never_shows_a_row(org, client):
    """The registers read the letters' tokens; the page's rows are still checked by the access
    table. GIVEN a letter that wrongly carries the outsider's token (as a bulk write that
    bypassed the triggers could leave it) WHEN the outsider opens or searches the register THEN
    its row is not shown; the registrar still sees it."""
    from django.db import connection

    w = build_world(org)
    letter = register(
        w["office"], entity=w["entity"], counterparty=w["tenant"], subject="Претензия по кровле"
    )
    outsider = w["outsider"]
    stored = IncomingLetter.objects.filter(pk=letter.pk)
    tokens = stored.values_list("access_tokens", flat=True).get()
    assert f"u{w['office'].pk}" in tokens
    with connection.cursor() as cursor:
        # the letters' trigger recomputes the tokens on every write: set one behind its back
        cursor.execute("SET session_replication_role = replica")
        try:
            stored.update(access_tokens=[*tokens, f"u{outsider.pk}"])
        finally:
            cursor.execute("SET session_replication_role = origin")
    assert selectors.incoming_visible_to(outsider, by_tokens=True).filter(pk=letter.pk).exists()
    for name, shown in (("outsider", False), ("office", True)):
        client.force_login(w[name])
        for query in ({}, {"q": "кровле"}):
            page = client.get("/letters/incoming/", query).content.decode()
            assert (letter.reg_number in page) is shown, (name, query)
