"""Running a search for one viewer: per kind, the hits the viewer may open (the kind's own
visibility rule as a subquery), at most ``BOUND`` of them ranked (exact numbers first, then the
weighted full-text rank, then trigram similarity of the title), with highlighted fragments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, FloatField, Q, QuerySet, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search import providers
from search.models import SearchEntry
from search.text import clean, query_codes

BOUND = 10_000  # hits ranked per kind: a common word stays as fast as a rare one
EXACT_BOUND = 200
MIN_TRIGRAM_LENGTH = 4
WORD_SIMILARITY = 0.5  # pg_trgm's default 0.6 misses one dropped letter in a short name
_START, _STOP = "\x02", "\x03"  # markers no document holds; replaced after escaping
_EMPTY = mark_safe("")


@dataclass
class Filters:
    kinds: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    counterparty_id: int | None = None
    legal_entity_id: int | None = None
    status: str = ""


@dataclass
class Hit:
    kind: str
    object_id: int
    url: str
    title: SafeString
    fragment: SafeString
    date: dt.date | None
    counterparty: str
    counterparty_id: int | None
    status: str
    exact: bool


@dataclass
class Group:
    kind: str
    label: str
    count: int
    capped: bool
    hits: list[Hit]


def highlight(text: str | None) -> SafeString:
    """Escape everything, then turn the markers ``ts_headline`` put around matches into <mark>."""
    safe = escape(text or "")
    return mark_safe(safe.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308


def _ts_query(text: str) -> SearchQuery | None:
    cleaned = clean(text)
    return SearchQuery(cleaned, config="russian", search_type="plain") if cleaned else None


def _filtered(kind_provider, user, filters: Filters) -> QuerySet:
    qs = SearchEntry.objects.filter(
        kind=kind_provider.kind, object_id__in=kind_provider.visible(user).values("pk")
    )
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
    return qs


def _fuzzy(cleaned: str) -> bool:
    """The trigram fallback is for misspelt names: words of four letters or more, no numbers
    (numbers and codes match exactly or through the full-text words)."""
    return len(cleaned) >= MIN_TRIGRAM_LENGTH and not any(ch.isdigit() for ch in cleaned)


def _annotated(qs: QuerySet, text: str, ts_query, codes: list[str], fuzzy: bool) -> QuerySet:
    """The ranking keys of each matching entry: exact number, weighted rank, title similarity."""
    if codes:
        exact = ExpressionWrapper(Q(codes__overlap=codes), output_field=BooleanField())
    else:
        exact = Value(False, output_field=BooleanField())
    rank = (
        SearchRank(F("vector"), ts_query, cover_density=True)
        if ts_query is not None
        else Value(0.0, output_field=FloatField())
    )
    similarity = (
        TrigramWordSimilarity(Value(clean(text)), "title_norm")
        if fuzzy
        else Value(0.0, output_field=FloatField())
    )
    return qs.annotate(ex=exact, rk=rank, sm=similarity).values("id", "ex", "rk", "sm", "date")


def _ranked_ids(base: QuerySet, text, ts_query, codes, fuzzy, limit, offset):
    """(ids of one page in rank order, the total of the bounded set). At most BOUND matches
    (plus the exact number matches) are ranked; the ranking keys are computed inside the bounded
    subquery, so the outer query reads no other row."""
    condition = Q()
    if ts_query is not None:
        condition |= Q(vector=ts_query)
    if fuzzy:
        condition |= Q(title_norm__trigram_word_similar=clean(text))
    parts, params = [], []
    for qs in (
        _annotated(base.filter(condition), text, ts_query, codes, fuzzy)[:BOUND]
        if condition
        else None,
        _annotated(base.filter(codes__overlap=codes), text, ts_query, codes, fuzzy)[:EXACT_BOUND]
        if codes
        else None,
    ):
        if qs is not None:
            sql, qs_params = qs.query.sql_with_params()
            parts.append(f"({sql})")
            params.extend(qs_params)
    if not parts:
        return [], 0
    sql = f"""
        SELECT id, count(*) OVER () FROM (
            SELECT id, bool_or(ex) AS ex, max(rk) AS rk, max(sm) AS sm, max(date) AS dt
            FROM ({" UNION ALL ".join(parts)}) AS hits GROUP BY id
        ) AS ranked
        ORDER BY ex DESC, rk DESC, sm DESC, dt DESC NULLS LAST, id DESC
        LIMIT %s OFFSET %s
    """  # noqa: S608 - the parts are Django's own SQL with parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
        if not rows and offset:
            cursor.execute(sql, [*params, 1, 0])
            first = cursor.fetchall()
            return [], first[0][1] if first else 0
    return [r[0] for r in rows], (rows[0][1] if rows else 0)


def _with_fragments(qs: QuerySet, ts_query) -> QuerySet:
    if ts_query is None:
        return qs.annotate(title_hl=F("title"), fragment=Value(""))
    options = {"config": "russian", "start_sel": _START, "stop_sel": _STOP}
    return qs.annotate(
        title_hl=SearchHeadline("title", ts_query, highlight_all=True, **options),
        fragment=SearchHeadline(
            "body",
            ts_query,
            max_words=30,
            min_words=10,
            max_fragments=2,
            fragment_delimiter=" … ",
            **options,
        ),
    )


def _group(item, user, text, filters, ts_query, codes, per_kind, offset, fuzzy) -> Group | None:
    base = _filtered(item, user, filters)
    ids, count = _ranked_ids(base, text, ts_query, codes, fuzzy, per_kind, offset)
    if not count:
        return None
    rows = {
        row["id"]: row
        for row in _with_fragments(SearchEntry.objects.filter(pk__in=ids), ts_query).values(
            "id",
            "object_id",
            "title_hl",
            "fragment",
            "date",
            "counterparty_name",
            "counterparty_id",
            "status",
            "codes",
        )
    }
    statuses = dict(getattr(item, "status_choices", ()))
    hits = []
    for pk in ids:
        row = rows[pk]
        fragment = row["fragment"] or ""
        hits.append(
            Hit(
                kind=item.kind,
                object_id=row["object_id"],
                url=item.url(row["object_id"]),
                title=highlight(row["title_hl"]),
                fragment=highlight(fragment) if _START in fragment else _EMPTY,
                date=row["date"],
                counterparty=row["counterparty_name"],
                counterparty_id=row["counterparty_id"],
                status=str(statuses.get(row["status"], row["status"])),
                exact=bool(codes and set(codes) & set(row["codes"])),
            )
        )
    return Group(item.kind, str(item.label), count, count >= BOUND, hits)


def search(
    user, text: str, filters: Filters | None = None, *, per_kind: int = 5, offset: int = 0
) -> list[Group]:
    """The groups of hits for ``text``, one per kind the viewer may search, in the kinds' order.
    Kinds with no visible hit are left out."""
    filters = filters or Filters()
    text = (text or "").strip()[:300]
    ts_query = _ts_query(text)
    codes = query_codes(text)
    if ts_query is None and not codes:
        return []
    groups = []
    with transaction.atomic():
        # a misspelt word still reaches its title: «Севрный» is 0.55 like «Северный»
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(WORD_SIMILARITY)],
            )
        items = [
            item
            for item in providers.all_providers()
            if not filters.kinds or item.kind in filters.kinds
        ]
        for fuzzy in (False, True):
            groups = []
            for item in items:
                group = _group(item, user, text, filters, ts_query, codes, per_kind, offset, fuzzy)
                if group is not None:
                    groups.append(group)
            # the words found less than a page anywhere: a misspelt name may be close to a title
            if fuzzy or sum(g.count for g in groups) >= per_kind or not _fuzzy(clean(text)):
                break
    return groups
