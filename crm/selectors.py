"""Reads of the CRM."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Count, Q, QuerySet

from crm.models import (
    CalendarEvent,
    CallAssignment,
    CallList,
    Counterparty,
    DistributionWeek,
)


def counterparty_search(query: str, *, limit: int = 20) -> QuerySet:
    """Counterparties matching ``query`` by a part of the name (typos tolerated) or by INN."""
    query = " ".join(query.split())
    if not query:
        return Counterparty.objects.none()
    return (
        Counterparty.objects.annotate(similarity=TrigramWordSimilarity(query, "name"))
        .filter(Q(name__icontains=query) | Q(inn__startswith=query) | Q(similarity__gte=0.4))
        .order_by("-similarity", "name")[:limit]
    )


def companies(
    *, q: str = "", status: str = "", industry=None, responsible=None, category: str = ""
) -> QuerySet:
    """The company list with its filters; one query per page whatever the number of rows."""
    qs = Counterparty.objects.select_related("industry", "responsible").order_by("name", "id")
    q = " ".join(q.split())
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(inn__startswith=q) | Q(contact_person__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if industry is not None:
        qs = qs.filter(industry=industry)
    if responsible is not None:
        qs = qs.filter(responsible=responsible)
    if category:
        qs = qs.filter(category=category)
    return qs


def company_card(pk: int) -> Counterparty:
    return Counterparty.objects.select_related("industry", "responsible").get(pk=pk)


def events_between(user, start: dt.datetime, end: dt.datetime) -> QuerySet:
    return (
        CalendarEvent.objects.filter(owner=user, starts_at__lt=end, ends_at__gte=start)
        .select_related("company")
        .order_by("starts_at", "id")
    )


def distribution_report(week: DistributionWeek) -> QuerySet:
    """Per manager of the week: assigned, called, left (= assigned - called)."""
    return (
        CallList.objects.filter(week=week)
        .select_related("manager")
        .annotate(
            assigned=Count("assignments"),
            called=Count("assignments", filter=Q(assignments__called_at__isnull=False)),
        )
        .order_by("manager__last_name", "manager__first_name", "manager_id")
    )


def call_list_items(call_list: CallList) -> QuerySet:
    return (
        CallAssignment.objects.filter(call_list=call_list)
        .select_related("company")
        .order_by("called_at", "company__name")
    )
