"""The contracts' boards: the kanban of every type and the approval KPI."""

from __future__ import annotations

import datetime as dt

import rules
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from contracts import kanban as kanban_board
from contracts import selectors
from contracts.forms import KanbanFilterForm, PeriodForm


def kanban(request: HttpRequest) -> HttpResponse:
    """The board of every type (or one), filtered and searched; «и ещё N» opens that column
    alone with the same filters, page by page."""
    form = KanbanFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    column = request.GET.get("column", "")
    board = kanban_board.board(
        request.user,
        contract_type=data.get("contract_type"),
        fund=data.get("fund"),
        initiator=data.get("initiator"),
        overdue=bool(data.get("overdue")),
        query=" ".join((data.get("q") or "").split()),
        column=column,
        page=request.GET.get("page", 1),
    )
    base = kanban_board.links_attach(board, request.GET)
    return render(
        request,
        "contracts/kanban.html",
        {
            "form": form,
            "board": board,
            "columns": board.columns,
            "contract_type": data.get("contract_type"),
            "board_url": f"?{base}",
        },
    )


def kpi(request: HttpRequest) -> HttpResponse:
    if not rules.has_perm("contracts.view_kpi", request.user):
        raise PermissionDenied
    today = timezone.localdate()
    initial = {"start": today - dt.timedelta(days=30), "end": today}
    form = PeriodForm(request.GET or None, initial=initial)
    period = form.cleaned_data if form.is_valid() else initial
    if not request.GET:
        form = PeriodForm(initial=initial)
    people, units = selectors.kpi(start=period["start"], end=period["end"])
    max_total = max([r.total + r.open_overdue for r in people] or [1])
    for row in people:
        row.bar = _bar(row, max_total)
    return render(
        request,
        "contracts/kpi.html",
        {
            "form": form,
            "people": people,
            "units": units,
            "start": period["start"],
            "end": period["end"],
        },
    )


def _bar(row, max_total: int) -> list[tuple[str, str, str]]:
    """Segments of a person's KPI bar: (css class, x, width) in percent of the longest bar, as
    SVG numbers (never localised with a decimal comma)."""
    segments, x = [], 0.0
    parts = (("on-time", row.on_time), ("late", row.late), ("open-overdue", row.open_overdue))
    for css, value in parts:
        width = 100 * value / max_total
        if width:
            segments.append((css, f"{x:.2f}", f"{width:.2f}"))
        x += width
    return segments
