"""What the document apps tell search: each app keeps a ``search_index.py`` module with a
``PROVIDERS`` list, loaded by this registry when the search app starts. Document apps never import
search; search reaches them only through these objects.

A provider is any object with:

- ``kind`` (a short code), ``label`` (plural, for result groups), ``model`` ("app.Model");
- ``order`` (the place of its group on the results page);
- ``queryset()``: the objects to index, with what ``document`` reads selected;
- ``document(obj)``: a dict of ``Document``'s fields (below);
- ``visible(user)``: a queryset of the objects ``user`` may open (the document type's one
  visibility rule; search uses it as a subquery, so search follows any change to the rule);
- ``watch``: ``{"app.Model": fn(instance) -> ids}``: related rows whose change re-indexes
  the objects with the ids ``fn`` returns (files, contact persons);
- ``url(pk)``: the object's page;
- ``status_choices``: ``[(value, label)]`` for the status filter;
- ``is_counterparty`` (optional): its objects are the counterparties other documents name;
  renaming one re-indexes the documents that carry the old name;
- ``dossier_scopes`` (optional): ``{code: Scope}`` of the dossiers this app owns (a scope has
  ``label``, ``title(pk)``, ``url(pk)`` and ``may_view(user, pk)``);
- ``bulk_signal`` (optional): a Django signal sent with ``ids=[…]`` after a bulk write that
  bypassed ``save()`` (the CRM import), so those objects are indexed in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps


@dataclass
class Document:
    title: str
    codes: list[str] = field(default_factory=list)  # numbers, INN, phones, emails
    counterparty: str = ""
    body: str = ""
    date: dt.date | None = None
    counterparty_id: int | None = None
    legal_entity_id: int | None = None
    status: str = ""
    file_ids: list[int] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)  # dossiers: "counterparty:12", "thread:40"
    reply_to: str = ""  # "incoming:5" when the document answers another


_providers: dict[str, Any] = {}
_loaded = False


def register(provider: Any) -> None:
    existing = _providers.get(provider.kind)
    if existing is not None and existing is not provider:
        raise ValueError(f"search kind {provider.kind!r} is already registered")
    _providers[provider.kind] = provider


def unregister(kind: str) -> None:
    """For tests."""
    _providers.pop(kind, None)


def autodiscover() -> None:
    """Import every installed app's ``search_index`` module and register its ``PROVIDERS``."""
    global _loaded
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.search_index")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.search_index":
                raise
            continue
        for provider in getattr(module, "PROVIDERS", ()):
            register(provider)
    _loaded = True


def all_providers() -> list[Any]:
    return sorted(_providers.values(), key=lambda p: (getattr(p, "order", 100), p.kind))


def provider(kind: str) -> Any | None:
    return _providers.get(kind)


def provider_for_model(label: str) -> Any | None:
    for item in _providers.values():
        if item.model.lower() == label.lower():
            return item
    return None
