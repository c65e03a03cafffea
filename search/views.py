"""The search page: one box for every document type, hits grouped by kind."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from search.forms import SearchForm
from search.query import BOUND, search

PER_KIND = 5  # hits per group when every kind is shown
PER_PAGE = 20  # hits per page when one kind is chosen


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    groups, page, text, filters = [], 1, "", None
    if form.is_bound and form.is_valid():
        text = form.cleaned_data["q"].strip()
        filters = form.filters()
        try:
            page = max(1, min(int(request.GET.get("page", 1)), BOUND // PER_PAGE))
        except ValueError:
            page = 1
        one_kind = len(filters.kinds) == 1
        per = PER_PAGE if one_kind else PER_KIND
        groups = search(
            request.user, text, filters, per_kind=per, offset=(page - 1) * per if one_kind else 0
        )
    counterparty_name = ""
    if filters and filters.counterparty_id:
        counterparty_name = _counterparty_name(filters.counterparty_id)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "text": text,
            "groups": groups,
            "page": page,
            "one_kind": bool(filters and len(filters.kinds) == 1),
            "has_next": any(len(g.hits) == PER_PAGE and g.count > page * PER_PAGE for g in groups),
            "query_string": params.urlencode(),
            "bound": BOUND,
            "counterparty_name": counterparty_name,
        },
    )


def _counterparty_name(pk: int) -> str:
    from search.models import SearchEntry

    entry = SearchEntry.objects.filter(kind="company", object_id=pk).values_list("title", flat=True)
    return entry.first() or ""
