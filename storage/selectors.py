"""Reads of the storage app, with a constant number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Count, prefetch_related_objects

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


def folder_children(folder: Folder | None) -> list[Folder]:
    """Subfolders with how many subfolders each holds. Entries are not counted here: a count
    would tell people about files of documents they may not see."""
    return list(
        Folder.objects.filter(parent=folder)
        .annotate(child_count=Count("children"))
        .order_by("name", "id")
    )


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
