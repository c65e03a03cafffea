"""The approval sheet (лист согласования) as a PDF, with a vendored Cyrillic font."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).resolve().parent / "fonts"


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M") if moment else "—"


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "—"


def approval_sheet(contract, rounds) -> bytes:
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 8, _("Лист согласования"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    lines = [
        contract.name,
        _("Контрагент: %(v)s") % {"v": contract.counterparty.name},
        _("Сумма: %(v)s ₽") % {"v": f"{contract.amount:,.2f}".replace(",", " ")},
        _("Источник финансирования: %(v)s") % {"v": contract.fund or "—"},
        _("Инициатор: %(v)s") % {"v": _who(contract.initiator)},
        _("Состояние: %(v)s") % {"v": contract.get_status_display()},
    ]
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    headers = [
        _("Группа"),
        _("Согласующий"),
        _("Статус"),
        _("Поступило"),
        _("Срок"),
        _("Решение"),
        _("В срок"),
        _("Комментарий"),
    ]
    widths = [18, 52, 40, 30, 30, 30, 18, 59]
    for number, approvals in rounds:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 7, _("Круг %(n)s") % {"n": number}, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "B", 8)
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=5) as table:
            table.row(headers)
            pdf.set_font("DejaVu", "", 8)
            for a in approvals:
                on_time = a.on_time
                table.row(
                    [
                        str(a.group),
                        _who(a.approver),
                        a.get_status_display(),
                        _fmt(a.started_at),
                        _fmt(a.due_at),
                        _fmt(a.decided_at),
                        "—" if on_time is None else (_("да") if on_time else _("нет")),
                        a.comment or "",
                    ]
                )
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(0, 5, _("Сформировано: %(v)s") % {"v": _fmt(timezone.now())})
    return bytes(pdf.output())
