"""Where other apps plug into the CRM without the CRM importing them.

- ``register_correspondence(fn)``: ``fn(user, counterparty_id) -> list[CorrespondenceThread]``,
  the threads with this counterparty and, in each, the letters ``user`` may open (threads with
  no such letter are left out). The company card lists exactly what the providers return; with
  no provider registered it lists nothing.
- ``register_company_search(fn)``: ``fn(queryset, text) -> queryset`` narrows the company list to
  a search and annotates ``search_rank`` (lower first). The CRM registers its trigram search; a
  full-text search registered later replaces it.

Apps register in ``AppConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CorrespondenceLetter:
    label: str  # e.g. «Входящее № 12 от 01.03.2025»
    url: str
    date: dt.date | None = None
    direction: str = ""  # «Входящее» / «Исходящее»
    subject: str = ""


@dataclass(frozen=True)
class CorrespondenceThread:
    subject: str
    url: str
    letters: list[CorrespondenceLetter] = field(default_factory=list)


CorrespondenceProvider = Callable[[Any, int], list[CorrespondenceThread]]
CompanySearch = Callable[[Any, str], Any]

_correspondence: list[CorrespondenceProvider] = []
_company_search: list[CompanySearch] = []


def register_correspondence(fn: CorrespondenceProvider) -> CorrespondenceProvider:
    """Usable as a decorator; registering the same function twice registers it once."""
    if fn not in _correspondence:
        _correspondence.append(fn)
    return fn


def unregister_correspondence(fn: CorrespondenceProvider) -> None:
    """For tests."""
    if fn in _correspondence:
        _correspondence.remove(fn)


def correspondence_of(user, counterparty_id: int) -> list[CorrespondenceThread]:
    """What ``user`` may open of the correspondence with a counterparty, from every provider."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    threads: list[CorrespondenceThread] = []
    for provider in list(_correspondence):
        threads.extend(t for t in provider(user, counterparty_id) if t.letters)
    return threads


def register_company_search(fn: CompanySearch) -> CompanySearch:
    """The latest registration wins (a full-text search replaces the built-in one)."""
    if fn in _company_search:
        _company_search.remove(fn)
    _company_search.append(fn)
    return fn


def unregister_company_search(fn: CompanySearch) -> None:
    """For tests."""
    if fn in _company_search:
        _company_search.remove(fn)


def company_search() -> CompanySearch:
    if not _company_search:
        from crm.search import trigram_search

        return trigram_search
    return _company_search[-1]
