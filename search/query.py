"""Running a search for one viewer: per kind, the hits the viewer may open (the kind's own
visibility rule as a subquery), at most ``BOUND`` of them ranked (exact numbers first, then the
weighted full-text rank), with highlighted fragments of the page's hits only. Every kind's page is
one statement (``search.statement``); when the words and numbers find nothing anywhere, a second
statement looks for titles close to a misspelt name (trigram similarity)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search import dense, providers, statement
from search.models import SearchEntry
from search.statement import (
    BOUND,
    NOTHING,
    Candidates,
    Search,
    access_rows,
    entries_of,
    kind_block,
    page_order,
    visible_ids,
)
from search.text import clean, query_codes
from workflow.access import access_tokens
from workflow.selectors import department_tree_scope

__all__ = ["BOUND", "Filters", "Group", "Hit", "highlight", "search"]

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


def _fuzzy(cleaned: str) -> bool:
    """The trigram fallback is for misspelt names: words of four letters or more, no numbers
    (numbers and codes match exactly or through the full-text words)."""
    return len(cleaned) >= MIN_TRIGRAM_LENGTH and not any(ch.isdigit() for ch in cleaned)


def _pages(bases: dict, search_: Search, limit: int, offset: int) -> dict[str, tuple[list, int]]:
    """{kind: (entry ids of the page in rank order, total of the bounded set)} for the kinds with
    a hit, every kind in one statement."""
    blocks, params = [], []
    for kind, base in bases.items():
        block = kind_block(base, kind, search_, limit, offset)
        if block is not None:
            blocks.append(block[0])
            params.extend(block[1])
    if not blocks:
        return {}
    pages: dict[str, tuple[list, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(blocks), params)
        for kind, pk, total, *_keys in sorted(cursor.fetchall(), key=page_order):
            ids, _total = pages.setdefault(kind, ([], total))
            ids.append(pk)
    if offset:
        # a page past the end still says how many there are
        for kind in set(bases) - set(pages):
            block = kind_block(bases[kind], kind, search_, 1, 0)
            if block is None:
                continue
            with connection.cursor() as cursor:
                cursor.execute(block[0], block[1])
                row = cursor.fetchone()
            if row:
                pages[kind] = ([], row[2])
    return pages


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


def _rows(ids: list[int], ts_query) -> dict[int, dict]:
    """The shown hits with their highlighted title and fragments: ``ts_headline`` runs over
    these rows only, in one query for every kind."""
    if not ids:
        return {}
    qs = _with_fragments(SearchEntry.objects.filter(pk__in=ids), ts_query)
    values = qs.values(
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
    return {row["id"]: row for row in values}


def _hit(item, row, codes, statuses) -> Hit:
    fragment = row["fragment"] or ""
    return Hit(
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


def _narrowed(filters: Filters) -> bool:
    return bool(
        filters.date_from
        or filters.date_to
        or filters.counterparty_id
        or filters.legal_entity_id
        or filters.status
    )


def _walk_dense_kinds(bases: dict, cleaned: str, tokens: list[str] | None) -> dict:
    """``bases`` where, for a word common among the entries the viewer's tokens open, a kind read
    through the tokens takes its candidates from a walk of the table (``search.dense``): the same
    ones. The misspelt-name pass still reads ``bases``: its titles are not the walk's rows."""
    kinds = [kind for kind, base in bases.items() if base.exact is not None]
    if not kinds or not tokens or dense.token_share(tokens) < dense.MIN_DENSITY:
        return bases
    bases = dict(bases)
    words = dense.lexemes(cleaned)
    for kind in kinds:
        share = dense.density(kind, words, tokens)
        if share < dense.MIN_DENSITY:
            continue
        ids = dense.first_matches(kind, cleaned, tokens, share, BOUND)
        if ids is not None:
            # one array parameter: two thousand placeholders cost more to write than to run
            found = RawSQL("SELECT unnest(%s::bigint[])", [ids])
            bases[kind] = Candidates(SearchEntry.objects.filter(pk__in=found), bases[kind].exact)
    return bases


def search(
    user, text: str, filters: Filters | None = None, *, per_kind: int = 5, offset: int = 0
) -> list[Group]:
    """The groups of hits for ``text``, one per kind the viewer may search, in the kinds' order.
    Kinds with no visible hit are left out."""
    # every kind's visibility rule asks for the org tree: read it once (a request has its scope
    # already; a job or a command has not)
    with department_tree_scope():
        return _search(user, text, filters, per_kind, offset)


def _search(user, text: str, filters: Filters | None, per_kind: int, offset: int) -> list[Group]:
    filters = filters or Filters()
    text = (text or "").strip()[:300]
    ts_query = _ts_query(text)
    codes = query_codes(text)
    if ts_query is None and not codes:
        return []
    items = [
        item
        for item in providers.all_providers()
        if not filters.kinds or item.kind in filters.kinds
    ]
    bases = {}
    tokens = None
    for item in items:
        ids = visible_ids(item, user)
        if ids is NOTHING:
            continue
        kind_tokens = None
        if access_rows(ids):  # the kind's rule is the access table: its tokens narrow the words
            tokens = kind_tokens = tokens or access_tokens(user)
        bases[item.kind] = entries_of(item.kind, ids, filters, kind_tokens)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # a misspelt word still reaches its title: «Севрный» is 0.55 like «Северный».
            # The planner takes a word's frequency over all kinds for its frequency in each:
            # hoping to meet a word common elsewhere early, it would read a whole kind (or the
            # table) where the word never occurs; the indexes bound every statement instead.
            # Parallel workers and JIT compilation cost more to start than a bounded statement.
            # The word's and the viewer's bitmaps (access tokens) stay exact, not lossy, in
            # 32 MB: a lossy one rechecks every row of its pages.
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true),"
                " set_config('work_mem', '32MB', true),"
                " set_config('enable_seqscan', 'off', true),"
                " set_config('max_parallel_workers_per_gather', '0', true),"
                " set_config('jit', 'off', true)",
                [str(WORD_SIMILARITY)],
            )
        cleaned = clean(text)
        words = bases
        if ts_query is not None and not codes and not _narrowed(filters):
            words = _walk_dense_kinds(bases, cleaned, tokens)
        pages = _pages(words, Search(ts_query, codes), per_kind, offset)
        if not pages and _fuzzy(cleaned):
            # the words and numbers found nothing: a misspelt name may be close to a title
            pages = _pages(bases, Search(ts_query, [], fuzzy_text=cleaned), per_kind, offset)
        rows = _rows([pk for ids, _total in pages.values() for pk in ids], ts_query)
    groups = []
    for item in items:
        if item.kind not in pages:
            continue
        ids, total = pages[item.kind]
        statuses = dict(getattr(item, "status_choices", ()))
        hits = [_hit(item, rows[pk], codes, statuses) for pk in ids if pk in rows]
        groups.append(Group(item.kind, str(item.label), total, total >= statement.BOUND, hits))
    return groups
