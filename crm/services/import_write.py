"""Writing a confirmed import's plan: new companies with COPY (ids taken from the sequence first,
so their contact persons follow in the same batch), changes with one UPDATE … FROM unnest(…) per
batch and one history row per changed company. Each batch commits with the import's progress."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import (
    CompanyImport,
    ContactPerson,
    Counterparty,
    CrmSettings,
    ImportState,
    Industry,
    name_key,
)
from crm.search import contact_keys, phone_key
from crm.services import import_plan
from crm.signals import companies_written
from workflow.models import HistoryAction, HistoryEntry
from workflow.services import history_record

BATCH = 5000

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


def plan_write(company_import: CompanyImport, plan: import_plan.Plan) -> None:
    """Write the plan in batches and mark the import done."""
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
    companies_written.send(sender=Counterparty, ids=ids)


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
    companies_written.send(sender=Counterparty, ids=ids)
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
