"""Reads of the CRM."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Collate

from crm import registry
from crm.models import (
    RUSSIAN_COLLATION,
    CalendarEvent,
    CallAssignment,
    CallList,
    Counterparty,
    DistributionWeek,
    name_key,
)


def counterparty_search(query: str, *, limit: int = 20) -> QuerySet:
    """Counterparties matching ``query`` by a part of the name (quotes, case and ё/е aside),
    a misspelt word, or an INN prefix; the closest first. Every condition runs on an index of
    the normalised name (trigram) or of the INN (prefix)."""
    query = " ".join(query.split())
    key = name_key(query)
    if not key:
        return Counterparty.objects.none()
    condition = Q(name_key__contains=key) | Q(name_key__trigram_word_similar=key)
    if query.isdigit():
        condition |= Q(inn__startswith=query)
    return (
        Counterparty.objects.filter(condition)
        .annotate(similarity=TrigramWordSimilarity(key, "name_key"))
        .order_by("-similarity", Collate("name_key", RUSSIAN_COLLATION), "id")[:limit]
    )


# the list's sortable columns: the key of ?sort= → the ORDER BY (each backed by an index, or a
# join on a small table); "-key" sorts descending
_NAME = Collate("name_key", RUSSIAN_COLLATION)
SORTS = {
    "name": [_NAME.asc(), F("id").asc()],
    "-name": [_NAME.desc(), F("id").desc()],
    "inn": [F("inn").asc(), F("id").asc()],
    "-inn": [F("inn").desc(), F("id").desc()],
    "status": [F("status").asc(), _NAME.asc(), F("id").asc()],
    "-status": [F("status").desc(), _NAME.desc(), F("id").desc()],
    "industry": [F("industry__name").asc(nulls_last=True), _NAME.asc(), F("id").asc()],
    "-industry": [F("industry__name").desc(nulls_last=True), _NAME.desc(), F("id").desc()],
    "manager": [
        F("responsible__last_name").asc(nulls_last=True),
        F("responsible__first_name").asc(nulls_last=True),
        _NAME.asc(),
        F("id").asc(),
    ],
    "-manager": [
        F("responsible__last_name").desc(nulls_last=True),
        F("responsible__first_name").desc(nulls_last=True),
        _NAME.desc(),
        F("id").desc(),
    ],
    "contact": [F("last_communication_at").asc(nulls_first=True), F("id").asc()],
    "-contact": [F("last_communication_at").desc(nulls_last=True), F("id").asc()],
}
DEFAULT_SORT = "name"


def companies(
    *,
    q: str = "",
    status: str = "",
    industry=None,
    responsible=None,
    category: str = "",
    sort: str = DEFAULT_SORT,
) -> QuerySet:
    """The company list with its filters, search and sort; one query per page whatever the
    number of rows. A search puts an exact INN or name first, then follows ``sort``."""
    qs = Counterparty.objects.select_related("industry", "responsible")
    if status:
        qs = qs.filter(status=status)
    if industry is not None:
        qs = qs.filter(industry=industry)
    if responsible is not None:
        qs = qs.filter(responsible=responsible)
    if category:
        qs = qs.filter(category=category)
    order = SORTS.get(sort) or SORTS[DEFAULT_SORT]
    q = " ".join(q.split())
    if q:
        qs = registry.company_search()(qs, q)
        return qs.order_by("search_rank", *order)
    return qs.order_by(*order)


COUNT_CAP = 10_000


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> int:
    """How many rows ``qs`` has, counting no further than ``cap`` + 1: a list over a huge table
    says «более 10 000» instead of running an exact COUNT on every request."""
    return qs.order_by().values("pk")[: cap + 1].count()


def company_card(pk: int) -> Counterparty:
    return (
        Counterparty.objects.select_related("industry", "responsible__employee")
        .prefetch_related("contacts")
        .get(pk=pk)
    )


def events_between(user, start: dt.datetime, end: dt.datetime) -> QuerySet:
    return (
        CalendarEvent.objects.filter(owner=user, starts_at__lt=end, ends_at__gte=start)
        .select_related("company")
        .order_by("starts_at", "id")
    )


def distribution_progress(*, limit: int = 8) -> list[dict]:
    """The latest weeks, newest first, each with its managers' progress (two queries)."""
    weeks = list(DistributionWeek.objects.select_related("run_by").order_by("-week_start")[:limit])
    rows = (
        CallList.objects.filter(week__in=weeks)
        .select_related("manager__employee")
        .annotate(
            assigned=Count("assignments"),
            called=Count("assignments", filter=Q(assignments__called_at__isnull=False)),
        )
        .order_by("manager__last_name", "manager__first_name", "manager_id")
    )
    by_week: dict[int, list] = {w.pk: [] for w in weeks}
    for row in rows:
        row.left = row.assigned - row.called
        row.percent = round(row.called * 100 / row.assigned) if row.assigned else 0
        by_week[row.week_id].append(row)
    result = []
    for week in weeks:
        managers = by_week[week.pk]
        assigned = sum(r.assigned for r in managers)
        called = sum(r.called for r in managers)
        result.append(
            {
                "week": week,
                "managers": managers,
                "assigned": assigned,
                "called": called,
                "percent": round(called * 100 / assigned) if assigned else 0,
            }
        )
    return result


def call_list_items(call_list: CallList) -> QuerySet:
    return (
        CallAssignment.objects.filter(call_list=call_list)
        .select_related("company")
        .order_by("called_at", "company__name")
    )
