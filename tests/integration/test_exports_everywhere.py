"""Every Excel export goes through argo_docs/spreadsheets.py: the memo register too opens with
dd.mm.yyyy date-times, a frozen bold header, an autofilter and column widths."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.memo_world import memo_world, write


@pytest.fixture
def world(db):
    return memo_world()


def test_the_memo_register_export_is_formatted_like_every_export(client, world):
    """GIVEN a memo whose subject starts with «=» WHEN its author exports the register
    THEN the creation moment reads dd.mm.yyyy hh:mm, the header is bold and frozen with an
    autofilter, the columns have widths, and the subject stays text."""
    memo = write(world, subject="=1+1 о ремонте")
    client.force_login(memo.author)
    response = client.get(reverse("memos:export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("Создана") + 1).number_format == (
        "DD.MM.YYYY HH:MM"
    )
    subject = sheet.cell(row=2, column=header.index("Тема") + 1)
    assert subject.value == "=1+1 о ремонте" and subject.data_type == "s"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:H2"
    assert sheet.column_dimensions["F"].width >= len("=1+1 о ремонте")
