"""What a dossier ZIP holds: ``опись.xlsx`` and ``опись.pdf`` (dates, numbers, states, approvers),
then one folder per document with its files and ``история и лист согласования.pdf``. The PDFs
use the Cyrillic font vendored with the contracts' approval sheet, and the same round table."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from contracts.pdf import FONTS, HEADERS, sheet_rounds
from search.dossier import DossierRow
from workflow.routes.selectors import route_view
from workflow.selectors import history_of

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
INDEX_HEADERS = [
    "№",
    gettext_lazy("Вид"),
    gettext_lazy("Дата"),
    gettext_lazy("Номер и тема"),
    gettext_lazy("Состояние"),
    gettext_lazy("Согласующие"),
    gettext_lazy("В ответ на"),
    gettext_lazy("Файлы"),
]


def safe_name(text: str, limit: int = 80) -> str:
    name = _UNSAFE.sub("_", text).strip(" .") or "_"
    return name[:limit].rstrip(" .")


def _pdf(orientation: str = "L") -> FPDF:
    pdf = FPDF(orientation=orientation, format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    return pdf


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M") if moment else "—"


def _subject(row: DossierRow):
    model = ContentType.objects.get_for_id(row.content_type_id).model_class()
    return model._default_manager.filter(pk=row.object_id).first()


def _approvers(route) -> str:
    if route is None:
        return ""
    _title, _note, rows = sheet_rounds(route)[0]
    return "; ".join(f"{r[1]} — {r[3]}" for r in rows)


def history_pdf(row: DossierRow, subject, route) -> bytes:
    pdf = _pdf()
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 7, f"{row.kind_label}: {row.title}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(
        0, 6, _("Состояние: %(v)s") % {"v": row.status}, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, _("История"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    entries = list(history_of(subject)) if subject is not None else []
    pdf.set_font("DejaVu", "", 8)
    with pdf.table(col_widths=(30, 45, 110, 92), text_align="LEFT", line_height=5) as table:
        table.row([_("Когда"), _("Кто"), _("Что произошло"), _("Комментарий")])
        for entry in entries:
            actor = (
                entry.actor.get_full_name() or entry.actor.get_username() if entry.actor else "—"
            )
            table.row([_when(entry.created_at), actor, entry.description, entry.comment or ""])
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, _("Лист согласования"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    rounds = sheet_rounds(route) if route is not None else []
    if not rounds:
        pdf.set_font("DejaVu", "", 9)
        pdf.cell(0, 6, _("Документ не проходил согласование."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for title, note, rows in rounds:
        pdf.set_font("DejaVu", "B", 9)
        pdf.multi_cell(
            0, 6, title + (f". {note}" if note else ""), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.set_font("DejaVu", "", 7)
        with pdf.table(
            col_widths=[w for _l, w in HEADERS], text_align="LEFT", line_height=4
        ) as table:
            table.row([str(label) for label, _w in HEADERS])
            for cells in rows:
                table.row(cells)
    return bytes(pdf.output())


def _index_rows(rows: list[DossierRow], approvers: dict[int, str]) -> list[list[str]]:
    return [
        [
            str(i),
            row.kind_label,
            row.date.strftime("%d.%m.%Y") if row.date else "",
            row.title,
            row.status,
            approvers.get(row.entry_id, ""),
            row.reply_to[0] if row.reply_to else "",
            ", ".join(f.name for f in row.files),
        ]
        for i, row in enumerate(rows, 1)
    ]


def index_xlsx(title: str, table: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Опись")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([str(h) for h in INDEX_HEADERS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for line in table:
        sheet.append(line)
    for column, width in zip("ABCDEFGH", (6, 14, 12, 60, 22, 40, 40, 40), strict=True):
        sheet.column_dimensions[column].width = width
    for line in sheet.iter_rows(min_row=3):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def index_pdf(title: str, period: str, table: list[list[str]]) -> bytes:
    pdf = _pdf()
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 7, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, period, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 7)
    with pdf.table(
        col_widths=(8, 20, 17, 70, 28, 48, 40, 46), text_align="LEFT", line_height=4
    ) as t:
        t.row([str(h) for h in INDEX_HEADERS])
        for line in table:
            t.row(line)
    return bytes(pdf.output())


def period_text(export) -> str:
    start = export.date_from.strftime("%d.%m.%Y") if export.date_from else _("начала")
    end = export.date_to.strftime("%d.%m.%Y") if export.date_to else _("сегодня")
    return _("Период: с %(start)s по %(end)s. Сформировано %(now)s.") % {
        "start": start,
        "end": end,
        "now": _when(timezone.now()),
    }


def write_dossier(
    archive: zipfile.ZipFile, export, rows: list[DossierRow], progress: Callable[[int], None]
) -> None:
    from storage.models import StoredFile

    approvers: dict[int, str] = {}
    for number, row in enumerate(rows, 1):
        subject = _subject(row)
        route = route_view(subject) if subject is not None else None
        approvers[row.entry_id] = _approvers(route)
        folder = f"{number:03d} {safe_name(row.title, 70)}"
        used: set[str] = set()
        for item in row.files:
            stored = StoredFile.objects.get(pk=item.pk)
            name = safe_name(stored.original_name, 120)
            while name.lower() in used:
                name = f"_{name}"
            used.add(name.lower())
            with (
                stored.file.open("rb") as source,
                archive.open(f"{folder}/{name}", "w", force_zip64=True) as target,
            ):
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    target.write(chunk)
        archive.writestr(
            f"{folder}/{_('история и лист согласования')}.pdf", history_pdf(row, subject, route)
        )
        if number % 10 == 0 or number == len(rows):
            progress(number)
    table = _index_rows(rows, approvers)
    archive.writestr(f"{_('опись')}.xlsx", index_xlsx(export.title, table))
    archive.writestr(f"{_('опись')}.pdf", index_pdf(export.title, period_text(export), table))
