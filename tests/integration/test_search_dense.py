"""A word common among the letters a viewer may open: the candidates come from a walk of the
table (``search.dense``) instead of the index's bitmaps, and nothing changes for the viewer: the
same visibility, the same count past the bound, every hit when the walk falls short."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from correspondence.testing import build_world, register
from search import dense, query, statement
from search.models import SearchEntry
from search.query import Filters, search

pytestmark = pytest.mark.django_db

BOUND = 10


@pytest.fixture
def world(org, monkeypatch):
    """The seller is responsible for 12 letters about the roof, one a day back from today; 30
    more letters hold the word and are not theirs. The bound is 10, so the seller's word is
    dense: nearly every entry holds it and a quarter carry the seller's token."""
    world = build_world(org)
    today = timezone.localdate()
    world["mine"] = [
        register(
            world["office"],
            entity=world["entity"],
            counterparty=world["tenant"],
            subject=f"Протечка кровли, корпус {n}",
            received_on=today - dt.timedelta(days=n),
            responsible=world["seller"],
        )
        for n in range(12)
    ]
    for n in range(30):
        register(
            world["office"],
            entity=world["entity"],
            counterparty=world["tenant"],
            subject=f"Ремонт кровли, секция {n}",
        )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SearchEntry._meta.db_table}")
    dense.forget()
    monkeypatch.setattr(query, "BOUND", BOUND)
    monkeypatch.setattr(statement, "BOUND", BOUND)
    yield world
    dense.forget()


def _incoming(groups):
    return next(g for g in groups if g.kind == "incoming")


@pytest.fixture
def walks(monkeypatch):
    """What each walk of the search returned (the real walk, recorded)."""
    found = []
    real = dense.first_matches

    def recorded(*args, **kwargs):
        found.append(real(*args, **kwargs))
        return found[-1]

    monkeypatch.setattr(dense, "first_matches", recorded)
    return found


def test_the_statistics_see_the_word_and_the_viewer_as_dense(world):
    seller = world["seller"]
    tokens = [f"u{seller.pk}"]
    assert dense.density("incoming", dense.lexemes("кровли"), tokens) >= dense.MIN_DENSITY
    assert dense.density("incoming", dense.lexemes("неустойка"), tokens) == 0.0
    # the companies' entries are few: the word's share of the table promises nothing for them
    assert dense.density("company", dense.lexemes("кровли"), tokens) == 0.0


def test_a_dense_word_is_walked_and_counted_as_the_index_counts_it(world, walks, monkeypatch):
    """GIVEN 12 of the seller's letters hold the word, over the bound WHEN the seller searches
    THEN the walk finds the bound; the count reads «more than» the bound, as through the index,
    and every hit is one of the seller's letters."""
    seller = world["seller"]
    walked = _incoming(search(seller, "кровля", per_kind=20))
    assert len(walks) == 1 and len(walks[0]) == BOUND
    monkeypatch.setattr(dense, "MIN_DENSITY", 2.0)  # no share reaches it: the index only
    indexed = _incoming(search(seller, "кровля", per_kind=20))
    assert len(walks) == 1
    assert walked.capped and walked.count == indexed.count == BOUND
    assert len(walked.hits) == BOUND
    assert {hit.object_id for hit in walked.hits} <= {letter.pk for letter in world["mine"]}


def test_the_walk_still_checks_the_exact_rule(world, walks):
    """GIVEN every letter's entry carries the outsider's token behind the triggers' back WHEN the
    outsider, who may open none of them, searches THEN no hit and no count, though the walk
    found its bound among those entries."""
    outsider = world["outsider"]
    entries = SearchEntry.objects.filter(kind="incoming")
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            for entry in entries:
                entries.filter(pk=entry.pk).update(access=[*entry.access, f"u{outsider.pk}"])
        finally:
            cursor.execute("SET session_replication_role = origin")
        cursor.execute(f"ANALYZE {SearchEntry._meta.db_table}")
    dense.forget()
    assert dense.token_share([f"u{outsider.pk}"]) >= dense.MIN_DENSITY
    assert [g for g in search(outsider, "кровля") if g.kind == "incoming"] == []
    assert len(walks) == 1 and len(walks[0]) == BOUND


def test_when_the_walk_falls_short_every_match_is_found(world, walks, monkeypatch):
    """GIVEN a walk that reads 5 entries for a bound of 11 WHEN the seller searches THEN the walk
    gives up and the usual statement counts the seller's 12 letters (11, more than the bound)."""
    monkeypatch.setattr(query, "BOUND", 11)
    monkeypatch.setattr(statement, "BOUND", 11)
    monkeypatch.setattr(dense, "MAX_WALK", 5)
    group = _incoming(search(world["seller"], "кровля", per_kind=20))
    assert walks == [None]
    assert group.capped and group.count == 11 and len(group.hits) == 11
    assert {hit.object_id for hit in group.hits} <= {letter.pk for letter in world["mine"]}


def test_a_narrowed_search_goes_the_usual_way(world, walks):
    """A period, counterparty or status filter may leave few matches among many entries: the
    search counts them through the index, all of them."""
    today = timezone.localdate()
    filters = Filters(date_from=today - dt.timedelta(days=3))
    group = _incoming(search(world["seller"], "кровля", filters, per_kind=20))
    assert walks == []
    assert not group.capped and group.count == 4


def test_the_walks_planner_settings_end_with_it(world):
    """GIVEN a transaction under way (a request's) WHEN a walk runs in it THEN it finds the
    seller's letters, and the rest of the transaction plans with its indexes again (the walk
    turns them off for itself only)."""
    seller = world["seller"]
    tokens = [f"u{seller.pk}"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_bitmapscan')")
        before = cursor.fetchone()[0]
        ids = dense.first_matches("incoming", "кровля", tokens, 0.5, BOUND)
        assert len(ids) == BOUND
        assert set(SearchEntry.objects.filter(pk__in=ids).values_list("object_id", flat=True)) <= {
            letter.pk for letter in world["mine"]
        }
        cursor.execute(
            "SELECT current_setting('enable_bitmapscan'), current_setting('enable_indexscan'),"
            " current_setting('synchronize_seqscans')"
        )
        assert cursor.fetchone() == (before, "on", "on")
