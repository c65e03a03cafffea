"""The registration journal of a period as a printable PDF (A4 landscape, the vendored Cyrillic
font of the contract approval sheet)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from contracts.pdf import FONTS

COLUMNS = (
    (gettext_lazy("№"), 30),
    (gettext_lazy("Дата"), 22),
    (gettext_lazy("От кого / кому"), 50),
    (gettext_lazy("Краткое содержание"), 90),
    (gettext_lazy("Исполнитель"), 40),
    (gettext_lazy("Отметка об исполнении"), 45),
)


def journal_pdf(journal, rows, *, date_from, date_to) -> bytes:
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 8, str(journal), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    period = _("за период с %(start)s по %(end)s") % {
        "start": date_from.strftime("%d.%m.%Y"),
        "end": date_to.strftime("%d.%m.%Y"),
    }
    pdf.multi_cell(0, 6, period, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 8)
    with pdf.table(
        col_widths=[width for _label, width in COLUMNS], text_align="LEFT", line_height=4.5
    ) as table:
        table.row([str(label) for label, _width in COLUMNS])
        pdf.set_font("DejaVu", "", 8)
        for row in rows:
            table.row(
                [
                    row.number,
                    timezone.localtime(row.date).strftime("%d.%m.%Y"),
                    row.party,
                    row.summary[:600],
                    row.executor,
                    row.execution,
                ]
            )
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(
        0,
        5,
        _("Записей: %(count)s. Сформировано: %(when)s")
        % {"count": len(rows), "when": timezone.localtime().strftime("%d.%m.%Y %H:%M")},
    )
    return bytes(pdf.output())
