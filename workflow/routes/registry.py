"""Document types plug into the route engine here, in ``AppConfig.ready()``. The engine never
imports a document app: it reaches documents through what they register."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class RouteHooks:
    """What a document type does when its route moves. Every hook runs inside the engine's
    transaction with the document row locked; a hook changes the document only through
    ``workflow.transitions.transition_apply`` and the app's own services."""

    def on_round_started(self, document, *, route, round, actor) -> None:
        """A (re)submission opened round ``round`` (its ``note`` is the author's revision note)."""

    def on_stage_started(self, document, *, route, stage, actor) -> None:
        """Every step of ``stage`` has its task now."""

    def on_step_decided(self, document, *, route, step, actor) -> None:
        """``step`` got its decision (recorded in history); called before the stage moves on, and
        also for a «для сведения» step decided after the route ended (e.g. to pass an objection
        on to the people concerned)."""

    def on_stage_completed(self, document, *, route, stage, actor) -> None:
        """``stage`` reached its completion rule; a hook may add steps or stages before the engine
        opens the next stage (e.g. a gate that still misses someone)."""

    def on_round_returned(self, document, *, route, step, actor) -> None:
        """``step`` returned the document; the author has a revision task."""

    def on_route_completed(self, document, *, route, actor) -> None:
        """Every stage of the round is done."""

    def on_route_rejected(self, document, *, route, step, actor) -> None:
        """``step`` rejected the document: the route ended without approval."""

    def on_withdrawn(self, document, *, route, actor, reason) -> None:
        """The author took the document back; every open task of the route was cancelled."""

    def task_title(self, document, *, step) -> str:
        """The step's task title; empty: «<verb>: <document>»."""
        return ""

    def decision_text(self, document, *, step, decision) -> str:
        """The history row for a decision in the document's own words (e.g. «Утверждена:
        …»); empty: the engine's («Согласовано: <who>»)."""
        return ""

    def task_description(self, document, *, step) -> str:
        """What the participant should know, shown on the task page."""
        return ""

    def resolve_step(self, document, *, step):
        """For a step planned by role: who takes it now (a user, or None to skip the step).
        May also set ``step.task_kind``, ``step.kind`` or ``step.reason`` before the task is
        created."""
        return None


@dataclass(frozen=True)
class DocumentType:
    code: str  # e.g. "correspondence.outgoing"
    model: str  # "app_label.ModelName"
    label: str
    # the person a return goes back to, and who may add participants or withdraw
    author_of: Callable[[Any], Any]
    # resubmit(document_id=..., user=..., note=...): the app's submit service; None when the
    # document has no revision loop (a return is then not offered)
    resubmit: Callable[..., Any] | None = None
    hooks: RouteHooks = field(default_factory=RouteHooks)
    # a short name of the document for task titles, e.g. «исходящее № 12: Тема»
    describe: Callable[[Any], str] = str
    # where the author edits the document during revision
    edit_url: Callable[[Any], str] | None = None
    default_restart: str = "first"
    default_cap: int = 15
    # extra people who may add a participant in the middle of a route (beyond the author and
    # the current stage's participants)
    may_add_participants: Callable[[Any, Any], bool] | None = None
    # the type's one visibility rule, for pages outside its app (a reminder about any document):
    # visible_ids(user, ids) -> the ids among ``ids`` the user may open
    visible_ids: Callable[[Any, list[int]], set[int]] | None = None


_types: dict[str, DocumentType] = {}
_by_model: dict[str, DocumentType] = {}


def register_document_type(doc_type: DocumentType) -> None:
    known = _types.get(doc_type.code)
    if known is not None and known != doc_type:
        raise ValueError(f"document type {doc_type.code!r} is already registered")
    _types[doc_type.code] = doc_type
    _by_model[doc_type.model.lower()] = doc_type


def document_type(code: str) -> DocumentType:
    try:
        return _types[code]
    except KeyError:
        raise LookupError(f"no document type {code!r} is registered") from None


def document_type_for_model(label: str) -> DocumentType | None:
    """The document type whose model is ``app_label.modelname`` (case-insensitive)."""
    return _by_model.get(label.lower())


def document_visible(user, code: str, pk: int) -> bool:
    """May ``user`` open document ``pk`` of type ``code``? False for an unknown type."""
    doc_type = _types.get(code)
    if doc_type is None or doc_type.visible_ids is None or not user.is_authenticated:
        return False
    return pk in doc_type.visible_ids(user, [pk])


def document_types() -> list[DocumentType]:
    return sorted(_types.values(), key=lambda t: str(t.label))


def document_type_choices() -> list[tuple[str, str]]:
    """Choices for admin fields; a callable so that the migration does not freeze them."""
    return [(t.code, t.label) for t in document_types()]
