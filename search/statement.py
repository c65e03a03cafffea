"""The SQL of one search: every kind's bounded, ranked page in a single statement.

Per kind, the candidates are the entries of that kind that match (the full-text query, or the
title trigrams in the fallback pass), pass the filters and the viewer's visibility, at most
``BOUND`` of them; the exact number matches (at most ``EXACT_BOUND``) are added. Only these
candidates are ranked and counted, so a word found in half the archive costs no more than one found
in five thousand letters. Visibility is the kind's own rule: its ``visible(user)`` queryset, reduced
to the access table's subquery when the rule has that shape (see ``visible_ids``), so the planner
joins the entries with the access table's index and not with the document table. When the rule is
the access table, the viewer's access tokens pick the candidates inside the word's index and the
exact rule checks only the bounded candidates: checked before the bound, it made the planner read
and sort every match of a common word (17k for the registrar) to merge them with the access rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import BooleanField, ExpressionWrapper, F, FloatField, Q, QuerySet, Value
from django.db.models.lookups import In
from django.db.models.sql.query import Query

from search.models import SearchEntry
from workflow.models import DocumentAccess

# hits ranked and counted per kind: a common word stays as fast as a rare one. Each candidate is a
# random read of its entry and its rank: at 1M letters 5,000 of them cost 14 ms a kind after the
# word's bitmap, 2,000 about 6 ms. A word common in two kinds («кровли» in letters both ways)
# took the whole search to 46 ms with 5,000 and to 33 ms with 2,000; past the bound a group
# reads «более 2 000» and the person narrows the search (kind, period, counterparty)
BOUND = 2_000
EXACT_BOUND = 200

NOTHING = object()  # the viewer may open no object of the kind


def visible_ids(item, user):
    """What restricts ``object_id`` for ``user``: None when the viewer may open every object of
    the kind (its entries are exactly its objects: every write and the rebuild keep them so),
    ``NOTHING`` when none, else a subquery of ids. A rule of the form
    ``Model.objects.filter(pk__in=<ids>)`` (the access table's predicate) gives ``<ids>`` itself:
    the document table between the entries and the access rows changes nothing but the plan."""
    visible = item.visible(user)
    query = visible.query
    if query.is_empty():
        return NOTHING
    plain = not query.is_sliced and not query.distinct and len(query.alias_map) <= 1
    where = query.where
    if plain and not where.children:
        return None
    if plain and len(where.children) == 1 and not where.negated:
        lookup = where.children[0]
        target = getattr(getattr(lookup, "lhs", None), "target", None)
        by_pk = target is not None and target.primary_key and target.model is visible.model
        if isinstance(lookup, In) and isinstance(lookup.rhs, Query) and by_pk:
            return lookup.rhs
    return visible.values("pk")


@dataclass
class Candidates:
    """A kind's entries that pass the filters (and the viewer's access tokens), and the exact
    visibility rule to check on the bounded candidates (None: already in ``entries``)."""

    entries: QuerySet
    exact: Query | None = None


@dataclass
class Search:
    """What is looked for: the full-text query (None when the text has no word), the exact keys,
    the folded text for the trigram fallback (empty outside the fallback pass)."""

    ts_query: SearchQuery | None
    codes: list[str]
    fuzzy_text: str = ""


def _candidates(base: Candidates, search: Search, condition: Q, bound: int) -> tuple[str, list]:
    """One bounded candidate set with its ranking keys: exact number, rank, title similarity."""
    if search.codes:
        exact = ExpressionWrapper(Q(codes__overlap=search.codes), output_field=BooleanField())
    else:
        exact = Value(False, output_field=BooleanField())
    if search.ts_query is not None and not search.fuzzy_text:
        rank = SearchRank(F("vector"), search.ts_query)
    else:
        rank = Value(0.0, output_field=FloatField())
    if search.fuzzy_text:
        similarity = TrigramWordSimilarity(Value(search.fuzzy_text), "title_norm")
    else:
        similarity = Value(0.0, output_field=FloatField())
    qs = (
        base.entries.filter(condition)
        .annotate(ex=exact, rk=rank, sm=similarity)
        .values("id", "object_id", "ex", "rk", "sm", "date")
        .order_by()[:bound]
    )
    sql, params = qs.query.sql_with_params()
    params = list(params)
    if base.exact is None:
        return f"({sql})", params
    exact_sql, exact_params = base.exact.sql_with_params()
    sql = f"(SELECT * FROM ({sql}) AS b WHERE b.object_id IN ({exact_sql}))"  # noqa: S608
    return sql, [*params, *exact_params]


def kind_block(base: Candidates, kind: str, search: Search, limit: int, offset: int):
    """(sql, params) of one kind's page: rows (kind, id, total of the bounded set, then the
    ranking keys: see ``page_order``). None when there is nothing to look for."""
    parts = []
    if search.fuzzy_text:
        parts.append(
            _candidates(base, search, Q(title_norm__trigram_word_similar=search.fuzzy_text), BOUND)
        )
    else:
        if search.ts_query is not None:
            parts.append(_candidates(base, search, Q(vector=search.ts_query), BOUND))
        if search.codes:
            parts.append(_candidates(base, search, Q(codes__overlap=search.codes), EXACT_BOUND))
    if not parts:
        return None
    params: list = []
    for _sql, part_params in parts:
        params.extend(part_params)
    if len(parts) == 1:
        hits = f"SELECT id, ex, rk, sm, date AS dt FROM {parts[0][0]} AS c"
    else:
        union = " UNION ALL ".join(sql for sql, _params in parts)
        # a letter that matches both the words and the number is one hit
        hits = (
            "SELECT id, bool_or(ex) AS ex, max(rk) AS rk, max(sm) AS sm, max(date) AS dt"
            f" FROM ({union}) AS c GROUP BY id"
        )
    # the window counts the whole bounded set before ORDER BY ... LIMIT keeps one page
    sql = (
        f"(SELECT %s AS kind, id, count(*) OVER () AS total, ex, rk, sm, dt FROM ({hits}) AS h"
        " ORDER BY ex DESC, rk DESC, sm DESC, dt DESC NULLS LAST, id DESC LIMIT %s OFFSET %s)"
    )  # noqa: S608 - the parts are Django's own SQL with parameters
    return sql, [kind, *params, limit, offset]


def access_rows(ids) -> bool:
    """Is ``ids`` (from ``visible_ids``) the access table's subquery?"""
    return isinstance(ids, Query) and ids.model is DocumentAccess


def entries_of(kind: str, ids, filters, tokens: list[str] | None = None) -> Candidates:
    """The entries of ``kind`` among ``ids`` (None: all) that pass the filters. ``tokens``: the
    viewer's access tokens when ``ids`` is the access table's subquery; the entries' own tokens
    then narrow the word's matches inside the index, and ``ids`` stays the exact rule, checked on
    the bounded candidates."""
    qs = SearchEntry.objects.filter(kind=kind)
    exact = None
    if tokens:
        qs = qs.filter(access__overlap=tokens)
        exact = ids
    elif ids is not None:
        qs = qs.filter(object_id__in=ids)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    if filters.counterparty_id:
        qs = qs.filter(counterparty_id=filters.counterparty_id)
    if filters.legal_entity_id:
        qs = qs.filter(legal_entity_id=filters.legal_entity_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return Candidates(qs, exact)


def page_order(row) -> tuple:
    """The order of ``kind_block``'s ORDER BY, for rows of several blocks read together (UNION ALL
    promises no order across its parts)."""
    _kind, pk, _total, exact, rank, similarity, date = row
    return (not exact, -rank, -similarity, date is None, -(date.toordinal() if date else 0), -pk)
