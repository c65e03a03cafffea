"""Excel export of the incoming register (one query, written by the shared xlsx helper)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from argo_docs.spreadsheets import xlsx_bytes, xlsx_response

EXPORT_LIMIT = 20000


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _header() -> list[str]:
    return [
        _("Рег. номер"),
        _("Дата регистрации"),
        _("Юрлицо"),
        _("Контрагент"),
        _("Категория"),
        _("Исх. номер отправителя"),
        _("Дата письма"),
        _("Тема"),
        _("Дата получения"),
        _("Контрольный срок"),
        _("Исполнитель"),
        _("Состояние"),
        _("Просрочено"),
    ]


def _rows(letters):
    for letter in letters[:EXPORT_LIMIT]:
        yield [
            letter.reg_number,
            letter.registered_at,
            str(letter.legal_entity),
            letter.counterparty.name,
            letter.counterparty.get_category_display(),
            letter.sender_number,
            letter.sender_date,
            letter.subject,
            letter.received_on,
            letter.control_date,
            _name(letter.responsible),
            letter.get_status_display(),
            _("да") if letter.is_overdue else "",
        ]


def register_xlsx(letters) -> bytes:
    return xlsx_bytes(title=_("Журнал входящих"), header=_header(), rows=_rows(letters))


def register_xlsx_response(letters) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    return xlsx_response(
        filename=f"incoming-{stamp}.xlsx",
        title=_("Журнал входящих"),
        header=_header(),
        rows=_rows(letters),
    )
