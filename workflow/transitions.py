"""``transition_apply``: the one way a document's state changes. It checks that the transition
may run (source state and conditions) and that the actor may run it (the transition's
``permission``), runs it, saves, and writes exactly one history row — in the caller's transaction,
on a row the caller has locked."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from workflow.models import HistoryAction
from workflow.services import history_record


def _state_label(obj, field_name: str) -> str:
    display = getattr(obj, f"get_{field_name}_display", None)
    return str(display()) if display else str(getattr(obj, field_name))


def transition_apply(
    obj,
    name: str,
    *,
    actor,
    comment: str = "",
    description="",
    data: dict | None = None,
    **kwargs,
):
    """Run transition ``name`` of ``obj`` for ``actor`` (None: the system). ``kwargs`` go to the
    transition method; ``description`` may be a callable of ``obj`` read after the transition.
    Raises TransitionNotAllowed (wrong state) or PermissionDenied."""
    method = getattr(obj, name)
    meta = method._django_fsm
    field_name = meta.field if isinstance(meta.field, str) else meta.field.name
    before = getattr(obj, field_name)
    before_label = _state_label(obj, field_name)
    if not can_proceed(method):
        raise TransitionNotAllowed(
            _("Действие недоступно: документ сейчас в состоянии «%(state)s». Обновите страницу.")
            % {"state": before_label}
        )
    if actor is not None and not has_transition_perm(method, actor):
        raise PermissionDenied(_("У вас нет права на это действие с документом."))
    method(**kwargs)
    obj.save()
    transition = meta.get_transition(before)
    if callable(description):
        description = description(obj)
    label = str((transition.custom or {}).get("label", "")) if transition else ""
    history_record(
        subject=obj,
        actor=actor,
        action=HistoryAction.TRANSITION,
        description=description
        or label
        or _("%(from)s → %(to)s") % {"from": before_label, "to": _state_label(obj, field_name)},
        from_state=before,
        to_state=getattr(obj, field_name),
        comment=comment,
        data=data,
    )
    return obj
