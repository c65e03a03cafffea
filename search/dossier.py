"""Dossiers: every document of a counterparty, a project or a thread that the viewer may open,
in date order, read from the search index (each entry knows its dossiers, its files and what it
answers) and filtered by each kind's visibility rule, like search hits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from search import providers
from search.models import SearchEntry

MAX_ROWS = 2000  # shown on the page and exported; more must be narrowed by period


@dataclass
class DossierFile:
    pk: int
    name: str
    size: int
    url: str


@dataclass
class DossierRow:
    entry_id: int
    kind: str
    kind_label: str
    object_id: int
    content_type_id: int
    title: str
    date: dt.date | None
    status: str
    url: str
    reply_to: tuple[str, str] | None = None  # (title, url) of the answered document
    files: list[DossierFile] = field(default_factory=list)


def scope(code: str) -> Any | None:
    for item in providers.all_providers():
        found = getattr(item, "dossier_scopes", {}).get(code)
        if found is not None:
            return found
    return None


def scope_codes() -> list[str]:
    return [code for p in providers.all_providers() for code in getattr(p, "dossier_scopes", {})]


def _document_providers() -> list[Any]:
    return [p for p in providers.all_providers() if not getattr(p, "is_counterparty", False)]


def visible_entries(user, code: str, pk: int, date_from=None, date_to=None):
    """The index entries of the dossier the user may open (a queryset, unordered)."""
    condition = Q()
    for item in _document_providers():
        condition |= Q(kind=item.kind, object_id__in=item.visible(user).values("pk"))
    qs = SearchEntry.objects.filter(scopes__contains=[f"{code}:{pk}"])
    qs = qs.filter(condition) if condition else qs.none()
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs


def dossier_rows(user, code: str, pk: int, date_from=None, date_to=None, *, limit=MAX_ROWS):
    """(rows in date order, the oldest first; whether more than ``limit`` matched)."""
    from storage.models import StoredFile

    entries = list(
        visible_entries(user, code, pk, date_from, date_to)
        .order_by("date", "id")
        .values(
            "id",
            "kind",
            "object_id",
            "content_type_id",
            "title",
            "date",
            "status",
            "file_ids",
            "reply_to",
        )[: limit + 1]
    )
    more = len(entries) > limit
    entries = entries[:limit]
    file_ids = {fid for e in entries for fid in e["file_ids"]}
    files = {
        f.pk: DossierFile(f.pk, f.original_name, f.size, f.get_download_url())
        for f in StoredFile.objects.filter(pk__in=file_ids).only("original_name", "size")
    }
    replies = _reply_titles(user, {e["reply_to"] for e in entries if e["reply_to"]})
    rows = []
    for e in entries:
        item = providers.provider(e["kind"])
        statuses = dict(getattr(item, "status_choices", ()))
        rows.append(
            DossierRow(
                entry_id=e["id"],
                kind=e["kind"],
                kind_label=str(getattr(item, "single_label", item.label)),
                object_id=e["object_id"],
                content_type_id=e["content_type_id"],
                title=e["title"],
                date=e["date"],
                status=str(statuses.get(e["status"], e["status"])),
                url=item.url(e["object_id"]),
                reply_to=replies.get(e["reply_to"]),
                files=[files[fid] for fid in e["file_ids"] if fid in files],
            )
        )
    return rows, more


def _reply_titles(user, keys: set[str]) -> dict[str, tuple[str, str]]:
    """The answered documents the user may open: «в ответ на» shows only those."""
    by_kind: dict[str, set[int]] = {}
    for key in keys:
        kind, _sep, object_id = key.partition(":")
        if providers.provider(kind) is not None and object_id.isdigit():
            by_kind.setdefault(kind, set()).add(int(object_id))
    found = {}
    for kind, ids in by_kind.items():
        item = providers.provider(kind)
        visible = item.visible(user).filter(pk__in=ids).values("pk")
        titles = SearchEntry.objects.filter(kind=kind, object_id__in=visible).values_list(
            "object_id", "title"
        )
        for object_id, title in titles:
            found[f"{kind}:{object_id}"] = (title, item.url(object_id))
    return found
