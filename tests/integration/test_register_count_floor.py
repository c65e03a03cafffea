"""An unfiltered register of someone who sees part of the letters answers «более N» from the
access table's ordered index ranges instead of counting the semi-join; it must never claim more
than the real count, and a filtered register still counts exactly."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from argo_docs import paging
from correspondence import register as register_module
from correspondence import selectors
from correspondence.models import IncomingLetter
from correspondence.testing import build_world, register


@pytest.fixture
def world(org):
    w = build_world(org)
    for i in range(6):
        register(
            w["office"],
            entity=w["entity"],
            counterparty=w["tenant"],
            responsible=w["seller"],
            subject=f"Письмо о ремонте {i}",
            files=[],
        )
    return w


def test_floor_is_a_lower_bound_for_every_role(world):
    for name in ("sales_head", "seller", "office", "outsider"):
        user = world[name]
        floor = selectors.unfiltered_count_floor(user, IncomingLetter)
        assert floor(1_000) <= selectors.incoming_visible_to(user).count(), name
    assert selectors.unfiltered_count_floor(world["gendir"], IncomingLetter) is None


def test_past_the_cap_the_paginator_does_not_count(world):
    head = world["sales_head"]
    letters = selectors.incoming_visible_to(head)
    assert letters.count() == 6
    floor = selectors.unfiltered_count_floor(head, IncomingLetter)
    paginator = paging.CappedPaginator(letters, 25, cap=3, floor=floor)
    with CaptureQueriesContext(connection) as captured:
        assert paginator.capped and paginator.count == 3
    assert not any(
        "COUNT(*) FROM (SELECT" in q["sql"] and "incomingletter" in q["sql"] for q in captured
    )
    # under the cap the exact count decides
    exact = paging.CappedPaginator(letters, 25, cap=10, floor=floor)
    assert not exact.capped and exact.count == 6


def test_register_pages_say_more_than_the_cap_with_and_without_filters(client, world, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    monkeypatch.setattr(paging, "SEARCH_COUNT_CAP", 4)
    client.force_login(world["sales_head"])
    page = client.get("/letters/incoming/").content.decode()
    assert "более 3 писем" in page
    page = client.get("/letters/incoming/", {"q": "ремонте"}).content.decode()
    assert "более 4 писем" in page
    page = client.get("/letters/incoming/", {"q": "ремонте 5"}).content.decode()
    assert "1 письмо" in page


def _matches(world, sort: str):
    """The registrar's letters about «ремонте», in the register's order for ``sort``."""
    return register_module.apply_sort(
        selectors.incoming_visible_to(world["office"]).filter(subject__icontains="ремонте"), sort
    )


def test_a_text_search_with_few_matches_is_sorted_like_the_register(client, world):
    """The paginator sorts a few matches itself (an order no index serves) instead of walking
    the date index; the rows and their order are the register's own, in both directions."""
    client.force_login(world["office"])
    for sort in ("-registered", "registered", "subject", "-status"):
        html = client.get("/letters/incoming/", {"q": "ремонте", "sort": sort}).content.decode()
        letters = _matches(world, sort)
        expected = [letter.subject for letter in letters]
        positions = [html.index(f">{subject}<") for subject in expected]
        assert positions == sorted(positions), sort
        sparse = register_module.apply_sort(letters, sort, searching=True)
        assert "COALESCE" in str(sparse.query) or sort == "-status"
        assert list(sparse) == list(letters)


def test_few_matches_run_the_text_match_and_the_rule_once_per_page(client, world, monkeypatch):
    """The count reads the matches' ids; the page then orders those ids by themselves, so the
    text match and the visibility rule run for the count and for the page's 25 rows only (not a
    third time to order them), and every page holds the next matches in the register's order."""
    monkeypatch.setattr(register_module, "PAGE_SIZES", (2, 25))
    client.force_login(world["office"])
    expected = [letter.subject for letter in _matches(world, "subject")]
    shown = []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as captured:
            html = client.get(
                "/letters/incoming/", {"q": "ремонте", "sort": "subject", "page": number}
            ).content.decode()
        matched = [
            q["sql"] for q in captured if "LIKE" in q["sql"] and "incomingletter" in q["sql"]
        ]
        assert len(matched) == 2, matched
        shown += [subject for subject in expected if f">{subject}<" in html]
    assert shown == expected


def test_past_the_search_cap_the_pages_keep_the_register_order(client, world, monkeypatch):
    """GIVEN 6 matches of a text search and a search cap of 4 THEN the total reads «более 4
    писем», the two reachable pages hold the first four matches in the register's order (not
    four arbitrary ones sorted), and a deeper link shows the last page and asks to narrow."""
    monkeypatch.setattr(paging, "SEARCH_COUNT_CAP", 4)
    monkeypatch.setattr(register_module, "PAGE_SIZES", (2, 25))
    client.force_login(world["office"])
    expected = [letter.subject for letter in _matches(world, "-subject")]
    assert len(expected) == 6
    shown = []
    for number in (1, 2):
        html = client.get(
            "/letters/incoming/", {"q": "ремонте", "sort": "-subject", "page": number}
        ).content.decode()
        assert "более 4 писем" in html
        shown += [subject for subject in expected if f">{subject}<" in html]
    assert shown == expected[:4]
    html = client.get(
        "/letters/incoming/", {"q": "ремонте", "sort": "-subject", "page": 3}
    ).content.decode()
    assert 'data-testid="too-deep"' in html and f">{expected[3]}<" in html
