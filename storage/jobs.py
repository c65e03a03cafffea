"""django-q2 entry points of storage: they take ids and are idempotent."""

from __future__ import annotations

import logging
import time

from django.core.files.storage import default_storage

from storage.models import StoredFile

logger = logging.getLogger(__name__)

ORPHAN_GRACE_SECONDS = 24 * 3600


def orphan_files_sweep(*, grace_seconds: int = ORPHAN_GRACE_SECONDS) -> int:
    """Delete files under ``files/`` that no StoredFile row names and that are older than the
    grace period (a younger file may belong to an upload whose transaction is still open).
    They appear when a caller's transaction rolled back after the bytes were written."""
    deleted = 0
    cutoff = time.time() - grace_seconds
    for directory in _month_directories():
        _, names = default_storage.listdir(directory)
        paths = [f"{directory}/{name}" for name in names]
        if not paths:
            continue
        known = set(StoredFile.objects.filter(file__in=paths).values_list("file", flat=True))
        for path in paths:
            if path in known:
                continue
            if default_storage.get_modified_time(path).timestamp() > cutoff:
                continue
            # re-check right before deleting: a row may have been committed meanwhile
            if StoredFile.objects.filter(file=path).exists():
                continue
            default_storage.delete(path)
            deleted += 1
    if deleted:
        logger.info("orphan sweep deleted %s file(s) without a row", deleted)
    return deleted


def _month_directories() -> list[str]:
    if not default_storage.exists("files"):
        return []
    result = []
    years, _ = default_storage.listdir("files")
    for year in sorted(years):
        months, _ = default_storage.listdir(f"files/{year}")
        result.extend(f"files/{year}/{month}" for month in sorted(months))
    return result


def file_into_folder(
    stored_file_ids: list[int],
    parts: list[str],
    subject_ct_id: int | None,
    subject_id: int | None,
    label: str,
) -> int:
    """File the stored files into the folder at ``parts`` (created when missing), linked to the
    document (content type id + object id). Idempotent: a rerun, or two runs at once, file each
    file once. Returns how many entries this run created. Files deleted meanwhile are skipped;
    when the document is gone the files are filed without a link."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from storage.services import folder_file, folder_get_or_create_path

    with transaction.atomic():
        subject = None
        if subject_ct_id is not None and subject_id is not None:
            model = ContentType.objects.get_for_id(subject_ct_id).model_class()
            if model is not None:
                subject = model._base_manager.filter(pk=subject_id).first()
            if subject is None:
                logger.warning("filing: document %s/%s is gone", subject_ct_id, subject_id)
        folder = folder_get_or_create_path(parts=parts)
        created = 0
        for stored_file in StoredFile.objects.filter(pk__in=stored_file_ids).order_by("pk"):
            _, new = folder_file(
                folder=folder, stored_file=stored_file, label=label, subject=subject
            )
            created += new
    return created


def staged_files_sweep(*, older_than_hours: int = 24) -> int:
    """Delete files kept from refused forms and never attached within the period: the rows and
    the bytes (after the commit). Hourly. Returns how many files were deleted."""
    import datetime as dt

    from django.db import transaction
    from django.db.models.deletion import ProtectedError
    from django.utils import timezone

    from storage.models import StagedFile

    cutoff = timezone.now() - dt.timedelta(hours=older_than_hours)
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(
                StagedFile.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("stored_file")
                .filter(staged_at__lt=cutoff)
                .order_by("staged_at", "id")[:200]
            )
            for staged in batch:
                stored = staged.stored_file
                try:
                    with transaction.atomic():
                        stored.delete()  # the staging row goes with it (CASCADE)
                except ProtectedError:
                    # attached after all (should not happen: attaching claims the row)
                    staged.delete()
                    continue
                transaction.on_commit(lambda name=stored.file.name: _delete_bytes(name))
                deleted += 1
        if len(batch) < 200:
            break
    if deleted:
        logger.info("staged sweep deleted %s file(s) never attached", deleted)
    return deleted


def _delete_bytes(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("could not delete the stored file %s", name, exc_info=True)
