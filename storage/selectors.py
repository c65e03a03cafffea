"""Reads of the storage app, with a constant number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet, prefetch_related_objects

from storage import registry
from storage.models import Folder, FolderEntry

ENTRIES_PER_PAGE = 50


def folder_chain(folder_id: int) -> list[Folder]:
    """The folder and its ancestors, root first, in one recursive query (for breadcrumbs)."""
    table = Folder._meta.db_table
    return list(
        Folder.objects.raw(
            f"""
            WITH RECURSIVE chain AS (
                SELECT id, name, parent_id, path, created_at, 0 AS depth
                FROM {table} WHERE id = %s
                UNION ALL
                SELECT f.id, f.name, f.parent_id, f.path, f.created_at, c.depth + 1
                FROM {table} f JOIN chain c ON f.id = c.parent_id
            )
            SELECT id, name, parent_id, path, created_at FROM chain ORDER BY depth DESC
            """,  # noqa: S608 - the table name is ours, the id is a parameter
            [folder_id],
        )
    )


def _subtree(folder: Folder | None) -> list[tuple[int, int | None]]:
    """(id, parent_id) of ``folder`` and every folder below it (the whole tree for None), in one
    recursive query."""
    table = Folder._meta.db_table
    if folder is None:
        start, params = "parent_id IS NULL", []
    else:
        start, params = "id = %s", [folder.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE tree AS (
                SELECT id, parent_id FROM {table} WHERE {start}
                UNION ALL
                SELECT f.id, f.parent_id FROM {table} f JOIN tree t ON f.parent_id = t.id
            )
            SELECT id, parent_id FROM tree
            """,  # noqa: S608 - the table name is ours, the id is a parameter
            params,
        )
        return cursor.fetchall()


def _entries_visible_to(user, entries: QuerySet) -> QuerySet:
    """``entries`` narrowed to those ``user`` may see: an entry with a document when they may see
    the document (asked of the document's app through the registry, in SQL when it registered a
    queryset), one without a document when they uploaded its file. Superusers see all."""
    if not (user.is_authenticated and user.is_active):
        return entries.none()
    if user.is_superuser:
        return entries
    condition = Q(object_id__isnull=True, stored_file__uploaded_by_id=user.pk)
    # entries of a document type nobody registered are for superusers only
    for content_type in registry.registered_subject_types():
        type_id = content_type.pk
        visible = registry.visible_subject_queryset(user, content_type)
        if visible is None:  # a type without a queryset hook: ask about the filed ids
            filed = (
                entries.filter(content_type_id=type_id)
                .order_by()
                .values_list("object_id", flat=True)
                .distinct()
            )
            visible = registry.visible_subject_ids(user, content_type, filed)
        condition |= Q(content_type_id=type_id, object_id__in=visible)
    return entries.filter(condition)


@dataclass
class FolderRow:
    """A subfolder as the viewer may see it: how many of its own subfolders hold something
    visible to them, and how many visible files lie in it and below."""

    folder: Folder
    child_count: int
    file_count: int


@dataclass
class FolderView:
    visible: bool
    children: list[FolderRow]


def folder_view(user, folder: Folder | None) -> FolderView:
    """What ``user`` may see of ``folder`` (the root when None): whether the folder itself holds
    a visible file in it or below (else the page is 404, and its name is never listed), and its
    subfolders that do, with counts of visible things only. Four queries plus one per document
    type that registered no queryset hook, whatever the size of the tree."""
    tree = _subtree(folder)
    if not tree:
        return FolderView(visible=False, children=[])
    parent_of = dict(tree)
    entries = FolderEntry.objects.all()
    if folder is not None:
        entries = entries.filter(folder_id__in=list(parent_of))
    per_folder = dict(
        _entries_visible_to(user, entries)
        .order_by()
        .values("folder_id")
        .annotate(n=Count("id"))
        .values_list("folder_id", "n")
    )
    # roll the counts up to every ancestor inside the subtree
    files_below: dict[int, int] = dict.fromkeys(parent_of, 0)
    for folder_id, count in per_folder.items():
        node: int | None = folder_id
        while node is not None and node in files_below:
            files_below[node] += count
            node = parent_of.get(node)
    top_id = folder.pk if folder is not None else None
    child_ids = [i for i, parent in tree if parent == top_id and files_below[i]]
    visible_children: dict[int, int] = {}
    for folder_id, parent in tree:
        if parent is not None and files_below[folder_id]:
            visible_children[parent] = visible_children.get(parent, 0) + 1
    folders = Folder.objects.in_bulk(child_ids)
    children = sorted(
        (
            FolderRow(
                folder=folders[i],
                child_count=visible_children.get(i, 0),
                file_count=files_below[i],
            )
            for i in child_ids
        ),
        key=lambda row: (row.folder.name, row.folder.pk),
    )
    visible = bool(children) if folder is None else files_below.get(folder.pk, 0) > 0
    return FolderView(visible=visible, children=children)


@dataclass
class EntryRow:
    entry: FolderEntry
    subject_url: str


def _visible_entry_ids(user, folder: Folder) -> list[int]:
    """Ids of the folder's entries the user may see, newest first: an entry linked to a document
    is visible to people who may see the document; one without a document to its uploader and
    superusers. One query for the entries plus one per registered document type."""
    rows = list(
        FolderEntry.objects.filter(folder=folder)
        .order_by("-filed_at", "-id")
        .values_list("id", "content_type_id", "object_id", "stored_file__uploaded_by_id")
    )
    wanted: dict[int, set[int]] = {}
    for _, type_id, object_id, _ in rows:
        if type_id is not None and object_id is not None:
            wanted.setdefault(type_id, set()).add(object_id)
    visible: dict[int, set[int]] = {
        type_id: registry.visible_subject_ids(user, ContentType.objects.get_for_id(type_id), ids)
        for type_id, ids in wanted.items()
    }
    result = []
    for entry_id, type_id, object_id, uploader_id in rows:
        if type_id is not None and object_id is not None:
            if object_id in visible.get(type_id, set()):
                result.append(entry_id)
        elif user.is_superuser or uploader_id == user.pk:
            result.append(entry_id)
    return result


def folder_entries_visible_to(
    user, folder: Folder, *, page_number=1, per_page: int = ENTRIES_PER_PAGE
) -> Page:
    """A page of the folder's entries the user may see, each with its file and its document
    (``entry.subject``), as EntryRow(entry, subject_url)."""
    paginator = Paginator(_visible_entry_ids(user, folder), per_page)
    page = paginator.get_page(page_number)
    ids = list(page.object_list)
    by_id = {
        entry.pk: entry
        for entry in FolderEntry.objects.filter(pk__in=ids).select_related(
            "stored_file", "stored_file__uploaded_by", "content_type"
        )
    }
    entries = [by_id[i] for i in ids if i in by_id]
    prefetch_related_objects(entries, "subject")
    page.object_list = [EntryRow(entry=e, subject_url=_subject_url(e)) for e in entries]
    return page


def _subject_url(entry: FolderEntry) -> str:
    subject = entry.subject if entry.object_id is not None else None
    get_url = getattr(subject, "get_absolute_url", None)
    return get_url() if callable(get_url) else ""


def folders_of_subject(subject) -> list[FolderEntry]:
    """Where the files of a document were filed (for the document's card)."""
    content_type = ContentType.objects.get_for_model(subject)
    return list(
        FolderEntry.objects.filter(content_type=content_type, object_id=subject.pk)
        .select_related("folder", "stored_file")
        .order_by("folder__path", "stored_file__original_name")
    )
