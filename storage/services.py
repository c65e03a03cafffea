"""Every write of the storage app: store an upload, build folder paths, file a file into a folder.

Document apps call these; storage never imports them."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import PurePosixPath

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from storage.models import PATH_SEPARATOR, Folder, FolderEntry, StoredFile
from storage.text_jobs import file_text_pending
from storage.validation import detect_upload

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024
FOLDER_NAME_MAX = 255
_SPACES = re.compile(r"\s+")


def stored_file_create(*, upload, uploaded_by) -> StoredFile:
    """Validate ``upload`` by content and size, keep it under a generated name with its sha256.

    The bytes are written inside the transaction; if the row cannot be saved the written file is
    deleted at once. If an OUTER transaction of the caller rolls back later, the file is left
    without a row: ``storage.jobs.orphan_files_sweep`` removes such files after a grace period.
    """
    detected = detect_upload(upload)
    original_name = clean_original_name(getattr(upload, "name", "") or "", detected.extension)
    digest, size = _sha256_and_size(upload)
    written: str | None = None
    try:
        with transaction.atomic():
            stored = StoredFile(
                original_name=original_name,
                size=size,
                sha256=digest,
                content_type=detected.mime,
                uploaded_by=uploaded_by,
            )
            upload.seek(0)
            stored.file.save(f"upload.{detected.extension}", File(upload), save=False)
            written = stored.file.name
            stored.save()
            file_text_pending(stored)  # recognised later by a job, never on this request
    except BaseException:
        if written:
            _delete_quietly(written)
        raise
    return stored


def stored_files_create(*, uploads: Iterable, uploaded_by) -> list[StoredFile]:
    """Store several files in one transaction: all of them or none (bytes cleaned up).

    Items are uploads (validated and stored now) or ``StoredFile`` rows staged for
    ``uploaded_by`` by a refused form (claimed, see storage.staging). The same content twice in
    one call is refused. Returns the files in the given order."""
    from storage.staging import staged_files_claim

    items = list(uploads)
    created: list[StoredFile] = []
    result: list[StoredFile] = []
    try:
        with transaction.atomic():
            staged_files_claim(
                files=[i for i in items if isinstance(i, StoredFile)], user=uploaded_by
            )
            for item in items:
                if isinstance(item, StoredFile):
                    result.append(item)
                    continue
                stored = stored_file_create(upload=item, uploaded_by=uploaded_by)
                created.append(stored)
                result.append(stored)
            duplicates_refuse(files=result)
    except BaseException:
        for stored in created:
            _delete_quietly(stored.file.name)
        raise
    return result


def duplicate_message(name: str, same_as: str, *, attached: bool) -> str:
    if attached:
        return _(
            "Файл «%(name)s» уже приложен к этому документу (совпадает по содержимому "
            "с «%(same)s»): один и тот же файл дважды не прикладывается."
        ) % {"name": name, "same": same_as}
    return _(
        "Файл «%(name)s» совпадает по содержимому с «%(same)s»: один и тот же файл дважды "
        "не прикладывается."
    ) % {"name": name, "same": same_as}


def duplicates_refuse(*, files: Iterable[StoredFile], existing: Iterable[StoredFile] = ()) -> None:
    """Refuse (ValidationError, Russian) when the same content (sha256) appears twice among
    ``files`` or is already among the document's ``existing`` files. Document services call it
    with the document row locked, so two submissions at once cannot both attach it."""
    seen = {f.sha256: (f.original_name, True) for f in existing}
    errors = []
    for f in files:
        if f.sha256 in seen:
            same, attached = seen[f.sha256]
            errors.append(
                ValidationError(
                    duplicate_message(f.original_name, same, attached=attached), code="duplicate"
                )
            )
            continue
        seen[f.sha256] = (f.original_name, False)
    if errors:
        raise ValidationError(errors)


def clean_original_name(raw: str, extension: str) -> str:
    """The name shown to people: no directories, no control characters, at most 255 chars, and
    an extension matching the detected type (a scan named ``письмо`` becomes ``письмо.pdf``)."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    name = _SPACES.sub(" ", name) or "file"
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    same_family = {suffix, extension} <= {"jpg", "jpeg"} or {suffix, extension} <= {"tif", "tiff"}
    if suffix != extension and not same_family:
        name = f"{name}.{extension}"
        suffix = extension
    if len(name) > 255:
        keep = 255 - len(suffix) - 1
        name = f"{name[:keep]}.{suffix}"
    return name


def _sha256_and_size(upload) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    chunks = upload.chunks(CHUNK_SIZE) if hasattr(upload, "chunks") else _read_chunks(upload)
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def _read_chunks(fileobj):
    while chunk := fileobj.read(CHUNK_SIZE):
        yield chunk


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("could not delete the stored file %s", name, exc_info=True)


def clean_folder_name(raw: str) -> str:
    name = _SPACES.sub(" ", str(raw)).strip()
    if not name:
        raise ValueError("a folder name cannot be empty")
    if len(name) > FOLDER_NAME_MAX:
        name = name[: FOLDER_NAME_MAX - 1].rstrip() + "…"
    return name


def folder_get_or_create_path(*, parts: list[str]) -> Folder:
    """The folder at ``parts`` (e.g. ["Входящие", "Продажи", "ООО «Ромашка»"]), creating the
    missing ones. Two jobs creating the same path at once end with one folder each level: the
    unique (parent, name) constraint decides, the loser reads the winner's row."""
    names = [clean_folder_name(part) for part in parts]
    if not names:
        raise ValueError("a folder path needs at least one name")
    parent: Folder | None = None
    for name in names:
        parent = _folder_get_or_create(parent=parent, name=name)
    assert parent is not None
    return parent


def _folder_get_or_create(*, parent: Folder | None, name: str) -> Folder:
    existing = Folder.objects.filter(parent=parent, name=name).first()
    if existing is not None:
        return existing
    path = f"{parent.path}{PATH_SEPARATOR}{name}" if parent else name
    try:
        with transaction.atomic():
            return Folder.objects.create(parent=parent, name=name, path=path)
    except IntegrityError:
        # another transaction created it meanwhile (PostgreSQL made us wait for its commit)
        return Folder.objects.get(parent=parent, name=name)


def folder_file(
    *,
    folder: Folder,
    stored_file: StoredFile,
    label: str = "",
    subject: models.Model | None = None,
) -> tuple[FolderEntry, bool]:
    """Put ``stored_file`` into ``folder`` once, linked to its document ``subject`` (any model).
    Filing the same file into the same folder again returns the existing entry and ``False``;
    an existing entry without a document gets the document now."""
    defaults: dict = {"label": label[:500]}
    if subject is not None:
        defaults["content_type"] = ContentType.objects.get_for_model(subject)
        defaults["object_id"] = subject.pk
    with transaction.atomic():
        entry, created = FolderEntry.objects.get_or_create(
            folder=folder, stored_file=stored_file, defaults=defaults
        )
        if not created and subject is not None and entry.object_id is None:
            entry = FolderEntry.objects.select_for_update().get(pk=entry.pk)
            if entry.object_id is None:
                entry.content_type = defaults["content_type"]
                entry.object_id = defaults["object_id"]
                entry.save(update_fields=["content_type", "object_id"])
    return entry, created


def folder_filing_enqueue(
    *,
    stored_files: Iterable[StoredFile],
    parts: list[str],
    subject: models.Model | None = None,
    label: str = "",
) -> str | None:
    """Enqueue ``storage.jobs.file_into_folder`` (django-q2, ORM broker: call it inside your
    transaction and the job commits or rolls back with it). Returns the task id."""
    from django_q.tasks import async_task

    ids = sorted({f.pk for f in stored_files})
    if not ids:
        return None
    subject_ct_id = ContentType.objects.get_for_model(subject).pk if subject is not None else None
    return async_task(
        "storage.jobs.file_into_folder",
        ids,
        [clean_folder_name(p) for p in parts],
        subject_ct_id,
        subject.pk if subject is not None else None,
        label,
        task_name=f"storage.file_into_folder:{subject_ct_id}:{getattr(subject, 'pk', '')}",
    )
