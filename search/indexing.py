"""Writing search entries: one upsert statement per batch, the weighted ``tsvector`` computed by
PostgreSQL (title and numbers A, counterparty B, body C, file text D). Called from the signal
handlers in ``search.signals`` inside the transaction of the write, and by the rebuild command."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, F, OuterRef, Subquery

from search import providers
from search.models import SearchEntry
from search.text import clean
from search.text import codes as code_keys

BATCH = 500
MAX_FILE_TEXT = 300_000  # characters of file text per document kept for search and fragments
MAX_BODY = 200_000

_UPSERT = """
INSERT INTO search_searchentry (
    content_type_id, object_id, kind, title, title_norm, codes, counterparty_name, body, vector,
    date, counterparty_id, legal_entity_id, status, file_ids, scopes, reply_to, updated_at)
SELECT r.ct, r.oid, r.kind, r.title, r.title_norm,
       CASE WHEN r.codes = '' THEN '{}'::varchar[] ELSE string_to_array(r.codes, E'\\x1f') END,
       r.cp, r.body,
       setweight(to_tsvector('russian', r.a), 'A') || setweight(to_tsvector('russian', r.b), 'B')
       || setweight(to_tsvector('russian', r.c), 'C')
       || setweight(to_tsvector('russian', r.d), 'D'),
       r.date, r.cp_id, r.le_id, r.status,
       CASE WHEN r.files = '' THEN '{}'::bigint[] ELSE string_to_array(r.files, ',')::bigint[] END,
       CASE WHEN r.scopes = '' THEN '{}'::varchar[] ELSE string_to_array(r.scopes, ',') END,
       r.reply_to, now()
FROM unnest(%s::int[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
            %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::date[], %s::bigint[],
            %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[])
     AS r(ct, oid, kind, title, title_norm, codes, cp, body, a, b, c, d, date, cp_id, le_id,
          status, files, scopes, reply_to)
ON CONFLICT (content_type_id, object_id) DO UPDATE SET
    kind = EXCLUDED.kind, title = EXCLUDED.title, title_norm = EXCLUDED.title_norm,
    codes = EXCLUDED.codes, counterparty_name = EXCLUDED.counterparty_name,
    body = EXCLUDED.body, vector = EXCLUDED.vector, date = EXCLUDED.date,
    counterparty_id = EXCLUDED.counterparty_id, legal_entity_id = EXCLUDED.legal_entity_id,
    status = EXCLUDED.status, file_ids = EXCLUDED.file_ids, scopes = EXCLUDED.scopes,
    reply_to = EXCLUDED.reply_to, updated_at = EXCLUDED.updated_at
-- an entry that would not change is not written: a rebuild over a current index leaves no dead
-- rows and no index churn behind, and neither does a save that changed nothing searchable
WHERE (search_searchentry.kind, search_searchentry.title, search_searchentry.title_norm,
       search_searchentry.codes, search_searchentry.counterparty_name, search_searchentry.body,
       search_searchentry.vector, search_searchentry.date, search_searchentry.counterparty_id,
       search_searchentry.legal_entity_id, search_searchentry.status, search_searchentry.file_ids,
       search_searchentry.scopes, search_searchentry.reply_to)
      IS DISTINCT FROM
      (EXCLUDED.kind, EXCLUDED.title, EXCLUDED.title_norm, EXCLUDED.codes,
       EXCLUDED.counterparty_name, EXCLUDED.body, EXCLUDED.vector, EXCLUDED.date,
       EXCLUDED.counterparty_id, EXCLUDED.legal_entity_id, EXCLUDED.status, EXCLUDED.file_ids,
       EXCLUDED.scopes, EXCLUDED.reply_to)
"""


def _file_texts(file_ids: set[int]) -> dict[int, str]:
    if not file_ids:
        return {}
    from storage.models import FileText, TextState

    rows = FileText.objects.filter(stored_file_id__in=file_ids, state=TextState.DONE)
    return dict(rows.values_list("stored_file_id", "text"))


def _as_document(value) -> providers.Document:
    return providers.Document(**value) if isinstance(value, dict) else value


def index_objects(provider: Any, objects: Iterable[Any]) -> int:
    """Index (insert or refresh) ``objects`` of one provider. Returns how many were indexed
    (entries already equal to theirs are counted but not rewritten)."""
    objects = list(objects)
    if not objects:
        return 0
    content_type = ContentType.objects.get_for_model(objects[0].__class__, for_concrete_model=True)
    docs = [(obj.pk, _as_document(provider.document(obj))) for obj in objects]
    texts = _file_texts({fid for _pk, doc in docs for fid in doc.file_ids})
    columns: list[list] = [[] for _ in range(19)]
    for pk, doc in docs:
        file_text = "\n".join(texts.get(fid, "") for fid in doc.file_ids).strip()[:MAX_FILE_TEXT]
        title = (doc.title or "")[:1000]
        codes = [c[:255] for c in code_keys(doc.codes) if "\x1f" not in c]
        body = (doc.body or "").strip()
        # ё as е keeps the case of the fragments and lets the parser match the folded query
        fragments_source = "\n".join(part for part in (body, file_text) if part)[:MAX_BODY]
        fragments_source = fragments_source.replace("ё", "е").replace("Ё", "Е")
        row = [
            content_type.pk,
            pk,
            provider.kind,
            title,
            clean(title)[:1000],
            "\x1f".join(codes),
            (doc.counterparty or "")[:500],
            fragments_source,
            clean(f"{title} {' '.join(codes)}"),
            clean(doc.counterparty or ""),
            clean(body),
            clean(file_text),
            doc.date,
            doc.counterparty_id,
            doc.legal_entity_id,
            doc.status or "",
            ",".join(str(int(f)) for f in doc.file_ids),
            ",".join(s for s in doc.scopes if s and "," not in s),
            doc.reply_to or "",
        ]
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, columns)
    return len(docs)


def index_ids(provider: Any, ids: Iterable[int]) -> int:
    """Index the objects with these ids (those that no longer exist are removed)."""
    ids = sorted({int(i) for i in ids})
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        objects = list(provider.queryset().filter(pk__in=chunk))
        written += index_objects(provider, objects)
        missing = set(chunk) - {obj.pk for obj in objects}
        if missing:
            remove(provider, missing)
    return written


def remove(provider: Any, ids: Iterable[int]) -> None:
    SearchEntry.objects.filter(kind=provider.kind, object_id__in=list(ids)).delete()


def reindex_files(file_ids: Iterable[int]) -> None:
    """A file's text changed: refresh every entry that holds the file."""
    file_ids = [int(f) for f in file_ids]
    if not file_ids:
        return
    rows = SearchEntry.objects.filter(file_ids__overlap=file_ids).values_list("kind", "object_id")
    by_kind: dict[str, set[int]] = {}
    for kind, object_id in rows:
        by_kind.setdefault(kind, set()).add(object_id)
    for kind, ids in by_kind.items():
        item = providers.provider(kind)
        if item is not None:
            index_ids(item, ids)


def reindex_counterparties(kind: str, ids: Iterable[int]) -> None:
    """Counterparties (entries of ``kind``, just re-indexed) may have been renamed: refresh the
    documents that still carry another name, in one query for the whole batch."""
    ids = [int(i) for i in ids]
    if not ids:
        return
    current = SearchEntry.objects.filter(kind=kind, object_id=OuterRef("counterparty_id"))
    rows = (
        SearchEntry.objects.filter(counterparty_id__in=ids)
        .exclude(kind=kind)
        .annotate(current=Subquery(current.values("title")[:1]))
        .exclude(counterparty_name=F("current"))
        .values_list("kind", "object_id")
    )
    by_kind: dict[str, set[int]] = {}
    for doc_kind, object_id in rows:
        by_kind.setdefault(doc_kind, set()).add(object_id)
    for doc_kind, object_ids in by_kind.items():
        item = providers.provider(doc_kind)
        if item is not None and not getattr(item, "is_counterparty", False):
            index_ids(item, object_ids)


def rebuild(kinds: Iterable[str] | None = None, *, stdout=None) -> dict[str, int]:
    """Index every object of the given kinds (all when None), in batches by primary key."""
    counts = {}
    for item in providers.all_providers():
        if kinds and item.kind not in kinds:
            continue
        total, last = 0, 0
        while True:
            batch = list(item.queryset().filter(pk__gt=last).order_by("pk")[:BATCH])
            if not batch:
                break
            total += index_objects(item, batch)
            last = batch[-1].pk
        # NOT EXISTS is an anti-join; NOT IN over a subquery too big for work_mem is quadratic
        alive = item.queryset().filter(pk=OuterRef("object_id")).values("pk")
        SearchEntry.objects.filter(kind=item.kind).exclude(Exists(alive)).delete()
        counts[item.kind] = total
        if stdout is not None:
            stdout.write(f"{item.kind}: {total}\n")
    return counts
