"""Signals the CRM sends for derived data kept elsewhere (the search index).

``companies_written`` is sent with ``ids=[…]`` inside the transaction of a bulk write that
bypassed ``save()`` (the import's COPY and UPDATE … FROM unnest), so listeners can refresh what
they derive from those companies before it commits."""

from django.dispatch import Signal

companies_written = Signal()
