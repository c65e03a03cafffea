"""Contract name templates (R19): «{type} № {number} от {date} — {counterparty}». The admin's
template is checked when it is saved, so a malformed one never reaches contract creation; rendering
is still defensive (a template saved around the admin falls back to the default)."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_NAME_TEMPLATE = "{type} № {number} от {date} — {counterparty} — {subject}"
PLACEHOLDERS = ("type", "number", "date", "counterparty", "subject", "amount")
PLACEHOLDERS_HELP = gettext_lazy(
    "Подстановки: {type}, {number}, {date}, {counterparty}, {subject}, {amount}. "
    "Название договора формируется автоматически."
)
# what the create form shows instead of raw placeholders
EXAMPLE_VALUES = {
    "type": "Расходный: закупка",
    "number": "125",
    "date": "01.03.2026",
    "counterparty": "ООО «Ромашка»",
    "subject": "Поставка прожекторов",
    "amount": "415 000,00",
}


def _fields(template: str) -> list[tuple[str, str, str | None]]:
    """(field name, format spec, conversion) of every placeholder; raises ValueError on
    unbalanced braces."""
    return [
        (name, spec or "", conversion)
        for _text, name, spec, conversion in string.Formatter().parse(template)
        if name is not None
    ]


def validate_name_template(template: str) -> None:
    """Refuse what could fail or surprise later: unbalanced braces, unknown or positional
    placeholders, attribute or index access, conversions and format specifications."""
    try:
        fields = _fields(template)
    except ValueError:
        raise ValidationError(
            _(
                "Фигурные скобки не сбалансированы: каждая подстановка пишется как {type}. "
                "Чтобы вывести саму скобку, удвойте её: {{ или }}."
            ),
            code="braces",
        ) from None
    known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    for name, spec, conversion in fields:
        if name not in PLACEHOLDERS:
            raise ValidationError(
                _("Неизвестная подстановка «{%(name)s}». Допустимы: %(known)s.")
                % {"name": name, "known": known},
                code="unknown",
            )
        if spec or conversion:
            raise ValidationError(
                _(
                    "Подстановка «{%(name)s}» записана с форматом. Пишите подстановки без "
                    "двоеточий и восклицательных знаков, например {%(name)s}."
                )
                % {"name": name},
                code="format",
            )
    if not fields:
        raise ValidationError(
            _("В шаблоне нет ни одной подстановки: названия договоров совпадали бы."),
            code="empty",
        )


class _Placeholders(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_name(template: str, values: dict[str, str]) -> str:
    """The name from ``template``; unknown placeholders stay as typed, and a template that cannot
    be rendered at all (saved around the validation) falls back to the default one."""
    try:
        safe = all(
            not spec and not conversion and name.isidentifier()
            for name, spec, conversion in _fields(template)
        )
        text = template.format_map(_Placeholders(values)) if safe else None
    except (ValueError, IndexError, KeyError):
        text = None
    if text is None:
        text = DEFAULT_NAME_TEMPLATE.format_map(_Placeholders(values))
    return " ".join(text.split())[:500]


def example_name(template: str) -> str:
    return render_name(template, EXAMPLE_VALUES)
