"""Paging for lists over big tables: no exact COUNT, no deep OFFSET.

``CappedPaginator`` counts at most ``cap`` + 1 rows (a LIMITed subquery), so a list shows «более
10 000» instead of counting a million letters on every request, and it pages only through the
first ``cap`` rows: OFFSET never passes the cap, where it is still fast. A deeper page number
shows the last reachable page with a message asking to narrow the filter.
"""

from __future__ import annotations

import math

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def counted(self) -> int:
        qs = self.object_list
        return qs.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows than the cap: the total reads «более N», the pages stop at the cap."""
        return self.counted > self.cap

    @property
    def cap_label(self) -> str:
        return f"{self.cap:,}".replace(",", "\u00a0")

    @cached_property
    def num_pages(self) -> int:
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(self.count / self.per_page))


def capped_page(object_list, per_page: int, number, *, cap: int | None = None) -> Page:
    """The requested page; a number past the reachable pages gives the last one, marked
    ``too_deep`` with the message to show."""
    paginator = CappedPaginator(object_list, per_page, cap=cap)
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1
    page = paginator.get_page(wanted)
    page.too_deep = wanted > paginator.num_pages and paginator.capped
    page.too_deep_message = (
        _(
            "Список листается только до %(pages)s-й страницы (первые %(cap)s записей). "
            "Чтобы найти более старые, сузьте фильтр: период, контрагент, состояние."
        )
        % {"pages": paginator.num_pages, "cap": paginator.cap_label}
        if page.too_deep
        else ""
    )
    return page
