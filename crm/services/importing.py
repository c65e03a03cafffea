"""Company import from .xlsx/.csv (R7): upload → mapping → check (preview) → confirmed run.

- Upload: the content must be what the name says (``import_files.check_content``); the page
  then shows the detected encoding, delimiter and sheets.
- Mapping: any column to any card field, values for all rows, the mode (only new companies, or
  update the existing ones too) and whether unknown industries are created.
- Check: a job builds the plan (``import_plan``; the preview in ``import_preview``) and stores
  its summary: what will be created, which fields of which companies change, the bad rows with
  a reason (downloadable as .xlsx with a reason column, to fix and import again).
- Run: after confirmation a job writes the checked plan (kept as JSON beside the file; made
  again from the file if the base moved under it since the check) in batches: new
  companies with COPY (ids taken from the sequence first, so their contact persons follow in
  the same batch), changes with one UPDATE … FROM unnest(…) per batch and one history row per
  changed company. Progress is committed after each batch for the page that polls it. The job
  is idempotent and resumable: it runs under an advisory lock, and a rerun of a half-done
  import finds the written companies already in the base.
"""

from __future__ import annotations

import io

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from crm.models import (
    CompanyImport,
    ImportMode,
    ImportState,
)
from crm.services import import_plan, import_preview
from crm.services.import_files import ImportFileError, check_content, header_of, read_table
from crm.services.import_write import plan_write
from workflow.services import notification_send

__all__ = ["ImportFileError"]

PREVIEW_ROWS = 5
LOCK_CLASS = 7401  # advisory lock namespace of import jobs


def _raw(company_import: CompanyImport) -> bytes:
    with company_import.file.open("rb") as f:
        return f.read()


def read_rows(
    company_import: CompanyImport, *, limit: int | None = None
) -> tuple[list[str], list[list[str]]]:
    """(header, data rows) of the import's file and chosen sheet."""
    _info, rows = read_table(
        _raw(company_import),
        company_import.file_format or "csv",
        sheet=company_import.sheet,
        limit=None if limit is None else limit + 1,
    )
    return header_of(rows), rows[1:]


def import_upload(*, user, uploaded_file) -> CompanyImport:
    """Keep the file for the wizard's next steps after checking it is a readable table."""
    if not rules.has_perm("crm.import_companies", user):
        raise PermissionDenied(_("Импорт доступен менеджерам и руководителям."))
    name = uploaded_file.name
    raw = uploaded_file.read()
    file_format = check_content(raw, name)
    info, _rows = read_table(raw, file_format, limit=PREVIEW_ROWS + 1)
    uploaded_file.seek(0)
    with transaction.atomic():
        company_import = CompanyImport(
            created_by=user,
            original_name=name[:255],
            file_format=file_format,
            encoding=info.encoding,
            delimiter=info.delimiter,
            sheets=info.sheets,
            sheet=info.sheet,
        )
        company_import.file.save(name, uploaded_file, save=False)
        company_import.save()
    return company_import


def _own(import_id: int, user, *states: str) -> CompanyImport:
    company_import = CompanyImport.objects.select_for_update(of=("self",)).get(pk=import_id)
    if company_import.created_by_id != user.pk:
        raise PermissionDenied(_("Это не ваш импорт."))
    if states and company_import.state not in states:
        raise ValidationError(_("Импорт уже на другом шаге: обновите страницу."))
    return company_import


def import_sheet_choose(*, import_id: int, user, sheet: str) -> CompanyImport:
    with transaction.atomic():
        company_import = _own(import_id, user, ImportState.UPLOADED)
        if sheet not in company_import.sheets:
            raise ValidationError(_("В книге нет листа «%(s)s».") % {"s": sheet})
        company_import.sheet = sheet
        company_import.mapping = {}
        company_import.save(update_fields=["sheet", "mapping"])
    return company_import


def import_configure(
    *,
    import_id: int,
    user,
    mapping: dict,
    mode: str = ImportMode.CREATE,
    create_industries: bool = False,
    initial_status,
    category,
    industry=None,
    responsible=None,
) -> CompanyImport:
    """Save the mapping and the values for all rows, and queue the check (the preview)."""
    if "name" not in mapping:
        raise ValidationError(_("Выберите колонку с наименованием компании."))
    with transaction.atomic():
        company_import = _own(import_id, user, ImportState.UPLOADED)
        company_import.mapping = {k: int(v) for k, v in mapping.items()}
        company_import.mode = mode
        company_import.create_industries = create_industries
        company_import.initial_status = initial_status
        company_import.category = category
        company_import.industry = industry
        company_import.responsible = responsible
        company_import.state = ImportState.ANALYSING
        company_import.preview = {}
        company_import.errors = []
        company_import.save()
        # the ORM broker stores the job with this transaction; in tests (sync) it runs here
        async_task("crm.jobs.company_import_check", company_import.pk)
    company_import.refresh_from_db()
    return company_import


def import_reconfigure(*, import_id: int, user) -> CompanyImport:
    """Back from the preview to the mapping."""
    with transaction.atomic():
        company_import = _own(import_id, user, ImportState.PREVIEW, ImportState.FAILED)
        company_import.state = ImportState.UPLOADED
        company_import.failure = ""
        company_import.save(update_fields=["state", "failure"])
    return company_import


def import_confirm(*, import_id: int, user) -> CompanyImport:
    with transaction.atomic():
        company_import = _own(import_id, user, ImportState.PREVIEW)
        company_import.state = ImportState.QUEUED
        company_import.save(update_fields=["state"])
        async_task("crm.jobs.company_import_run", company_import.pk)
    company_import.refresh_from_db()
    return company_import


def import_check(*, import_id: int) -> CompanyImport | None:
    """The check job: build the plan and store its summary for the preview. Idempotent."""
    company_import = CompanyImport.objects.filter(pk=import_id).first()
    if company_import is None or company_import.state != ImportState.ANALYSING:
        return company_import
    try:
        header, rows = read_rows(company_import)
        plan = import_plan.build_plan(company_import, rows)
        _drop_plan(company_import)
    except ImportFileError as exc:
        CompanyImport.objects.filter(pk=import_id, state=ImportState.ANALYSING).update(
            state=ImportState.FAILED, failure=str(exc)
        )
        return CompanyImport.objects.get(pk=import_id)
    default_storage.save(_plan_path(company_import), ContentFile(import_preview.plan_dump(plan)))
    CompanyImport.objects.filter(pk=import_id, state=ImportState.ANALYSING).update(
        state=ImportState.PREVIEW,
        preview=import_preview.summary(plan),
        errors=plan.errors,
        header=header,
        total_rows=plan.rows,
        processed_rows=0,
    )
    return CompanyImport.objects.get(pk=import_id)


def _plan_path(company_import: CompanyImport) -> str:
    return f"imports/plans/{company_import.pk}.json"


def _drop_plan(company_import: CompanyImport) -> None:
    path = _plan_path(company_import)
    if default_storage.exists(path):
        default_storage.delete(path)


def _confirmed_plan(company_import: CompanyImport) -> import_plan.Plan:
    """The plan the user confirmed, when the base has not moved under it since the check;
    otherwise (edits in between, or a rerun after a crash) the same plan made again."""
    path = _plan_path(company_import)
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as f:
            plan = import_preview.plan_load(f.read())
        if import_preview.plan_still_valid(plan):
            return plan
    _header, rows = read_rows(company_import)
    return import_plan.build_plan(company_import, rows)


def import_run(*, import_id: int) -> CompanyImport | None:
    """The run job: idempotent (a finished import is left alone) and resumable (a rerun after a
    crash writes only what is not in the base yet); one run at a time per import."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, import_id])
        if not cursor.fetchone()[0]:
            return CompanyImport.objects.filter(pk=import_id).first()
    try:
        with transaction.atomic():
            company_import = (
                CompanyImport.objects.select_for_update(of=("self",)).filter(pk=import_id).first()
            )
            if company_import is None or company_import.state not in (
                ImportState.QUEUED,
                ImportState.RUNNING,
            ):
                return company_import
            company_import.state = ImportState.RUNNING
            company_import.save(update_fields=["state"])
        try:
            plan_write(company_import, _confirmed_plan(company_import))
            _drop_plan(company_import)
        except ImportFileError as exc:
            CompanyImport.objects.filter(pk=import_id).update(
                state=ImportState.FAILED, failure=str(exc)
            )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, import_id])
    company_import.refresh_from_db()
    notification_send(
        recipient=company_import.created_by,
        text=_("Импорт «%(name)s» завершён: создано %(n)s, обновлено %(u)s, ошибок %(e)s")
        % {
            "name": company_import.original_name,
            "n": company_import.created_count,
            "u": company_import.updated_count,
            "e": len(company_import.errors),
        },
        url=company_import.get_absolute_url(),
        email=False,
    )
    return company_import


# --- the bad rows, to fix and import again --------------------------------------------------------


def errors_workbook(company_import: CompanyImport) -> bytes:
    """The rows that were not imported, as they were in the file, with a reason column: fix
    them in Excel and import the file again (the reason column is simply left unmapped)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Ошибки импорта")[:31])
    header = list(company_import.header)
    width = max([len(header), *(len(e.get("cells", [])) for e in company_import.errors)])
    header += [""] * (width - len(header))
    bold = Font(bold=True)
    title = []
    for value in [*header, _("Причина ошибки"), _("Строка в исходном файле")]:
        cell = _text_cell(sheet, value)
        cell.font = bold
        title.append(cell)
    sheet.append(title)
    for error in company_import.errors:
        cells = list(error.get("cells", []))
        cells += [""] * (width - len(cells))
        sheet.append([_text_cell(sheet, v) for v in cells] + [error["reason"], error["row"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, value):
    """A cell written as text: INNs keep their leading zeros, and a value starting with «=»
    stays a value, never a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"
    cell.number_format = "@"
    return cell
