"""Excel export of the incoming register (openpyxl, streamed from one query)."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

EXPORT_LIMIT = 20000


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def register_xlsx(letters) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Журнал входящих"))
    header = [
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
    sheet.append(header)
    for letter in letters[:EXPORT_LIMIT]:
        sheet.append(
            [
                letter.reg_number,
                timezone.localtime(letter.registered_at).replace(tzinfo=None),
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
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def register_xlsx_response(letters) -> HttpResponse:
    response = HttpResponse(
        register_xlsx(letters),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="incoming-{stamp}.xlsx"'
    return response
