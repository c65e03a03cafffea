"""Keeping the index current: the handlers run inside the transaction of the write that sent the
signal (``post_save`` fires before the commit), so an entry commits or rolls back with its
document. The search index is derived data, like a cache; no business logic runs here."""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from search import indexing, providers

_connected = False


def _model(label: str):
    return apps.get_model(label)


def _object_saved(provider):
    def handler(sender, instance, raw=False, **kwargs):
        if raw:
            return
        indexing.index_objects(provider, provider.queryset().filter(pk=instance.pk))
        if getattr(provider, "is_counterparty", False):
            indexing.reindex_counterparties(provider.kind, [instance.pk])

    return handler


def _object_deleted(provider):
    def handler(sender, instance, **kwargs):
        indexing.remove(provider, [instance.pk])

    return handler


def _related_changed(provider, fn):
    def handler(sender, instance, raw=False, **kwargs):
        if raw:
            return
        ids = {int(i) for i in fn(instance) if i}
        if ids:
            indexing.index_ids(provider, ids)

    return handler


def _bulk_written(provider):
    def handler(sender, ids=(), **kwargs):
        indexing.index_ids(provider, ids)
        if getattr(provider, "is_counterparty", False):
            indexing.reindex_counterparties(provider.kind, ids)

    return handler


def _file_text_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.reindex_files([instance.stored_file_id])


def _history_written(sender, instance, raw=False, **kwargs):
    """Every service writes one history row after its links (files bulk-created without
    ``save()``): re-reading the document then catches what no ``post_save`` reported."""
    if raw or not instance.object_id:
        return
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_id(instance.content_type_id)
    item = providers.provider_for_model(f"{content_type.app_label}.{content_type.model}")
    if item is not None and not getattr(item, "is_counterparty", False):
        indexing.index_ids(item, [instance.object_id])


_handlers: list = []  # strong references: the signals hold weak ones


def connect() -> None:
    global _connected
    if _connected:
        return
    _connected = True
    for item in providers.all_providers():
        model = _model(item.model)
        for signal, make in ((post_save, _object_saved), (post_delete, _object_deleted)):
            handler = make(item)
            _handlers.append(handler)
            signal.connect(handler, sender=model, dispatch_uid=f"search:{item.kind}:{signal}")
        for label, fn in getattr(item, "watch", {}).items():
            handler = _related_changed(item, fn)
            _handlers.append(handler)
            for signal in (post_save, post_delete):
                signal.connect(
                    handler,
                    sender=_model(label),
                    dispatch_uid=f"search:{item.kind}:{label}:{signal}",
                )
        bulk = getattr(item, "bulk_signal", None)
        if bulk is not None:
            handler = _bulk_written(item)
            _handlers.append(handler)
            bulk.connect(handler, dispatch_uid=f"search:{item.kind}:bulk")
    post_save.connect(
        _history_written, sender=_model("workflow.HistoryEntry"), dispatch_uid="search:history"
    )
    post_save.connect(
        _file_text_saved, sender=_model("storage.FileText"), dispatch_uid="search:file-text"
    )
