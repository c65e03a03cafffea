"""Company import from .xlsx/.csv (R7): upload → mapping → check (preview) → confirmed run.

- Upload: the content must be what the name says (``import_files.check_content``); the page
  then shows the detected encoding, delimiter and sheets.
- Mapping: any column to any card field, values for all rows, the mode (only new companies, or
  update the existing ones too) and whether unknown industries are created.
- Check: a job builds the plan (``import_plan``) and stores its summary: what will be created,
  which fields of which companies change, the bad rows with a reason (downloadable as .xlsx
  with a reason column, to fix and import again).
- Run: after confirmation a job recomputes the same plan and writes it in batches: new
  companies with COPY (ids taken from the sequence first, so their contact persons follow in
  the same batch), changes with one UPDATE … FROM unnest(…) per batch and one history row per
  changed company. Progress is committed after each batch for the page that polls it. The job
  is idempotent and resumable: it runs under an advisory lock, and a rerun of a half-done
  import finds the written companies already in the base.
"""

from __future__ import annotations

import datetime as dt
import io

import rules
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from crm.models import (
    CompanyImport,
    ContactPerson,
    Counterparty,
    CrmSettings,
    ImportMode,
    ImportState,
    Industry,
    name_key,
)
from crm.search import contact_keys, phone_key
from crm.services import import_plan
from crm.services.import_files import ImportFileError, check_content, header_of, read_table
from workflow.models import HistoryAction, HistoryEntry
from workflow.services import history_record, notification_send

__all__ = ["ImportFileError"]

BATCH = 5000
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
    except ImportFileError as exc:
        CompanyImport.objects.filter(pk=import_id, state=ImportState.ANALYSING).update(
            state=ImportState.FAILED, failure=str(exc)
        )
        return CompanyImport.objects.get(pk=import_id)
    CompanyImport.objects.filter(pk=import_id, state=ImportState.ANALYSING).update(
        state=ImportState.PREVIEW,
        preview=import_plan.summary(plan),
        errors=plan.errors,
        header=header,
        total_rows=plan.rows,
        processed_rows=0,
    )
    return CompanyImport.objects.get(pk=import_id)


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
            _header, rows = read_rows(company_import)
            plan = import_plan.build_plan(company_import, rows)
            _apply(company_import, plan)
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


# --- writing the plan ---------------------------------------------------------------------------

COMPANY_COLUMNS = [
    "id",
    "name",
    "name_key",
    "category",
    "inn",
    "kpp",
    "email",
    "phone",
    "address",
    "comment",
    "contact_keys",
    "industry_id",
    "responsible_id",
    "status",
    "created_at",
    "next_contact_check_at",
    "version",
]
COMPANY_TYPES = ["int8", "text", "text", "text", "text", "text", "text", "text", "text", "text"]
COMPANY_TYPES += ["text", "int8", "int8", "text", "timestamptz", "timestamptz", "int4"]
CONTACT_COLUMNS = ["company_id", "name", "position", "phones", "emails", "comment", "created_at"]
CONTACT_TYPES = ["int8", "text", "text", "text[]", "text[]", "text", "timestamptz"]


def _copy(table: str, columns: list[str], types: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _next_ids(model, count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [r[0] for r in cursor.fetchall()]


def _industry_ids(plan: import_plan.Plan) -> dict[str, int]:
    """Create the industries the file introduced (the user ticked «создавать новые сферы»)."""
    existing = {name_key(i.name): i.pk for i in Industry.objects.all()}
    for key, name in plan.new_industries.items():
        if key not in existing:
            existing[key] = Industry.objects.create(name=name).pk
    return existing


def _industry(value, industries: dict[str, int]):
    if isinstance(value, tuple | list):
        return industries[value[1]]
    return value


def _progress(company_import: CompanyImport, **counts) -> None:
    CompanyImport.objects.filter(pk=company_import.pk).update(**counts)


def _apply(company_import: CompanyImport, plan: import_plan.Plan) -> None:
    industries = _industry_ids(plan) if plan.new_industries else {}
    now = timezone.now()
    check_at = now + dt.timedelta(days=CrmSettings.load().contact_control_days)
    processed = len(plan.errors) + plan.duplicates + plan.unchanged
    _progress(
        company_import,
        total_rows=plan.rows,
        processed_rows=processed,
        errors=plan.errors,
        duplicate_count=plan.duplicates,
    )
    created = updated = 0
    for start in range(0, len(plan.creates), BATCH):
        batch = plan.creates[start : start + BATCH]
        with transaction.atomic():
            _create_batch(batch, industries, now, check_at)
        created += len(batch)
        processed += len(batch)
        _progress(company_import, processed_rows=processed, created_count=created)
    for start in range(0, len(plan.updates), BATCH):
        batch = plan.updates[start : start + BATCH]
        with transaction.atomic():
            _update_batch(company_import, plan, batch, industries, now)
        updated += len(batch)
        processed += len(batch)
        _progress(company_import, processed_rows=processed, updated_count=updated)
    with transaction.atomic():
        CompanyImport.objects.filter(pk=company_import.pk).update(
            state=ImportState.DONE, processed_rows=plan.rows
        )
        history_record(
            subject=company_import,
            actor=company_import.created_by,
            action=HistoryAction.CREATED,
            description=_(
                "Импорт: создано %(n)s, обновлено %(u)s, без изменений %(s)s, уже были в базе "
                "%(d)s, ошибок %(e)s"
            )
            % {
                "n": created,
                "u": updated,
                "s": plan.unchanged,
                "d": plan.duplicates,
                "e": len(plan.errors),
            },
        )


def _create_batch(batch: list[dict], industries, now, check_at) -> None:
    ids = _next_ids(Counterparty, len(batch))
    companies, contacts = [], []
    for company_id, card in zip(ids, batch, strict=True):
        contact = card["contact"]
        keys = [phone_key(card.get("phone", "")), card.get("email", "").lower()]
        if contact:
            keys.append(name_key(contact))
        companies.append(
            (
                company_id,
                card["name"],
                name_key(card["name"]),
                card["category"],
                card.get("inn", ""),
                card.get("kpp", ""),
                card.get("email", ""),
                card.get("phone", ""),
                card.get("address", ""),
                card.get("comment", ""),
                " ".join(k for k in keys if k),
                _industry(card.get("industry"), industries),
                card.get("responsible"),
                card["status"],  # the initial value, not a transition
                now,
                check_at,
                0,
            )
        )
        if contact:
            contacts.append((company_id, contact, "", [], [], "", now))
    _copy(Counterparty._meta.db_table, COMPANY_COLUMNS, COMPANY_TYPES, companies)
    _copy(ContactPerson._meta.db_table, CONTACT_COLUMNS, CONTACT_TYPES, contacts)


# the UPDATE of a batch: every field comes as an array, NULL meaning "keep"
_UPDATE_FIELDS = [
    ("name", "text"),
    ("name_key", "text"),
    ("inn", "text"),
    ("kpp", "text"),
    ("category", "text"),
    ("industry_id", "bigint"),
    ("responsible_id", "bigint"),
    ("phone", "text"),
    ("email", "text"),
    ("address", "text"),
    ("comment", "text"),
]


def _update_batch(company_import, plan, batch: list[dict], industries, now) -> None:
    ids = [u["id"] for u in batch]
    list(
        Counterparty.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    columns: dict[str, list] = {name: [] for name, _type in _UPDATE_FIELDS}
    for update in batch:
        changes = dict(update["changes"])
        if "name" in changes:
            changes["name_key"] = name_key(changes["name"])
        if "industry" in changes:
            changes["industry_id"] = _industry(changes.pop("industry"), industries)
        if "responsible" in changes:
            changes["responsible_id"] = changes.pop("responsible")
        for name, _type in _UPDATE_FIELDS:
            columns[name].append(changes.get(name))
    table = Counterparty._meta.db_table
    sets = ", ".join(f"{name} = COALESCE(v.{name}, t.{name})" for name, _type in _UPDATE_FIELDS)
    arrays = ", ".join(f"%s::{sql_type}[]" for _name, sql_type in _UPDATE_FIELDS)
    names = ", ".join(name for name, _type in _UPDATE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} AS t SET {sets}, version = t.version + 1
            FROM unnest(%s::bigint[], {arrays}) AS v(id, {names})
            WHERE t.id = v.id
            """,  # noqa: S608 - identifiers are ours, values are parameters
            [ids, *columns.values()],
        )
    ContactPerson.objects.bulk_create(
        ContactPerson(company_id=u["id"], name=u["contact"], created_at=now)
        for u in batch
        if u["contact"]
    )
    _refresh_contact_keys(ids)
    _history(company_import, plan, batch, now)


def _refresh_contact_keys(ids: list[int]) -> None:
    contacts: dict[int, list] = {}
    for contact in ContactPerson.objects.filter(company_id__in=ids).only(
        "company_id", "name", "phones", "emails"
    ):
        contacts.setdefault(contact.company_id, []).append(contact)
    keys = [
        (pk, contact_keys(phone=phone, email=email, contacts=contacts.get(pk, [])))
        for pk, phone, email in Counterparty.objects.filter(pk__in=ids).values_list(
            "pk", "phone", "email"
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Counterparty._meta.db_table} AS t SET contact_keys = v.keys
            FROM unnest(%s::bigint[], %s::text[]) AS v(id, keys) WHERE t.id = v.id
            """,  # noqa: S608 - the table name is ours
            [[k[0] for k in keys], [k[1] for k in keys]],
        )


def _history(company_import, plan, batch, now) -> None:
    content_type = ContentType.objects.get_for_model(Counterparty)
    labels = import_plan.LABELS
    entries = []
    for update in batch:
        before = plan.current[update["id"]]
        fields = [str(labels[k]) for k in update["changes"]]
        lines = [
            f"{labels[k]}: {before[k] or '—'} → {v}"
            for k, v in update["changes"].items()
            if k not in ("industry", "responsible")
        ]
        if update["contact"]:
            fields.append(str(labels["contact_person"]))
            lines.append(f"{labels['contact_person']}: + {update['contact']}")
        entries.append(
            HistoryEntry(
                content_type=content_type,
                object_id=update["id"],
                actor=company_import.created_by,
                action=HistoryAction.COMMENT,
                description=(
                    _("Карточка обновлена импортом «%(file)s»: %(fields)s")
                    % {"file": company_import.original_name, "fields": ", ".join(fields)}
                )[:500],
                comment="\n".join(lines),
                data={"import": company_import.pk},
                created_at=now,
            )
        )
    HistoryEntry.objects.bulk_create(entries, batch_size=BATCH)


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
