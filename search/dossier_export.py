"""«Выгрузить досье»: the request (refused over the size limit with advice), the job that builds
the ZIP with progress, the download kept 7 days for the requester only, and the cleanup."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from search import dossier
from search.models import DossierExport, ExportState

logger = logging.getLogger(__name__)
KEEP = dt.timedelta(days=7)
MB = 1024 * 1024


def _size_of(rows) -> int:
    from storage.models import StoredFile

    ids = {f.pk for row in rows for f in row.files}
    return sum(StoredFile.objects.filter(pk__in=ids).values_list("size", flat=True))


def dossier_export_request(
    *, user, code: str, pk: int, date_from=None, date_to=None
) -> DossierExport:
    """Queue the export of a dossier for ``user``, or refuse it (``ValidationError`` with a
    Russian message saying how to narrow it) when it holds too many documents or bytes."""
    found = dossier.scope(code)
    if found is None or not found.may_view(user, pk):
        raise ValidationError(_("Досье не найдено или недоступно."))
    limit_docs = settings.ARGO_DOSSIER_MAX_DOCUMENTS
    rows, more = dossier.dossier_rows(user, code, pk, date_from, date_to, limit=limit_docs)
    if not rows:
        raise ValidationError(_("В досье нет документов за выбранный период: выгружать нечего."))
    size = _size_of(rows)
    if more or size > settings.ARGO_DOSSIER_MAX_MB * MB:
        raise ValidationError(
            _(
                "Досье слишком большое для выгрузки: %(docs)s документов, %(mb)s МБ файлов "
                "(можно не более %(max_docs)s документов и %(max_mb)s МБ). Сузьте период полями "
                "«С даты» и «По дату» и выгрузите досье по частям, или выгрузите досье одной "
                "переписки или проекта."
            )
            % {
                "docs": f"{limit_docs}+" if more else len(rows),
                "mb": round(size / MB, 1),
                "max_docs": limit_docs,
                "max_mb": settings.ARGO_DOSSIER_MAX_MB,
            }
        )
    from django_q.tasks import async_task

    with transaction.atomic():
        export = DossierExport.objects.create(
            requested_by=user,
            scope=code,
            scope_id=pk,
            title=f"{found.label}: {found.title(pk)}"[:500],
            date_from=date_from,
            date_to=date_to,
            total=len(rows),
            expires_at=timezone.now() + KEEP,
        )
        # the ORM broker's row commits with the export's: no job without its export
        async_task("search.dossier_export.dossier_export_build", export.pk, group="dossier")
    return export


def dossier_export_build(export_id: int) -> str:
    """Build the ZIP. Idempotent: an export already built or failed is left alone."""
    from search.dossier_files import write_dossier

    with transaction.atomic():
        export = DossierExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.state in (ExportState.DONE, ExportState.FAILED):
            return "skipped"
        export.state, export.done = ExportState.RUNNING, 0
        export.save(update_fields=["state", "done"])
    user = export.requested_by
    rows, _more = dossier.dossier_rows(
        user,
        export.scope,
        export.scope_id,
        export.date_from,
        export.date_to,
        limit=settings.ARGO_DOSSIER_MAX_DOCUMENTS,
    )

    def progress(done: int) -> None:
        DossierExport.objects.filter(pk=export.pk).update(done=done, total=len(rows))

    try:
        with tempfile.TemporaryFile() as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
                write_dossier(archive, export, rows, progress)
            handle.seek(0)
            with transaction.atomic():
                export = DossierExport.objects.select_for_update().get(pk=export.pk)
                export.file.save(f"{export.token}.zip", File(handle), save=False)
                export.size = export.file.size
                export.state, export.done, export.total = ExportState.DONE, len(rows), len(rows)
                export.save()
    except Exception as error:  # noqa: BLE001 - reported on the export page, not retried blindly
        logger.exception("dossier export %s failed", export_id)
        DossierExport.objects.filter(pk=export_id).update(
            state=ExportState.FAILED, error=str(error)[:500]
        )
        return ExportState.FAILED
    return export.state


def dossier_exports_cleanup() -> int:
    """Remove the exports older than 7 days with their files (a daily schedule)."""
    removed = 0
    for export in DossierExport.objects.filter(expires_at__lte=timezone.now()).iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        removed += 1
    return removed
