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
