"""Where document apps learn what became of their emails.

The outbox knows no document type. An app registers, in its ``AppConfig.ready()``,
``register_delivery_hook(model, fn)``: ``fn(message)`` is called once when a message linked to
an object of ``model`` is accepted by the mail server (``message.status == "sent"``) or given up
(``"failed"``). It runs in its own transaction after the state is committed, so a failing hook
never makes a message go out twice; a hook that did not finish runs again on the next flush, so
it must be idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db import models

    from outbox.models import OutboxMessage

DeliveryHook = Callable[["OutboxMessage"], None]

_hooks: dict[str, DeliveryHook] = {}


def _label(model: type[models.Model] | str) -> str:
    if isinstance(model, str):
        return model.lower()
    return model._meta.label_lower


def register_delivery_hook(model: type[models.Model] | str, fn: DeliveryHook) -> None:
    label = _label(model)
    if _hooks.get(label, fn) is not fn:
        raise ValueError(f"a delivery hook for {label!r} is already registered")
    _hooks[label] = fn


def unregister_delivery_hook(model: type[models.Model] | str) -> None:
    """For tests."""
    _hooks.pop(_label(model), None)


def delivery_hook(label: str) -> DeliveryHook | None:
    return _hooks.get(label.lower())
