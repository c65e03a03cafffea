"""Files of a refused form, kept so the user need not pick them again.

When a form with files is refused (a missing field, a bad file among good ones), its acceptable
uploads are stored now and "staged" for this user only. The form carries a signed token
(django.core.signing) naming them; a later submission can attach them ONLY through that token,
and only while they are still staged for the same user: never by an id typed into the form, so
nobody can pull a file attached elsewhere into their document. Attaching claims the staged row
in the document's transaction; ``storage.jobs.staged_files_sweep`` deletes what nobody claimed
within 24 hours, rows and bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from storage.models import StagedFile, StoredFile

SALT = "storage.staged-files"
MAX_AGE = dt.timedelta(hours=24)


def staged_token_make(*, user, files: Iterable[StoredFile]) -> str:
    ids = [f.pk for f in files]
    return signing.dumps({"u": user.pk, "f": ids}, salt=SALT, compress=True) if ids else ""


def staged_files_from_token(*, token: str, user, exclude: Iterable[int] = ()) -> list[StoredFile]:
    """The files the token names that are still staged for ``user`` (in the token's order),
    minus ``exclude``. A forged, expired or someone else's token gives nothing."""
    if not token or user is None or not user.is_authenticated:
        return []
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return []
    if not isinstance(payload, dict) or payload.get("u") != user.pk:
        return []
    skip = {int(i) for i in exclude}
    ids = [i for i in payload.get("f", []) if isinstance(i, int) and i not in skip]
    found = {f.pk: f for f in StoredFile.objects.filter(pk__in=ids, staging__user=user).order_by()}
    return [found[i] for i in ids if i in found]


def uploads_stage(*, uploads: Iterable, user) -> list[StoredFile]:
    """Store acceptable uploads of a refused form as staged for ``user``."""
    from storage.services import stored_files_create

    uploads = list(uploads)
    if not uploads:
        return []
    with transaction.atomic():
        stored = stored_files_create(uploads=uploads, uploaded_by=user)
        StagedFile.objects.bulk_create(StagedFile(stored_file=f, user=user) for f in stored)
    return stored


def staged_files_claim(*, files: Iterable[StoredFile], user) -> None:
    """Inside the caller's transaction: the staged files become the document's. Refused with a
    Russian message when one is no longer staged for ``user`` (attached by a parallel
    submission from another tab, or swept)."""
    files = list(files)
    if not files:
        return
    rows = list(
        StagedFile.objects.select_for_update()
        .filter(stored_file__in=files, user=user)
        .values_list("pk", "stored_file_id")
    )
    claimed = {stored_id for _pk, stored_id in rows}
    missing = [f for f in files if f.pk not in claimed]
    if missing:
        raise ValidationError(
            _(
                "Файлы из прошлой попытки уже приложены к другому документу или удалены: "
                "%(names)s. Выберите их заново."
            )
            % {"names": ", ".join(f"«{f.original_name}»" for f in missing)},
            code="staged_gone",
        )
    StagedFile.objects.filter(pk__in=[pk for pk, _id in rows]).delete()
