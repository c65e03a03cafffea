"""Company import from .xlsx/.csv (R7).

The file stays on the server (``CompanyImport.file``) between the wizard's steps. Reading:
CSV encoding detected with charset-normalizer (UTF-8 or Windows-1251), separator sniffed among
«;» and «,». Rows are validated one by one; bad rows are reported by number and reason, good ones
are created with ``bulk_create`` in batches (progress is saved after each batch for the page that
polls it). A company already in the base — same INN, or without INN the same normalised name — is
not created again, so re-importing a file creates no duplicates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re

import rules
from charset_normalizer import from_bytes
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from crm.models import CompanyImport, Counterparty, CrmSettings, ImportState, name_key
from workflow.models import HistoryAction
from workflow.services import history_record, notification_send

BATCH = 500
PREVIEW_ROWS = 5


class ImportFileError(Exception):
    """The file cannot be read at all (not a table, wrong format)."""


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw, cp_isolation=["cp1251", "utf_8"]).best()
    if best is None:
        raise ImportFileError(
            _("Не удалось определить кодировку файла (нужна UTF-8 или Windows-1251).")
        )
    return str(best)


def _csv_rows(raw: bytes, limit: int | None = None) -> list[list[str]]:
    text = _decode(raw)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,")
        delimiter = dialect.delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return list(itertools.islice(reader, limit))


def _xlsx_rows(raw: bytes, limit: int | None = None) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-xlsx file
        raise ImportFileError(_("Файл не похож на книгу Excel (.xlsx).")) from exc
    sheet = workbook.worksheets[0]
    rows = []
    for values in itertools.islice(sheet.iter_rows(values_only=True), limit):
        rows.append(["" if v is None else _cell(v) for v in values])
    workbook.close()
    return rows


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # INNs typed as numbers
    return str(value).strip()


def read_rows(company_import: CompanyImport, *, limit: int | None = None) -> list[list[str]]:
    """The rows of the file (the first ``limit`` for a preview), the header first; trailing
    empty rows dropped."""
    with company_import.file.open("rb") as f:
        raw = f.read()
    if company_import.original_name.lower().endswith(".xlsx"):
        rows = _xlsx_rows(raw, limit)
    else:
        rows = _csv_rows(raw, limit)
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError(_("Файл пуст."))
    return rows


def import_upload(*, user, uploaded_file) -> CompanyImport:
    if not rules.has_perm("crm.import_companies", user):
        raise PermissionDenied(_("Импорт доступен менеджерам и руководителям."))
    company_import = CompanyImport(created_by=user, original_name=uploaded_file.name[:255])
    company_import.file.save(uploaded_file.name, uploaded_file, save=False)
    company_import.save()
    try:
        read_rows(company_import, limit=PREVIEW_ROWS + 1)  # refuse an unreadable file now
    except ImportFileError:
        company_import.file.delete(save=False)
        company_import.delete()
        raise
    return company_import


def import_start(
    *, import_id: int, user, mapping: dict, initial_status, category, industry, responsible
) -> CompanyImport:
    """Save the wizard's choices and queue the import job (runs inline in tests)."""
    with transaction.atomic():
        company_import = CompanyImport.objects.select_for_update(of=("self",)).get(pk=import_id)
        if company_import.created_by_id != user.pk:
            raise PermissionDenied(_("Это не ваш импорт."))
        if company_import.state != ImportState.UPLOADED:
            raise ValidationError(_("Этот файл уже импортирован."))
        company_import.mapping = mapping
        company_import.initial_status = initial_status
        company_import.category = category
        company_import.industry = industry
        company_import.responsible = responsible
        company_import.state = ImportState.QUEUED
        company_import.save()
    # the ORM broker stores the job in the database; in tests (sync) it runs right here
    async_task("crm.jobs.company_import_run", company_import.pk)
    company_import.refresh_from_db()
    return company_import


INN_RE = re.compile(r"^\d{10}$|^\d{12}$")
KPP_RE = re.compile(r"^\d{9}$")


def _validate(values: dict) -> str | None:
    if not values.get("name"):
        return _("не указано наименование")
    if len(values["name"]) > 255:
        return _("наименование длиннее 255 символов")
    inn = values.get("inn", "")
    if inn and not INN_RE.match(inn):
        return _("ИНН должен состоять из 10 или 12 цифр: «%(v)s»") % {"v": inn}
    kpp = values.get("kpp", "")
    if kpp and not KPP_RE.match(kpp):
        return _("КПП должен состоять из 9 цифр: «%(v)s»") % {"v": kpp}
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            return _("неверный адрес эл. почты: «%(v)s»") % {"v": values["email"]}
    return None


LIMITS = {"inn": 12, "kpp": 9, "phone": 50, "address": 500, "contact_person": 255, "email": 254}


def import_run(*, import_id: int) -> CompanyImport | None:
    """The job: idempotent (a finished or running import is left alone)."""
    with transaction.atomic():
        company_import = (
            CompanyImport.objects.select_for_update(of=("self",)).filter(pk=import_id).first()
        )
        if company_import is None or company_import.state != ImportState.QUEUED:
            return company_import
        company_import.state = ImportState.RUNNING
        company_import.save(update_fields=["state"])
    try:
        _import(company_import)
    except ImportFileError as exc:
        CompanyImport.objects.filter(pk=import_id).update(
            state=ImportState.FAILED, failure=str(exc)
        )
    company_import.refresh_from_db()
    notification_send(
        recipient=company_import.created_by,
        text=_("Импорт «%(name)s» завершён: создано %(n)s, ошибок %(e)s")
        % {
            "name": company_import.original_name,
            "n": company_import.created_count,
            "e": len(company_import.errors),
        },
        url=company_import.get_absolute_url(),
        email=False,
    )
    return company_import


def _import(company_import: CompanyImport) -> None:
    rows = read_rows(company_import)[1:]
    mapping = company_import.mapping
    errors: list[dict] = []
    candidates: list[tuple[int, dict]] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        if not any(c.strip() for c in row):
            continue
        values = {}
        for field, column in mapping.items():
            value = row[column].strip() if column < len(row) else ""
            if field == "name":
                value = " ".join(value.split())
            if field in ("inn", "kpp"):
                value = re.sub(r"\s", "", value)
            values[field] = value
        reason = _validate(values)
        if reason:
            errors.append({"row": number, "reason": reason})
            continue
        for field, limit in LIMITS.items():
            if field in values:
                values[field] = values[field][:limit]
        candidates.append((number, values))
    CompanyImport.objects.filter(pk=company_import.pk).update(
        total_rows=len(candidates) + len(errors), processed_rows=len(errors), errors=errors
    )
    # what is already in the base: INN, or the normalised name for rows without INN
    inns = {v["inn"] for _n, v in candidates if v.get("inn")}
    keys = {name_key(v["name"]) for _n, v in candidates if not v.get("inn")}
    known_inns = set(Counterparty.objects.filter(inn__in=inns).values_list("inn", flat=True))
    known_keys = set(
        Counterparty.objects.filter(name_key__in=keys).values_list("name_key", flat=True)
    )
    days = CrmSettings.load().contact_control_days
    now = timezone.now()
    created = duplicates = processed = 0
    for start in range(0, len(candidates), BATCH):
        batch = []
        for _number, values in candidates[start : start + BATCH]:
            key = name_key(values["name"])
            inn = values.get("inn", "")
            if (inn and inn in known_inns) or (not inn and key in known_keys):
                duplicates += 1
                continue
            if inn:
                known_inns.add(inn)
            else:
                known_keys.add(key)
            company = Counterparty(
                name=values["name"],
                name_key=key,
                category=company_import.category,
                industry_id=company_import.industry_id,
                responsible_id=company_import.responsible_id,
                created_at=now,
                next_contact_check_at=now + dt.timedelta(days=days),
                status=company_import.initial_status,  # the initial value, not a transition
                **{f: values.get(f, "") for f in LIMITS},
            )
            batch.append(company)
        with transaction.atomic():
            Counterparty.objects.bulk_create(batch, batch_size=BATCH)
        created += len(batch)
        processed += len(candidates[start : start + BATCH])
        CompanyImport.objects.filter(pk=company_import.pk).update(
            processed_rows=len(errors) + processed,
            created_count=created,
            duplicate_count=duplicates,
        )
    with transaction.atomic():
        CompanyImport.objects.filter(pk=company_import.pk).update(state=ImportState.DONE)
        history_record(
            subject=company_import,
            actor=company_import.created_by,
            action=HistoryAction.CREATED,
            description=_("Импорт: создано %(n)s, уже были в базе %(d)s, ошибок %(e)s")
            % {"n": created, "d": duplicates, "e": len(errors)},
        )
