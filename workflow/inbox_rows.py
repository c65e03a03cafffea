"""The inbox's rows, written in Python.

«Мои задания» shows 50 tasks a page and is the page people open most. As a template, each row
cost about half a millisecond (three URL reversals, a dozen translations, dates, a CSRF field),
25 ms a page; here the URLs are reversed once per page and the strings are looked up once."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from argo_docs.reversing import pk_url_maker
from workflow.templatetags.workflow_tags import display_name


def _when(moment, with_time: bool = True) -> str:
    local = timezone.localtime(moment)
    return local.strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")


class _Strings:
    """The row's words in the request's language, looked up once per page."""

    def __init__(self) -> None:
        self.overdue = escape(_("Просрочено"))
        self.due = escape(_("Срок"))
        self.no_due = escape(_("без срока"))
        self.assignee = escape(_("Исполнитель"))
        self.by = escape(_("от"))
        self.actions = escape(_("Отложить или напомнить"))
        self.wake = escape(_("Вернуть в список"))
        self.until = escape(_("Отложить до…"))
        self.snooze = escape(_("Отложить"))
        self.follow_up = escape(_("Напомнить мне…"))


def render_rows(tasks, *, tab: str, csrf_token: str) -> SafeString:
    """The rows of one inbox page (``workflow/task_list.html`` puts them in its list group)."""
    detail_url = pk_url_maker("workflow:task-detail")
    snooze_url = pk_url_maker("workflow:task-snooze")
    follow_up_url = pk_url_maker("control:follow-up")
    words = _Strings()
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
    rows = []
    for task in tasks:
        overdue, snoozed = task.is_overdue, task.is_snoozed
        if task.due_at:
            label = words.overdue if overdue else words.due
            due = f"{label}: {_when(task.due_at)}"
        else:
            due = f'<span class="text-secondary">{words.no_due}</span>'
        about = []
        subject = task.subject
        if subject:
            about.append(f"{conditional_escape(subject)} · ")
        if tab == "team":
            about.append(f"{words.assignee}: {escape(display_name(task.assignee))} · ")
        about.append(
            f"{words.by} {escape(display_name(task.created_by))}, {_when(task.created_at, False)}"
        )
        if task.original_assignee_id:
            whom = escape(display_name(task.original_assignee))
            about.append(" · " + _("замещение: %(whom)s") % {"whom": whom})
        if snoozed:
            about.append(" · " + _("отложено до %(until)s") % {"until": _when(task.snoozed_until)})
        rows.append(
            f'<div class="list-group-item p-0{" list-group-item-danger" if overdue else ""}">'
            f'<a href="{detail_url(task.pk)}" class="d-block px-3 pt-2 pb-1 text-reset'
            f' text-decoration-none{" task-overdue" if overdue else ""}" data-testid="task-row">'
            '<div class="d-flex flex-wrap justify-content-between gap-2">'
            f'<div class="fw-semibold">{escape(task.title)}</div>'
            f'<div class="task-due small text-nowrap">{due}</div></div>'
            f'<div class="small text-secondary">{"".join(about)}</div></a>'
        )
        if tab != "team":
            rows.append(_actions(task, snoozed, words, csrf, snooze_url, follow_up_url))
        rows.append("</div>")
    return mark_safe("".join(rows))


def _actions(task, snoozed, words, csrf, snooze_url, follow_up_url) -> str:
    """«Отложить или напомнить»: the snooze form (or «Вернуть в список») and the reminder link."""
    if snoozed:
        controls = (
            '<button class="btn btn-outline-secondary btn-sm" type="submit" name="action"'
            f' value="wake">{words.wake}</button>'
        )
    else:
        field_id = f"snooze-{task.pk}"
        controls = (
            f'<div><label class="form-label small mb-0" for="{field_id}">{words.until}</label>'
            f'<input class="form-control form-control-sm" type="date" id="{field_id}"'
            ' name="until" required></div>'
            '<button class="btn btn-outline-secondary btn-sm" type="submit">'
            f"{words.snooze}</button>"
        )
    return (
        '<details class="px-3 pb-2 small task-actions">'
        f'<summary class="text-secondary">{words.actions}</summary>'
        f'<form method="post" action="{snooze_url(task.pk)}" class="d-flex flex-wrap gap-2'
        f' align-items-end mt-2" data-testid="snooze-form">{csrf}{controls}'
        f'<a class="btn btn-link btn-sm" href="{follow_up_url(task.pk)}">{words.follow_up}</a>'
        "</form></details>"
    )
