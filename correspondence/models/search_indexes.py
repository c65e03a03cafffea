"""Trigram indexes on the expression the registers search: Django's ``icontains`` on PostgreSQL
is ``UPPER(col::text) LIKE UPPER('%…%')``, so an index on the plain column is never used."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db.models import TextField
from django.db.models.functions import Cast, Upper


def upper_trigram_indexes(prefix: str, fields: list[str]) -> list[GinIndex]:
    return [
        GinIndex(
            OpClass(Upper(Cast(field, TextField())), name="gin_trgm_ops"),
            name=f"{prefix}_{field}_utrgm"[:30],
        )
        for field in fields
    ]
