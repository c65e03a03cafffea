"""The memo register («Журнал служебных записок»): filters, sort, capped pages, Excel export."""

from __future__ import annotations

import io

from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from argo_docs.ordering import ordered, workflow_rank
from memos.models import MemoStatus
from memos.selectors import memos_visible_to
from workflow.services import display_name

PER_PAGE, MAX_PAGES, EXPORT_LIMIT = 25, 200, 20000
S = MemoStatus
# the order a memo moves through its states (sorting by status follows it)
MEMO_FLOW = [
    S.DRAFT,
    S.APPROVAL,
    S.RETURNED,
    S.REVIEW,
    S.EXECUTION,
    S.EXECUTED,
    S.APPROVED,
    S.DECLINED,
]
# (sort key, label, order_by fields)
COLUMNS = [
    ("created", gettext_lazy("Номер и дата"), ("created_at", "id")),
    ("subject", gettext_lazy("Тема"), ("subject", "id")),
    ("author", gettext_lazy("Автор"), ("author__last_name", "id")),
    ("addressee", gettext_lazy("Кому"), ("addressee__last_name", "id")),
    ("status", gettext_lazy("Состояние"), (workflow_rank("status", MEMO_FLOW), "id")),
]
SORTS = {key: fields for key, _label, fields in COLUMNS}


def register_queryset(user, data: dict, sort: str) -> QuerySet:
    memos = memos_visible_to(user).select_related("legal_entity", "author", "addressee")
    scope = {"mine": Q(author=user), "to_me": Q(addressee=user)}.get(data.get("scope") or "")
    if scope is not None:
        memos = memos.filter(scope)
    if data.get("status"):
        memos = memos.filter(status=data["status"])
    if data.get("date_from"):
        memos = memos.filter(created_at__date__gte=data["date_from"])
    if data.get("date_to"):
        memos = memos.filter(created_at__date__lte=data["date_to"])
    query = " ".join((data.get("q") or "").split())
    if query:
        memos = memos.filter(Q(number__icontains=query) | Q(subject__icontains=query))
    key = sort.lstrip("-")
    descending = sort.startswith("-") or key not in SORTS
    fields = SORTS.get(key, SORTS["created"])
    return memos.order_by(*ordered(fields, descending))


def page_of(memos: QuerySet, number: str) -> tuple[list, int, bool]:
    """One page without counting the table: PER_PAGE + 1 rows tell whether a next page exists;
    pages stop at MAX_PAGES (narrow the filters to reach older memos)."""
    page = min(max(int(number), 1), MAX_PAGES) if str(number).isdigit() else 1
    rows = list(memos[(page - 1) * PER_PAGE : page * PER_PAGE + 1])
    return rows[:PER_PAGE], page, len(rows) > PER_PAGE and page < MAX_PAGES


def _cell(sheet, value):
    """Text a spreadsheet could take for a formula (= + - @ tab CR) stays text."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        cell.data_type, cell.quotePrefix = "s", True
    return cell


def xlsx_response(memos: QuerySet) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Служебные записки"))
    sheet.append(
        [_("Номер"), _("Создана"), _("Юрлицо"), _("Автор"), _("Кому"), _("Тема")]
        + [_("Состояние"), _("Резолюция или причина отказа")]
    )
    for memo in memos[:EXPORT_LIMIT]:
        row = [memo.number, timezone.localtime(memo.created_at).replace(tzinfo=None)]
        row += [str(memo.legal_entity), display_name(memo.author), display_name(memo.addressee)]
        row += [memo.subject, memo.get_status_display(), memo.resolution]
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="memos-{stamp}.xlsx"'
    return response
