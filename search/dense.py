"""A common word searched by someone who may open a large part of the archive.

The usual statement builds the word's and the viewer's bitmaps inside the kind's index and keeps
the first ``BOUND`` matches in the table's order. When both posting lists are huge (the
registrar, who sees a third of the incoming letters, looking for a word in nearly all of them),
intersecting them costs about 50 ms at 1M letters, whatever the bound: a bitmap is built whole
before its first row is read. Reading the kind's rows in the table's order and testing the word
and the tokens on each finds the first ``BOUND`` matches in the same order after a few thousand
rows (7 ms). The two may differ at the bound's very edge: an entry rewritten in place (a status
change) stands where the bitmap names its first version, and the walk meets it where it is now,
further on in the same page. Either set is the first ``BOUND`` matches of a word too common to
rank whole.

Which searches are that dense is read from the planner's own statistics of the index (the
share of entries holding each word, each access token and each kind), kept for a few minutes per
process. The walk reads at most a few times the rows the estimate needs; when it falls short
(the matches sit further on in the table), the search goes the usual way, so a wrong estimate
costs time and never a hit."""

from __future__ import annotations

import math
import time

from django.db import connection, transaction

from search.models import SearchEntry

# below this estimated share of a kind's entries the walk would read too many rows for its bound
MIN_DENSITY = 0.15
# the walk reads the table and skips the other kinds' rows: only a kind that fills most of it
MIN_KIND_SHARE = 0.5
# the walk reads up to this many times the rows the estimate needs, and never more than
# ``MAX_WALK`` (about 15 ms at 1M letters when the estimate was wrong)
SLACK = 3
MAX_WALK = 20_000
STATS_SECONDS = 600

_stats: dict = {"at": -math.inf, "vector": {}, "access": {}, "kind": {}}


def _frequencies() -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """{lexeme: share of entries}, {access token: share}, {kind: share}, from ``pg_stats`` (the
    most common elements and values ANALYZE keeps for each column), read again every few
    minutes."""
    now = time.monotonic()
    if now - _stats["at"] > STATS_SECONDS:
        found: dict[str, dict[str, float]] = {"vector": {}, "access": {}, "kind": {}}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attname, most_common_elems::text::text[], most_common_elem_freqs,"
                " most_common_vals::text::text[], most_common_freqs"
                " FROM pg_stats WHERE schemaname = current_schema() AND tablename = %s"
                " AND attname IN ('vector', 'access', 'kind')",
                [SearchEntry._meta.db_table],
            )
            for column, elements, element_shares, values, value_shares in cursor.fetchall():
                if column == "kind":
                    found[column] = dict(zip(values or [], value_shares or [], strict=True))
                else:
                    # the shares of elements end with their minimum, maximum and null share
                    found[column] = dict(zip(elements or [], element_shares or [], strict=False))
        _stats.update(at=now, **found)
    return _stats["vector"], _stats["access"], _stats["kind"]


def forget() -> None:
    """Read the statistics again on the next search (after ANALYZE in tests and benches)."""
    _stats["at"] = -math.inf


def lexemes(text: str) -> list[str]:
    """The words of ``text`` (already cleaned) as the index holds them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(to_tsvector('russian', %s))", [text])
        (found,) = cursor.fetchone()
    return found or []


def token_share(tokens: list[str]) -> float:
    """The estimated share of entries holding one of ``tokens``: no kind's walk is dense for a
    viewer below ``MIN_DENSITY`` here, whatever the words."""
    _frequent, access, _kinds = _frequencies()
    return min(1.0, sum(access.get(token, 0.0) for token in tokens))


def density(kind: str, words: list[str], tokens: list[str]) -> float:
    """The estimated share of the kind's entries holding every one of ``words`` (lexemes) and one
    of ``tokens``; 0 when a word or every token is rare enough to be missing from the statistics.

    The statistics count over every kind. A word's share within the kind is taken at its least:
    as if every other kind's entry held it (a word common in the letters is no promise for the
    companies). A token's is taken as its share of the table, which is no more than within the
    kinds that hold it."""
    frequent, _access, kinds = _frequencies()
    kind_share = kinds.get(kind, 0.0)
    if not words or kind_share < MIN_KIND_SHARE:
        return 0.0
    share = token_share(tokens)
    for word in words:
        share *= max(0.0, (frequent.get(word, 0.0) - (1.0 - kind_share)) / kind_share)
    return share


def first_matches(kind: str, text: str, tokens: list[str], share: float, bound: int):
    """The ids of the kind's first ``bound`` entries in the table's order holding every word of
    ``text`` and one of ``tokens`` (the rows the usual statement's bitmaps give, but for the edge
    noted above), or None when the walk did not find that many within its reach."""
    reach = min(MAX_WALK, math.ceil(SLACK * bound / share))
    walk = SearchEntry.objects.filter(kind=kind).order_by().values("id", "vector", "access")
    walk_sql, walk_params = walk[:reach].query.sql_with_params()
    sql = (
        f"SELECT w.id FROM ({walk_sql}) AS w"  # noqa: S608 - Django's own SQL with parameters
        " WHERE w.vector @@ plainto_tsquery('russian'::regconfig, %s)"
        " AND w.access && %s::varchar(24)[] LIMIT %s"
    )
    # for this statement only: the table in its order from its first page (a scan joining another
    # one under way would start in the middle), in one process. The settings are local to a
    # savepoint that is rolled back once the ids are read: it held nothing else, and an error
    # inside it comes out as it is
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('enable_seqscan', 'on', true),"
            " set_config('enable_bitmapscan', 'off', true),"
            " set_config('enable_indexscan', 'off', true),"
            " set_config('synchronize_seqscans', 'off', true),"
            " set_config('max_parallel_workers_per_gather', '0', true)"
        )
        cursor.execute(sql, [*walk_params, text, tokens, bound])
        ids = [pk for (pk,) in cursor.fetchall()]
        transaction.set_rollback(True)
    return ids if len(ids) == bound else None
