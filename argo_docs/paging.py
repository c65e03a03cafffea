"""Paging for lists over big tables: no exact COUNT, no deep OFFSET.

``CappedPaginator`` counts at most ``cap`` + 1 rows (a LIMITed subquery), so a list shows «более
5 000» instead of counting a million letters on every request, and it pages only through the
first ``DEPTH_CAP`` rows: OFFSET never passes them, where it is still fast. A deeper page number
shows the last reachable page with a message asking to narrow the filter.

A text search counts to ``SEARCH_COUNT_CAP`` (1,000) only: every match counted is its row read and
its text matched again.

A list may pass a ``floor``: a cheap lower bound of its count. When the floor passes the cap the
count is not run at all (an unfiltered register of someone who sees part of the letters: the
semi-join over the access table cost a head of department 50-1,500 ms at 1M letters, the floor
2-3 ms).
"""

from __future__ import annotations

import math

from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

COUNT_CAP = 5_000
# the deepest row a page may start from: OFFSET stays fast up to here for every role
DEPTH_CAP = 2_500
# up to this many rows a sorted list of the matches beats walking a date index for them
SPARSE_ROWS = 1_000
# a text search counts no further: each match counted is a row read and its text matched again
# (5,000 of a common subject word were 11 of the 25 ms its count took at 1M letters); past it
# the list reads «более 1 000» and pages through those, asking to narrow the search beyond
SEARCH_COUNT_CAP = SPARSE_ROWS


def _spaced(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


class CappedPaginator(Paginator):
    def __init__(
        self,
        object_list,
        per_page,
        *,
        cap: int | None = None,
        floor=None,
        sparse=None,
        exact=None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        if cap is None:
            cap = SEARCH_COUNT_CAP if sparse is not None else COUNT_CAP
        self.cap = cap
        # floor(cap): a cheap lower bound of the count (see ``accessible_count_floor``); past the
        # cap it answers «более N» without counting
        self.floor = floor
        # the same rows ordered so that no index serves the order (``ordering.ordered``): used
        # when they are few, where walking the sort column's index would pass a million rows
        self.sparse = sparse
        self.few_ids: list | None = None
        # the exact visibility rule, when ``object_list`` reads a copy of it (the letters' access
        # tokens): a page shows only the rows it also allows, so a token left behind by a write
        # that bypassed the triggers never shows a row
        self.exact = exact

    @cached_property
    def counted(self) -> int:
        if self.floor is not None:
            floor = self.floor(self.cap)
            if floor > self.cap:
                return floor
        qs = self.object_list.order_by().values_list("pk", flat=True)[: self.cap + 1]
        if self.sparse is None:
            return qs.count()
        # a text search: with their count, the ids of the first matches, so that when they are
        # few the page sorts them by their keys alone instead of running the visibility rule and
        # the text match a second time (the server sends the capped ids; only up to SPARSE_ROWS
        # of them are read into Python)
        sql, params = qs.query.sql_with_params()
        with connections[qs.db].cursor() as cursor:
            cursor.execute(sql, params)
            total = cursor.rowcount
            rows = cursor.fetchmany(SPARSE_ROWS + 1)
        if self._few(total):
            self.few_ids = [pk for (pk,) in rows]
        return total

    def _few(self, total: int) -> bool:
        """All the matches were read, and few enough to sort them by their keys alone."""
        return total <= min(SPARSE_ROWS, self.cap)

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows than the cap: the total reads «более N»."""
        return self.counted > self.cap

    @property
    def cap_label(self) -> str:
        return _spaced(self.cap)

    @cached_property
    def reachable(self) -> int:
        """Rows the pages reach: the total, no deeper than ``DEPTH_CAP``."""
        return min(self.count, DEPTH_CAP)

    def page(self, number) -> Page:
        """Ids first, rows second: the OFFSET walks only the ordered ids (no joins for the rows
        it skips), then the page's rows come with their relations by primary key."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.reachable)
        ordered = self.object_list
        if self.sparse is not None and self._few(self.counted):
            ordered = self.sparse
            if self.few_ids is not None:
                # the ids were read under the filters and the visibility rule by ``counted``
                ordered = ordered.model._base_manager.filter(pk__in=self.few_ids).order_by(
                    *self.sparse.query.order_by
                )
        ids = list(ordered.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids).order_by()}
        if self.exact is not None and rows:
            allowed = set(self.exact.filter(pk__in=list(rows)).values_list("pk", flat=True))
            rows = {pk: row for pk, row in rows.items() if pk in allowed}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)

    @cached_property
    def num_pages(self) -> int:
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(self.reachable / self.per_page))


def capped_page(
    object_list,
    per_page: int,
    number,
    *,
    cap: int | None = None,
    floor=None,
    sparse=None,
    exact=None,
) -> Page:
    """The requested page; a number past the reachable pages gives the last one, marked
    ``too_deep`` with the message to show."""
    paginator = CappedPaginator(
        object_list, per_page, cap=cap, floor=floor, sparse=sparse, exact=exact
    )
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1
    page = paginator.get_page(wanted)
    page.too_deep = wanted > paginator.num_pages and paginator.counted > paginator.reachable
    page.too_deep_message = (
        _(
            "Список листается только до %(pages)s-й страницы (первые %(cap)s записей). "
            "Чтобы найти более старые, сузьте фильтр: период, контрагент, состояние."
        )
        % {"pages": paginator.num_pages, "cap": _spaced(paginator.reachable)}
        if page.too_deep
        else ""
    )
    return page
