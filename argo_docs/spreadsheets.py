"""Excel exports that open right in Excel and LibreOffice, shared by every export of the product.

- Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return: a letter subject such as ``=HYPERLINK(...)``) is written as a text cell
  with Excel's quote prefix, so it stays text even when someone edits the cell.
- Dates read dd.mm.yyyy and date-times dd.mm.yyyy hh:mm (real date cells, so they sort and filter).
- The header row is bold and frozen, the columns have an autofilter and widths from their content.

Usage: ``xlsx_response(filename="incoming-2026-01-31.xlsx", title="Журнал входящих",
header=[...], rows=[[...], ...])``. Rows are buffered to measure the columns, so callers cap them
(the registers export at most 20,000).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH = 6, 60
_DATE_WIDTH, _DATETIME_WIDTH = len("31.12.2026"), len("31.12.2026 23:59")


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_TRIGGERS)


def _plain(value):
    """The value as a cell holds it: local naive date-times, text for anything unknown."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if value is None or isinstance(value, (str, int, float, Decimal, dt.date, bool)):
        return value
    return str(value)


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return _DATETIME_WIDTH
    if isinstance(value, dt.date):
        return _DATE_WIDTH
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def _cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and is_formula_like(value):
        cell.data_type = "s"  # openpyxl made it a formula; a string it stays
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    elif isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell


def xlsx_bytes(*, title: str, header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    data = [[_plain(value) for value in row] for row in rows]
    columns = len(header)
    widths = [len(str(name)) + 3 for name in header]  # room for the autofilter button
    for row in data:
        for i, value in enumerate(row[:columns]):
            widths[i] = max(widths[i], _width(value) + 1)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])  # Excel's limit for sheet names
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(MIN_WIDTH, min(width, MAX_WIDTH))
    sheet.freeze_panes = "A2"
    last_column = get_column_letter(max(columns, 1))
    sheet.auto_filter.ref = f"A1:{last_column}{len(data) + 1}"

    bold = Font(bold=True)
    header_cells = []
    for name in header:
        cell = _cell(sheet, str(name))
        cell.font = bold
        cell.alignment = Alignment(vertical="center")
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in data:
        sheet.append([_cell(sheet, value) for value in row])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    *, filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence]
) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(title=title, header=header, rows=rows), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
