"""Where document apps plug into the engine: task kinds (decision form + completing service) and
timer handlers. Apps register in ``AppConfig.ready()``; the engine never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django import forms

    from workflow.models import Task, Timer


@dataclass(frozen=True)
class TaskKind:
    code: str
    label: str
    form_class: type[forms.Form]
    # complete(task_id=..., user=..., data=cleaned_data): the owning app's service
    complete: Callable[..., Any]
    submit_label: str = ""
    # forms that need the task (choices, initial values) declare ``takes_task = True`` and get
    # it as the ``task`` keyword
    # success_message(task, data) -> str: what the person sees after deciding
    success_message: Callable[..., str] | None = None
    # next_url(task, data) -> str: where the person goes after deciding ("" = the inbox)
    next_url: Callable[..., str] | None = None
    # edit_url(task) -> str: where the document of the task is edited ("" = nowhere)
    edit_url: Callable[..., str] | None = None

    def make_form(self, task: Task, data=None, files=None) -> forms.Form:
        if getattr(self.form_class, "takes_task", False):
            return self.form_class(data, files, task=task)
        return self.form_class(data, files)


_task_kinds: dict[str, TaskKind] = {}
_timer_handlers: dict[str, Callable[[Timer], None]] = {}
_timer_batch_handlers: dict[str, Callable[[list[Timer]], None]] = {}


def register_task_kind(kind: TaskKind) -> None:
    if kind.code in _task_kinds and _task_kinds[kind.code] != kind:
        raise ValueError(f"task kind {kind.code!r} is already registered")
    _task_kinds[kind.code] = kind


def task_kind(code: str) -> TaskKind:
    try:
        return _task_kinds[code]
    except KeyError:
        raise LookupError(f"no task kind {code!r} is registered") from None


def task_kind_for(task: Task) -> TaskKind:
    return task_kind(task.kind)


def register_timer_handler(kind: str, handler: Callable[[Timer], None]) -> None:
    if _timer_handlers.get(kind, handler) is not handler:
        raise ValueError(f"timer kind {kind!r} already has a handler")
    _timer_handlers[kind] = handler


def timer_handler(kind: str) -> Callable[[Timer], None]:
    try:
        return _timer_handlers[kind]
    except KeyError:
        raise LookupError(f"no handler is registered for timer kind {kind!r}") from None


def register_timer_batch_handler(kind: str, handler: Callable[[list[Timer]], None]) -> None:
    """Optional fast path for a kind that also has a single-timer handler: the sweep hands it a
    whole batch of claimed timers; if it raises, the batch is fired one timer at a time."""
    timer_handler(kind)  # a batch handler never replaces the single one (retries use it)
    if _timer_batch_handlers.get(kind, handler) is not handler:
        raise ValueError(f"timer kind {kind!r} already has a batch handler")
    _timer_batch_handlers[kind] = handler


def timer_batch_handler(kind: str) -> Callable[[list[Timer]], None] | None:
    return _timer_batch_handlers.get(kind)


# --- the files of a task's document (shown on the task page) --------------------------------------

_subject_files: dict[str, Callable[[Any], list]] = {}


def register_subject_files(model_label: str, files_of: Callable[[Any], list]) -> None:
    """``files_of(document) -> [StoredFile, ...]``: the document's files, for its task pages."""
    _subject_files[model_label.lower()] = files_of


def subject_files(subject) -> list:
    if subject is None:
        return []
    files_of = _subject_files.get(subject._meta.label_lower)
    return list(files_of(subject)) if files_of else []
