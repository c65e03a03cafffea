"""The contracts board: every type at once or one, search, filters kept in «и ещё N» (which opens
that column alone, page by page), totals counted in SQL at a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import kanban
from contracts.testing import new_contract, theatre


@pytest.fixture
def t(org):
    return theatre(org)


def _board(client, user, **params):
    client.force_login(user)
    return client.get(reverse("contracts:kanban"), params)


def _column(response, kind):
    return next(c for c in response.context["columns"] if c.kind == kind)


def test_all_types_are_on_one_board_by_default(client, t):
    """GIVEN an income and an expense draft WHEN the board opens without a type
    THEN both are on the draft column of «все типы», each card naming its type."""
    income = new_contract(t, contract_type=t["income"], subject="Аренда сцены")
    expense = new_contract(t, contract_type=t["expense"], subject="Прожекторы")
    response = _board(client, t["seller"])
    page = response.content.decode()
    assert "все типы" in page
    draft = _column(response, "draft")
    assert {c.pk for c in draft.cards} == {income.pk, expense.pk}
    assert t["income"].name in page and t["expense"].name in page
    only = _board(client, t["seller"], contract_type=t["income"].pk)
    assert [c.pk for c in _column(only, "draft").cards] == [income.pk]


def test_search_finds_by_subject_counterparty_or_number_words(client, t):
    """GIVEN two drafts WHEN «свет прож» (words of the counterparty and the subject) is searched
    THEN only the matching one is on the board and the totals count only it."""
    found = new_contract(t, subject="Поставка прожекторов")
    new_contract(t, subject="Пошив костюмов")
    response = _board(client, t["seller"], q="свет прож")
    draft = _column(response, "draft")
    assert [c.pk for c in draft.cards] == [found.pk]
    assert draft.total == 1
    by_number = _board(client, t["seller"], q=found.number)
    assert found.pk in [c.pk for c in _column(by_number, "draft").cards]


def test_and_more_keeps_the_filters_and_opens_the_column_page_by_page(client, t, monkeypatch):
    """GIVEN five drafts matching a search and a board of two cards per column WHEN the board is
    searched THEN «и ещё 3» links the draft column alone with the same search and type;
    WHEN followed THEN it shows that column only, page 1 of 3, with the filters kept in the
    page links."""
    monkeypatch.setattr(kanban, "KANBAN_CARDS_PER_COLUMN", 2)
    for i in range(5):
        new_contract(t, contract_type=t["income"], subject=f"Гастроли {i}")
    new_contract(t, contract_type=t["income"], subject="Другое")
    response = _board(client, t["seller"], q="Гастроли", contract_type=t["income"].pk)
    draft = _column(response, "draft")
    assert draft.total == 5 and draft.hidden == 3
    search = "q=%D0%93%D0%B0%D1%81%D1%82%D1%80%D0%BE%D0%BB%D0%B8"  # «Гастроли»
    assert draft.more_url == f"?{search}&contract_type={t['income'].pk}&column=draft"
    assert 'data-testid="kanban-more"' in response.content.decode()
    alone = client.get(reverse("contracts:kanban") + draft.more_url)
    assert [c.kind for c in alone.context["columns"]] == ["draft"]
    assert alone.context["board"].page.paginator.num_pages == 3
    page = alone.content.decode()
    assert f"{draft.more_url.replace('&', '&amp;')}&page=2" in page
    last = client.get(reverse("contracts:kanban") + draft.more_url + "&page=3")
    assert len(last.context["columns"][0].cards) == 1


def test_the_board_runs_a_constant_number_of_queries_for_every_type(client, t):
    """GIVEN 2 then 12 contracts of two types WHEN the board of all types is opened
    THEN the number of queries stays the same (totals by one GROUP BY, cards by one window)."""
    client.force_login(t["sales_head"])
    for i in range(2):
        new_contract(t, contract_type=t["income"], subject=f"Малый {i}")
    client.get(reverse("contracts:kanban"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("contracts:kanban"))
    for i in range(10):
        new_contract(t, contract_type=t["expense" if i % 2 else "income"], subject=f"Большой {i}")
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("contracts:kanban"))
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
