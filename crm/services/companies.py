"""Writes of the company card: create, edit (with a version check), contact persons."""

from __future__ import annotations

import re

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from crm.models import (
    CLIENT_CATEGORIES,
    ContactPerson,
    Counterparty,
    CounterpartyCategory,
    Industry,
    name_key,
)
from crm.search import contact_keys
from workflow.models import HistoryAction
from workflow.services import history_record

INN_RE = re.compile(r"^\d{10}$|^\d{12}$")
KPP_RE = re.compile(r"^\d{9}$")

# the card's editable fields, in the order the history names them
EDITABLE = [
    "name",
    "category",
    "inn",
    "kpp",
    "industry",
    "responsible",
    "phone",
    "email",
    "address",
    "comment",
]


class StaleEdit(Exception):
    """The card changed since the user opened it; their edit is not applied."""

    def __init__(self, company: Counterparty) -> None:
        super().__init__(_("Карточку уже изменили, пока вы её редактировали."))
        self.company = company


def counterparty_create(
    *,
    name: str,
    category: str = CounterpartyCategory.OTHER,
    inn: str = "",
    kpp: str = "",
    email: str = "",
    phone: str = "",
    created_by=None,
) -> Counterparty:
    """Create a counterparty; refuses an empty name and a second one with the same INN/KPP."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Укажите наименование контрагента.")})
    with transaction.atomic():
        if inn and Counterparty.objects.filter(inn=inn, kpp=kpp).exists():
            raise ValidationError({"inn": _("Контрагент с таким ИНН/КПП уже есть в базе.")})
        counterparty = Counterparty(
            name=name,
            category=category,
            inn=inn,
            kpp=kpp,
            email=email,
            phone=phone,
            contact_keys=contact_keys(phone=phone, email=email),
        )
        counterparty.full_clean()
        counterparty.save()
        if created_by is not None:
            history_record(
                subject=counterparty,
                actor=created_by,
                action=HistoryAction.CREATED,
                description=_("Контрагент добавлен"),
            )
    return counterparty


def industry_for(name: str) -> Industry | None:
    """The industry of that name (case and ё/е aside), created when new."""
    name = " ".join(name.split())
    if not name:
        return None
    key = name_key(name)
    for industry in Industry.objects.all():
        if name_key(industry.name) == key:
            return industry
    return Industry.objects.create(name=name[:100])


def _check(values: dict, company: Counterparty) -> None:
    errors = {}
    if "name" in values and not values["name"]:
        errors["name"] = _("Укажите наименование.")
    inn = values.get("inn", company.inn)
    kpp = values.get("kpp", company.kpp)
    if inn and not INN_RE.match(inn):
        errors["inn"] = _("ИНН состоит из 10 или 12 цифр.")
    if kpp and not KPP_RE.match(kpp):
        errors["kpp"] = _("КПП состоит из 9 цифр.")
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = _("Проверьте адрес эл. почты.")
    if (
        inn
        and ("inn" in values or "kpp" in values)
        and Counterparty.objects.filter(inn=inn, kpp=kpp).exclude(pk=company.pk).exists()
    ):
        errors["inn"] = _("Контрагент с таким ИНН/КПП уже есть в базе.")
    if errors:
        raise ValidationError(errors)


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def counterparty_update(
    *, company_id: int, user, version: int, values: dict, new_industry: str = ""
) -> Counterparty:
    """Save the card's edited fields. ``version`` is the card's version the user edited: if
    someone saved in between, StaleEdit is raised and nothing changes. Only the changed fields
    are written, in one history row listing each change."""
    with transaction.atomic():
        company = (
            Counterparty.objects.select_for_update(of=("self",))
            .select_related("industry", "responsible")
            .get(pk=company_id)
        )
        if not rules.has_perm("crm.edit_company", user, company):
            raise PermissionDenied(_("Вы не можете изменять эту компанию."))
        if company.version != version:
            raise StaleEdit(company)
        values = {k: v for k, v in values.items() if k in EDITABLE}
        for field in ("name", "address", "phone", "email", "inn", "kpp"):
            if field in values:
                values[field] = " ".join((values[field] or "").split())
        if "inn" in values:
            values["inn"] = re.sub(r"\s", "", values["inn"])
        if new_industry.strip():
            values["industry"] = industry_for(new_industry)
        changed = {k: v for k, v in values.items() if getattr(company, k) != v}
        if not changed:
            return company
        if "responsible" in changed and not rules.has_perm("crm.assign_company", user, company):
            raise PermissionDenied(_("Менеджера компании назначает руководитель."))
        if (
            "category" in changed
            and company.pipeline_active
            and changed["category"] not in CLIENT_CATEGORIES
        ):
            raise ValidationError(
                {
                    "category": _(
                        "Идёт клиентский процесс: клиента нельзя перевести в эту категорию."
                    )
                }
            )
        _check(changed, company)
        diff = {k: [_shown(getattr(company, k)), _shown(v)] for k, v in changed.items()}
        for field, value in changed.items():
            setattr(company, field, value)
        company.version += 1
        fields = [*changed, "version"]
        if {"phone", "email"} & set(changed):
            company.contact_keys = contact_keys(
                phone=company.phone, email=company.email, contacts=company.contacts.all()
            )
            fields.append("contact_keys")
        company.save(update_fields=fields)
        labels = [str(Counterparty._meta.get_field(f).verbose_name) for f in changed]
        history_record(
            subject=company,
            actor=user,
            action=HistoryAction.COMMENT,
            description=_("Карточка изменена: %(fields)s") % {"fields": ", ".join(labels)},
            comment="\n".join(
                f"{label}: {old} → {new}"
                for label, (old, new) in zip(labels, diff.values(), strict=True)
            ),
            data={"changes": diff},
        )
    return company


def _clean_list(values, *, email: bool) -> list[str]:
    result = []
    for value in values:
        value = " ".join(str(value).split())
        if not value:
            continue
        if email:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError(
                    {"emails": _("Проверьте адрес эл. почты: «%(v)s».") % {"v": value}}
                ) from None
        result.append(value[: 254 if email else 50])
    return result


def _refresh_contact_keys(company: Counterparty) -> None:
    """The search column follows the contacts; the card's version moves (a checked import plan
    made before this edit is planned again)."""
    company.contact_keys = contact_keys(
        phone=company.phone, email=company.email, contacts=company.contacts.all()
    )
    company.version += 1
    company.save(update_fields=["contact_keys", "version"])


def _locked_for_edit(company_id: int, user) -> Counterparty:
    company = Counterparty.objects.select_for_update(of=("self",)).get(pk=company_id)
    if not rules.has_perm("crm.edit_company", user, company):
        raise PermissionDenied(_("Вы не можете изменять эту компанию."))
    return company


def contact_person_save(
    *,
    company_id: int,
    user,
    name: str,
    position: str = "",
    phones=(),
    emails=(),
    comment: str = "",
    contact_id: int | None = None,
) -> ContactPerson:
    """Add a contact person to a company, or change one (``contact_id``)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Укажите ФИО контактного лица.")})
    phones = _clean_list(phones, email=False)
    emails = _clean_list(emails, email=True)
    with transaction.atomic():
        company = _locked_for_edit(company_id, user)
        if contact_id is None:
            contact = ContactPerson(company=company)
            description = _("Добавлено контактное лицо: %(name)s")
        else:
            contact = ContactPerson.objects.get(pk=contact_id, company=company)
            description = _("Изменено контактное лицо: %(name)s")
        contact.name = name[:255]
        contact.position = " ".join(position.split())[:255]
        contact.phones = phones
        contact.emails = emails
        contact.comment = " ".join(comment.split())[:500]
        contact.save()
        _refresh_contact_keys(company)
        history_record(
            subject=company,
            actor=user,
            action=HistoryAction.COMMENT,
            description=description % {"name": contact.name},
            comment=", ".join([*phones, *emails]),
        )
    return contact


def contact_person_delete(*, company_id: int, contact_id: int, user) -> None:
    with transaction.atomic():
        company = _locked_for_edit(company_id, user)
        contact = ContactPerson.objects.get(pk=contact_id, company=company)
        contact.delete()
        _refresh_contact_keys(company)
        history_record(
            subject=company,
            actor=user,
            action=HistoryAction.COMMENT,
            description=_("Удалено контактное лицо: %(name)s") % {"name": contact.name},
        )
