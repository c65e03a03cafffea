"""Trigram indexes on the expression the registers search: Django's ``icontains`` on PostgreSQL
is ``UPPER(col::text) LIKE UPPER('%…%')``, so an index on the plain column is never used.

The subject's index also holds the letter's access tokens (``access_tokens_field``): a common
word searched by someone who sees part of the letters meets their tokens inside the index, so
only the matches they may open are read (50,000 letters hold «кровли» at 1M; an employee opens
379 of them)."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, TextField
from django.db.models.functions import Cast, Upper
from django.utils.translation import gettext_lazy as _


def access_tokens_field() -> ArrayField:
    """Who the access table opens the letter to: "u<user id>", "d<department id>". Kept by the
    database (triggers of migration 0015, on every change of the access rows and on every write
    of the letter), never by the code; ``selectors.*_visible_to(by_tokens=True)`` reads it."""
    return ArrayField(
        models.CharField(max_length=24),
        default=list,
        blank=True,
        editable=False,
        verbose_name=_("кому открыто"),
    )


def trigram_with_tokens_index(prefix: str, field: str) -> GinIndex:
    return GinIndex(
        OpClass(Upper(Cast(field, TextField())), name="gin_trgm_ops"),
        F("access_tokens"),
        name=f"{prefix}_{field}_tokens"[:30],
    )


def upper_trigram_indexes(prefix: str, fields: list[str]) -> list[GinIndex]:
    return [
        GinIndex(
            OpClass(Upper(Cast(field, TextField())), name="gin_trgm_ops"),
            name=f"{prefix}_{field}_utrgm"[:30],
        )
        for field in fields
    ]
