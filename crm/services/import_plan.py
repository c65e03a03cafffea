"""What an import will do, row by row, before anything is written.

Each row's cells become card values through the column mapping: reference columns (industry,
category, status, manager) are resolved by their names; bad rows get a reason. A row matches an
existing company by INN (with the KPP when the file has one), else by the normalised name.
Depending on the mode a match is skipped (already in the base) or updated: the plan keeps, per
company, only the fields whose value changes. The same plan is computed for the preview and for
the run, so what the user confirmed is what is written (against the base as it is then).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import (
    ContactPerson,
    Counterparty,
    CounterpartyCategory,
    ImportMode,
    Industry,
    ProcessingStatus,
    name_key,
)

User = get_user_model()

# the card fields a column can fill, in the mapping form's order
FIELDS = [
    ("name", gettext_lazy("Наименование")),
    ("inn", gettext_lazy("ИНН")),
    ("kpp", gettext_lazy("КПП")),
    ("category", gettext_lazy("Категория")),
    ("industry", gettext_lazy("Сфера деятельности")),
    ("status", gettext_lazy("Статус")),
    ("responsible", gettext_lazy("Менеджер")),
    ("contact_person", gettext_lazy("Контактное лицо")),
    ("phone", gettext_lazy("Телефон")),
    ("email", gettext_lazy("Эл. почта")),
    ("address", gettext_lazy("Адрес")),
    ("comment", gettext_lazy("Комментарий")),
]
LABELS = dict(FIELDS)
LIMITS = {"name": 255, "phone": 50, "address": 500, "email": 254, "contact_person": 255}
# what an update may change on an existing company (its status moves only through the pipeline)
UPDATABLE = ["name", "inn", "kpp", "category", "industry", "responsible", "phone", "email"]
UPDATABLE += ["address", "comment"]

INN_RE = re.compile(r"^\d{10}$|^\d{12}$")
KPP_RE = re.compile(r"^\d{9}$")

CATEGORY_SYNONYMS = {
    "клиент": CounterpartyCategory.CLIENT,
    "арендатор": CounterpartyCategory.TENANT,
    "госорган": CounterpartyCategory.GOVERNMENT,
    "гос орган": CounterpartyCategory.GOVERNMENT,
    "государственный орган": CounterpartyCategory.GOVERNMENT,
    "подрядчик": CounterpartyCategory.CONTRACTOR,
    "поставщик": CounterpartyCategory.CONTRACTOR,
    "прочее": CounterpartyCategory.OTHER,
    "другое": CounterpartyCategory.OTHER,
}


class RowError(Exception):
    pass


class Resolver:
    """Turns the reference cells of a file into ids, loading each reference table once."""

    def __init__(self, *, create_industries: bool) -> None:
        self.create_industries = create_industries
        self.industries = {name_key(i.name): i.pk for i in Industry.objects.all()}
        self.new_industries: dict[str, str] = {}  # key → name as first written in the file
        self.categories = {
            name_key(str(label)): code for code, label in CounterpartyCategory.choices
        }
        self.categories.update({code: code for code in CounterpartyCategory.values})
        self.categories.update(CATEGORY_SYNONYMS)
        self.statuses = {name_key(str(label)): code for code, label in ProcessingStatus.choices}
        self.statuses.update({code: code for code in ProcessingStatus.values})
        self.people: dict[str, set[int]] = {}
        for pk, login, first, last in User.objects.filter(
            is_active=True, employee__isnull=False
        ).values_list("pk", "username", "first_name", "last_name"):
            keys = {login.lower(), name_key(f"{last} {first}"), name_key(f"{first} {last}")}
            if last:
                keys.add(name_key(last))
                if first:
                    keys.add(name_key(f"{last} {first[0]}"))
            for key in keys - {""}:
                self.people.setdefault(key, set()).add(pk)

    def industry(self, value: str):
        key = name_key(value)
        if key in self.industries:
            return self.industries[key]
        if not self.create_industries:
            raise RowError(
                _("неизвестная сфера деятельности «%(v)s» (отметьте «создавать новые сферы»)")
                % {"v": value}
            )
        self.new_industries.setdefault(key, " ".join(value.split())[:100])
        return ("new", key)

    def category(self, value: str) -> str:
        code = self.categories.get(name_key(value))
        if code is None:
            raise RowError(_("неизвестная категория «%(v)s»") % {"v": value})
        return code

    def status(self, value: str) -> str:
        code = self.statuses.get(name_key(value))
        if code is None:
            raise RowError(_("неизвестный статус «%(v)s»") % {"v": value})
        return code

    def person(self, value: str) -> int:
        ids = self.people.get(value.strip().lower()) or self.people.get(name_key(value))
        if not ids:
            raise RowError(_("сотрудник «%(v)s» не найден") % {"v": value})
        if len(ids) > 1:
            raise RowError(
                _("«%(v)s» — несколько сотрудников: укажите фамилию и имя или логин") % {"v": value}
            )
        return next(iter(ids))


@dataclass
class Plan:
    creates: list[dict] = field(default_factory=list)  # card values (+ "contact", "row")
    updates: list[dict] = field(default_factory=list)  # {"id", "row", "changes", "contact"}
    unchanged: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)
    field_counts: Counter = field(default_factory=Counter)
    new_industries: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    current: dict[int, dict] = field(default_factory=dict)  # before-values of updated companies


def _cells(row: list[str], mapping: dict[str, int]) -> dict[str, str]:
    values = {}
    for field_name, column in mapping.items():
        value = row[column] if column < len(row) else ""
        values[field_name] = " ".join(value.split())
    return values


def _row_values(cells: dict[str, str], resolver: Resolver) -> tuple[dict, str]:
    """The card values one row gives (without the defaults) and its contact person, or
    RowError."""
    name = cells.get("name", "")
    if not name:
        raise RowError(_("не указано наименование"))
    values: dict = {"name": name}
    for key, limit in LIMITS.items():
        if len(cells.get(key, "")) > limit:
            raise RowError(
                _("«%(field)s» длиннее %(n)s символов") % {"field": LABELS[key], "n": limit}
            )
    inn = re.sub(r"\s", "", cells.get("inn", ""))
    kpp = re.sub(r"\s", "", cells.get("kpp", ""))
    if inn and not INN_RE.match(inn):
        raise RowError(_("ИНН должен состоять из 10 или 12 цифр: «%(v)s»") % {"v": inn})
    if kpp and not KPP_RE.match(kpp):
        raise RowError(_("КПП должен состоять из 9 цифр: «%(v)s»") % {"v": kpp})
    if inn:
        values["inn"] = inn
    if kpp:
        values["kpp"] = kpp
    email = cells.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise RowError(_("неверный адрес эл. почты: «%(v)s»") % {"v": email}) from None
        values["email"] = email
    for key in ("phone", "address", "comment"):
        if cells.get(key):
            values[key] = cells[key]
    if cells.get("category"):
        values["category"] = resolver.category(cells["category"])
    if cells.get("industry"):
        values["industry"] = resolver.industry(cells["industry"])
    if cells.get("responsible"):
        values["responsible"] = resolver.person(cells["responsible"])
    if cells.get("status"):
        values["status"] = resolver.status(cells["status"])
    return values, cells.get("contact_person", "")


def sql_rows(sql: str, values: list) -> list[tuple]:
    """One query for any number of keys: an array parameter, not a list of placeholders."""
    if not values:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, [values])
        return cursor.fetchall()


def _existing(keys_inn: set[str], keys_name: set[str]):
    table = Counterparty._meta.db_table
    by_inn: dict[str, list[tuple]] = {}
    by_name: dict[str, list[tuple]] = {}
    for pk, inn, kpp in sql_rows(
        f"SELECT id, inn, kpp FROM {table} WHERE inn = ANY(%s)",  # noqa: S608 - our table
        sorted(keys_inn),
    ):
        by_inn.setdefault(inn, []).append((pk, kpp))
    for pk, key, inn in sql_rows(
        f"SELECT id, name_key, inn FROM {table} WHERE name_key = ANY(%s)",  # noqa: S608
        sorted(keys_name),
    ):
        by_name.setdefault(key, []).append((pk, inn))
    return by_inn, by_name


def _match(values: dict, by_inn, by_name) -> int | None:
    """The existing company a row is about; RowError when that is ambiguous."""
    inn, kpp = values.get("inn", ""), values.get("kpp", "")
    if inn:
        found = by_inn.get(inn, [])
        if kpp:
            found = [f for f in found if f[1] == kpp] or [f for f in found if not f[1]]
        if len(found) > 1:
            raise RowError(_("в базе несколько компаний с ИНН %(inn)s: укажите КПП") % {"inn": inn})
        if found:
            return found[0][0]
        # a company entered without INN is the same one when the name matches
        without_inn = [f for f in by_name.get(name_key(values["name"]), []) if not f[1]]
        return without_inn[0][0] if len(without_inn) == 1 else None
    found = by_name.get(name_key(values["name"]), [])
    if len(found) > 1:
        raise RowError(
            _("в базе несколько компаний «%(name)s»: добавьте ИНН") % {"name": values["name"]}
        )
    return found[0][0] if found else None


def _current(ids: list[int]) -> tuple[dict[int, dict], dict[int, set[str]]]:
    """The before-values of the matched companies and their contact persons' name keys."""
    current: dict[int, dict] = {}
    contacts: dict[int, set[str]] = {}
    fields = ["name", "inn", "kpp", "category", "industry_id", "responsible_id"]
    fields += ["phone", "email", "address", "comment", "version"]
    table = Counterparty._meta.db_table
    for row in sql_rows(
        f"SELECT id, {', '.join(fields)} FROM {table} WHERE id = ANY(%s)",  # noqa: S608
        ids,
    ):
        values = dict(zip(fields, row[1:], strict=True))
        values["industry"] = values.pop("industry_id")
        values["responsible"] = values.pop("responsible_id")
        current[row[0]] = values
    for company_id, name in sql_rows(
        f"SELECT company_id, name FROM {ContactPerson._meta.db_table} "  # noqa: S608
        "WHERE company_id = ANY(%s)",
        ids,
    ):
        contacts.setdefault(company_id, set()).add(name_key(name))
    return current, contacts


def build_plan(company_import, rows: Iterable[list[str]]) -> Plan:
    """The plan of ``rows`` (data rows, without the header) under the import's settings."""
    mapping = {k: int(v) for k, v in company_import.mapping.items()}
    resolver = Resolver(create_industries=company_import.create_industries)
    defaults = {
        "category": company_import.category,
        "status": company_import.initial_status,
        "industry": company_import.industry_id,
        "responsible": company_import.responsible_id,
    }
    plan = Plan()
    parsed: list[tuple[int, list[str], dict, str]] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        if not any(c.strip() for c in row):
            continue
        plan.rows += 1
        try:
            values, contact = _row_values(_cells(row, mapping), resolver)
        except RowError as exc:
            plan.errors.append({"row": number, "reason": str(exc), "cells": list(row)})
        else:
            parsed.append((number, row, values, contact))
    inns = {p[2]["inn"] for p in parsed if "inn" in p[2]}
    names = {name_key(p[2]["name"]) for p in parsed}
    by_inn, by_name = _existing(inns, names)
    seen: dict[str, int] = {}
    matched: list[tuple[int, int, dict, str]] = []
    for number, row, values, contact in parsed:
        key = values.get("inn", "") + "/" + values.get("kpp", "") if "inn" in values else ""
        key = key or "name:" + name_key(values["name"])
        try:
            if key in seen:
                raise RowError(_("повторяет строку %(n)s файла") % {"n": seen[key]})
            company_id = _match(values, by_inn, by_name)
        except RowError as exc:
            plan.errors.append({"row": number, "reason": str(exc), "cells": list(row)})
            continue
        seen[key] = number
        if company_id is None:
            plan.creates.append({**defaults, **values, "contact": contact, "row": number})
        elif company_import.mode == ImportMode.UPDATE:
            matched.append((number, company_id, values, contact))
        else:
            plan.duplicates += 1
    current, contacts = _current([m[1] for m in matched])
    for number, company_id, values, contact in matched:
        before = current[company_id]
        changes = {}
        for key, value in values.items():
            if key not in UPDATABLE:
                continue
            if key == "name" and name_key(value) == name_key(before["name"]):
                continue  # the same name written with other quotes or case
            if before[key] != value:
                changes[key] = value
        if contact and name_key(contact) in contacts.get(company_id, set()):
            contact = ""
        if not changes and not contact:
            plan.unchanged += 1
            continue
        plan.field_counts.update(changes.keys())
        if contact:
            plan.field_counts["contact_person"] += 1
        plan.updates.append(
            {"id": company_id, "row": number, "changes": changes, "contact": contact}
        )
        plan.current[company_id] = before
    plan.new_industries = dict(resolver.new_industries)
    return plan
