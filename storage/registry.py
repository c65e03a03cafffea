"""Where document apps tell storage who may download a file and who may see a document.

Storage knows no letters or contracts. Each document app registers in its ``AppConfig.ready()``:

- ``register_download_check(fn)``: ``fn(user, stored_file) -> bool``; a file may be downloaded
  when any check says True (e.g. "the file is attached to a letter this user may see").
- ``register_subject_visibility(model, fn, queryset=None)``: ``fn(user, ids: list[int]) ->
  set[int]``, the ids among ``ids`` of ``model`` objects the user may see (one query for a whole
  page). Folder entries linked to a document are shown only to people who may see the document,
  and such people may download the entry's file. ``queryset(user)``, when given, returns the
  visible objects' primary keys as a queryset (``.values("pk")``): the folder tree then filters
  in SQL instead of passing every filed document's id to ``fn``.

Superusers may download everything; the uploader may always download what they uploaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.contenttypes.models import ContentType
    from django.db import models

    from storage.models import StoredFile

DownloadCheck = Callable[[Any, "StoredFile"], bool]
VisibilityCheck = Callable[[Any, list[int]], Iterable[int]]

_download_checks: list[DownloadCheck] = []
_subject_visibility: dict[str, VisibilityCheck] = {}
_subject_querysets: dict[str, Callable[[Any], Any]] = {}


def _label(model: type[models.Model] | str) -> str:
    if isinstance(model, str):
        return model.lower()
    return model._meta.label_lower


def register_download_check(fn: DownloadCheck) -> DownloadCheck:
    """Usable as a decorator; registering the same function twice registers it once."""
    if fn not in _download_checks:
        _download_checks.append(fn)
    return fn


def register_subject_visibility(
    model: type[models.Model] | str,
    fn: VisibilityCheck,
    *,
    queryset: Callable[[Any], Any] | None = None,
) -> None:
    label = _label(model)
    if _subject_visibility.get(label, fn) is not fn:
        raise ValueError(f"subject visibility for {label!r} is already registered")
    _subject_visibility[label] = fn
    if queryset is not None:
        _subject_querysets[label] = queryset


def unregister_download_check(fn: DownloadCheck) -> None:
    """For tests."""
    if fn in _download_checks:
        _download_checks.remove(fn)


def unregister_subject_visibility(model: type[models.Model] | str) -> None:
    """For tests."""
    _subject_visibility.pop(_label(model), None)
    _subject_querysets.pop(_label(model), None)


def _is_active_user(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def visible_subject_ids(user, content_type: ContentType, ids: Iterable[int]) -> set[int]:
    """The ids of ``content_type`` objects among ``ids`` that ``user`` may see. A type no app
    registered is visible to superusers only."""
    ids = sorted({int(i) for i in ids if i is not None})
    if not ids or not _is_active_user(user):
        return set()
    if user.is_superuser:
        return set(ids)
    check = _subject_visibility.get(f"{content_type.app_label}.{content_type.model}")
    if check is None:
        return set()
    return {int(i) for i in check(user, ids)} & set(ids)


def registered_subject_types() -> list[ContentType]:
    """Content types of the documents some app registered visibility for (from the cache)."""
    from django.contrib.contenttypes.models import ContentType

    types = []
    for label in sorted(_subject_visibility):
        app_label, model = label.split(".", 1)
        try:
            types.append(ContentType.objects.get_by_natural_key(app_label, model))
        except ContentType.DoesNotExist:
            continue
    return types


def visible_subject_queryset(user, content_type: ContentType):
    """The primary keys of ``content_type`` objects ``user`` may see, as a queryset to use in a
    subquery; None when the type registered no queryset (then use ``visible_subject_ids``)."""
    make = _subject_querysets.get(f"{content_type.app_label}.{content_type.model}")
    return None if make is None else make(user)


def may_see_subject(user, subject: models.Model) -> bool:
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(subject)
    return subject.pk in visible_subject_ids(user, content_type, [subject.pk])


def may_download(user, stored_file: StoredFile) -> bool:
    if not _is_active_user(user):
        return False
    if user.is_superuser or stored_file.uploaded_by_id == user.pk:
        return True
    if any(check(user, stored_file) for check in list(_download_checks)):
        return True
    return _filed_under_visible_subject(user, stored_file)


def _filed_under_visible_subject(user, stored_file: StoredFile) -> bool:
    from storage.models import FolderEntry

    linked: dict[int, set[int]] = {}
    for type_id, object_id in FolderEntry.objects.filter(
        stored_file=stored_file, object_id__isnull=False
    ).values_list("content_type_id", "object_id"):
        linked.setdefault(type_id, set()).add(object_id)
    if not linked:
        return False
    from django.contrib.contenttypes.models import ContentType

    for type_id, object_ids in linked.items():
        content_type = ContentType.objects.get_for_id(type_id)
        if visible_subject_ids(user, content_type, object_ids):
            return True
    return False
