"""Reads of the CRM."""

from __future__ import annotations

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Q, QuerySet

from crm.models import Counterparty


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
