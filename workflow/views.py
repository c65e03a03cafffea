"""Inbox, task decision page, instructions and notifications. Thin: validate, call a service."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from workflow import registry, selectors, services, snooze
from workflow.forms import InstructionGiveForm
from workflow.inbox import TaskSnoozeForm, inbox_type_choices
from workflow.models import Notification, Task

INBOX_PAGE_SIZE = 50


INBOX_TABS = ("mine", "snoozed", "team")


def inbox(request: HttpRequest) -> HttpResponse:
    """«Мои задания» (snoozed tasks on their own tab); heads also get «Задания подчинённых».
    Every tab pages by 50 and filters by document type."""
    has_team = bool(selectors.subordinate_department_ids(request.user))
    tab = request.GET.get("tab", "mine")
    if tab not in INBOX_TABS or (tab == "team" and not has_team):
        tab = "mine"
    try:
        content_type_id = int(request.GET["type"]) if request.GET.get("type") else None
    except ValueError:
        content_type_id = None
    if tab == "team":
        tasks = selectors.subordinate_tasks(request.user, content_type_id=content_type_id)
    else:
        tasks = selectors.tasks_for(
            request.user, content_type_id=content_type_id, snoozed=tab == "snoozed"
        )
    type_choices = inbox_type_choices(request.user, tab=tab)
    # the filter's counts are the tab's own: the paginator needs no COUNT of its own
    per_type = {content_type: n for content_type, _label, n in type_choices}
    paginator = Paginator(tasks, INBOX_PAGE_SIZE)
    paginator.count = (
        sum(per_type.values()) if content_type_id is None else per_type.get(content_type_id, 0)
    )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workflow/task_list.html",
        {
            "page": page,
            "tab": tab,
            "has_team": has_team,
            "type_choices": type_choices,
            "content_type_id": content_type_id,
            "query": query.urlencode(),
            "snooze_form": TaskSnoozeForm(),
        },
    )


@require_POST
def task_snooze(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    form = TaskSnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("until", [])) or _("Укажите дату."))
        return redirect("workflow:inbox")
    until = None if request.POST.get("action") == "wake" else form.cleaned_data["until"]
    try:
        snooze.task_snooze(task_id=task.pk, user=request.user, until=until)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request, _("Задание отложено.") if until else _("Задание возвращено в список.")
        )
    return redirect("workflow:inbox")


def refusal_message(error: Exception) -> str:
    """The service's own Russian reason when it gave one; django-fsm's technical text (a
    transition called in the wrong state) becomes the generic «someone was faster» message."""
    text = str(error)
    if text and not text.startswith("Can't switch"):
        return text
    return _(
        "Действие не выполнено: задание уже завершено или изменено другим "
        "пользователем. Обновите страницу."
    )


def _visible_task(request: HttpRequest, pk: int) -> Task:
    task = get_object_or_404(
        Task.objects.select_related(
            "assignee", "original_assignee", "created_by", "completed_by", "content_type", "parent"
        ),
        pk=pk,
    )
    if not rules.has_perm("workflow.view_task", request.user, task):
        raise Http404  # never reveal that a task exists to someone who may not see it
    return task


@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    services.notifications_read_for_task(task=task, user=request.user)
    kind = registry.task_kind_for(task)
    can_complete = task.is_open and rules.has_perm("workflow.complete_task", request.user, task)
    form = None
    if can_complete:
        form = kind.make_form(task, request.POST or None, request.FILES or None)
        if hasattr(form, "bind_uploader"):  # a form with files keeps a refused upload for its user
            form.bind_uploader(request.user)
        if request.method == "POST" and form.is_valid():
            try:
                kind.complete(task_id=task.pk, user=request.user, data=form.cleaned_data)
            except (TransitionNotAllowed, PermissionDenied) as error:
                messages.error(request, refusal_message(error))
                return redirect("workflow:task-detail", pk=task.pk)
            except ValidationError as error:
                # the owning service refused the input (a file, a date): show it on the form
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    kind.success_message(task, form.cleaned_data)
                    if kind.success_message
                    else _("Задание «%(title)s» выполнено.") % {"title": task.title},
                )
                next_url = kind.next_url(task, form.cleaned_data) if kind.next_url else ""
                return redirect(next_url or "workflow:inbox")
        if request.method == "POST":
            messages.error(request, _("Проверьте поля формы: исправьте отмеченные ошибки."))
            if hasattr(form, "uploads_keep"):
                form.uploads_keep()
    elif request.method == "POST":
        messages.error(request, _("Это задание уже нельзя выполнить."))
        return redirect("workflow:task-detail", pk=task.pk)
    subject = task.subject if task.object_id else None
    context = {
        "task": task,
        "kind": kind,
        "form": form,
        "subject": subject,
        "timeline": selectors.history_of(subject or task),
        "subtasks": task.subtasks.select_related("assignee").order_by("created_at"),
    }
    return render(request, "workflow/task_detail.html", context)


@require_http_methods(["GET", "POST"])
def instruction_give(request: HttpRequest) -> HttpResponse:
    if not rules.has_perm("workflow.give_instruction", request.user):
        raise PermissionDenied
    form = InstructionGiveForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            task = services.instruction_give(
                author=request.user,
                assignee=form.cleaned_data["assignee"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                due_at=form.due_at(),
            )
            messages.success(
                request,
                _("Поручение отправлено: %(who)s.") % {"who": services.display_name(task.assignee)},
            )
            return redirect("workflow:task-detail", pk=task.pk)
        messages.error(request, _("Проверьте поля формы: исправьте отмеченные ошибки."))
    return render(request, "workflow/instruction_form.html", {"form": form})


def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(recipient=request.user)
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    return render(request, "workflow/notification_list.html", {"page": page})


def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification = services.notification_mark_read(notification_id=pk, user=request.user)
    except Notification.DoesNotExist:
        raise Http404 from None
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("workflow:notification-list")


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=request.user)
    return redirect("workflow:notification-list")
