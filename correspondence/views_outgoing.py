"""Pages of outgoing correspondence: the register, the draft form, the card and its actions.
Thin: read through selectors, write through services."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from correspondence import register, register_outgoing, selectors
from correspondence.forms_outgoing import (
    EmailRetryForm,
    OutgoingFilterForm,
    OutgoingForm,
    SendForm,
)
from correspondence.models import OutgoingLetter, OutgoingStatus
from correspondence.services import outgoing as services
from crm import selectors as crm_selectors
from crm.models import Counterparty
from outbox.selectors import messages_for
from storage.forms import uploads_keep
from storage.services import stored_files_create
from workflow.routes.selectors import route_view
from workflow.selectors import history_for_card, history_wanted_all, tasks_of


def _employee_required(request: HttpRequest) -> None:
    if not getattr(request.user, "employee", None):
        raise PermissionDenied


def _visible(request: HttpRequest, pk: int) -> OutgoingLetter:
    letter = get_object_or_404(
        OutgoingLetter.objects.select_related(
            "legal_entity",
            "counterparty",
            "author",
            "executor",
            "in_reply_to",
            "thread",
            "project",
            "journal",
            "sent_by",
        ),
        pk=pk,
    )
    if not rules.has_perm("correspondence.view_outgoing", request.user, letter):
        raise Http404  # never reveal that a letter exists to someone who may not see it
    return letter


# --- register ------------------------------------------------------------------------------------


def _filtered(request: HttpRequest):
    form = OutgoingFilterForm(request.GET or None)
    letters = register_outgoing.apply_filters(
        register_outgoing.register_queryset(request.user), register.valid_filters(form)
    )
    sort = request.GET.get("sort", "-created")
    return form, register_outgoing.apply_sort(letters, sort), sort


def outgoing_list(request: HttpRequest) -> HttpResponse:
    form, letters, sort = _filtered(request)
    return render(
        request,
        "correspondence/outgoing_list.html",
        {
            "form": form,
            "sort": sort,
            "columns": register_outgoing.COLUMNS,
            **register.page_context(
                request,
                letters,
                floor=register.count_floor(request.user, OutgoingLetter, form),
                exact=selectors.register_rows_rule(request.user, OutgoingLetter),
                sparse=register.sparse_order(form, letters, sort, register_outgoing.apply_sort),
            ),
            **register.filter_context(form),
            "filters_active": bool(form.is_bound and form.has_changed()),
        },
    )


def outgoing_export(request: HttpRequest) -> HttpResponse:
    _form, letters, _sort = _filtered(request)
    return register_outgoing.register_xlsx_response(letters)


# --- the draft -----------------------------------------------------------------------------------


def _chosen_counterparty(form) -> Counterparty | None:
    if form.is_bound:
        value = str(form.data.get("counterparty") or "")
        return Counterparty.objects.filter(pk=value).first() if value.isdigit() else None
    return form.initial.get("counterparty_obj")


def _store(form, user) -> list:
    """The form's files (staged and new) stored; call inside the service's transaction."""
    return stored_files_create(uploads=form.cleaned_data["files"], uploaded_by=user)


@require_http_methods(["GET", "POST"])
def outgoing_create(request: HttpRequest) -> HttpResponse:
    _employee_required(request)
    form = OutgoingForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    letter = services.outgoing_create(
                        user=request.user,
                        legal_entity=data["legal_entity"],
                        counterparty=data["counterparty"],
                        subject=data["subject"],
                        text=data["text"],
                        executor=data["executor"],
                        document_date=data["document_date"],
                        control_date=data["control_date"],
                        project=data["project"],
                        files=_store(form, request.user),
                    )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Черновик письма создан."))
                return redirect(letter)
        messages.error(request, _("Письмо не сохранено: исправьте отмеченные поля."))
        uploads_keep(form)
    return render(
        request,
        "correspondence/outgoing_form.html",
        {"form": form, "counterparty": _chosen_counterparty(form), "letter": None},
    )


@require_http_methods(["GET", "POST"])
def outgoing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _visible(request, pk)
    if letter.author_id != request.user.pk or not letter.is_editable:
        messages.error(
            request, _("Письмо можно изменить только автору в черновике или на доработке.")
        )
        return redirect(letter)
    initial = {f: getattr(letter, f) for f in services.EDITABLE_FIELDS}
    initial["counterparty_obj"] = letter.counterparty
    initial["document_date"] = letter.document_date or timezone.localdate()
    removing = [int(v) for v in request.POST.getlist("remove_files") if v.isdigit()]
    form = OutgoingForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial=initial,
        existing_files=[
            link.stored_file
            for link in selectors.letter_files(letter)
            if link.pk not in set(removing)
        ],
    )
    if request.method == "POST":
        if form.is_valid():
            data = {f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS}
            try:
                with transaction.atomic():
                    services.outgoing_update(
                        letter_id=letter.pk,
                        user=request.user,
                        data=data,
                        files=_store(form, request.user),
                        remove_file_ids=removing,
                    )
            except (TransitionNotAllowed, PermissionDenied) as error:
                messages.error(request, str(error) or _("Письмо не изменено."))
                return redirect(letter)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Изменения сохранены."))
                return redirect(letter)
        messages.error(request, _("Письмо не сохранено: исправьте отмеченные поля."))
        uploads_keep(form)
    return render(
        request,
        "correspondence/outgoing_form.html",
        {
            "form": form,
            "counterparty": _chosen_counterparty(form),
            "letter": letter,
            "files": selectors.letter_files(letter),
        },
    )


def _act(request: HttpRequest, letter: OutgoingLetter, action, success: str) -> HttpResponse:
    try:
        action()
    except (TransitionNotAllowed, PermissionDenied, ValidationError) as error:
        text = error.messages[0] if isinstance(error, ValidationError) else str(error)
        messages.error(request, text or _("Действие не выполнено."))
    else:
        messages.success(request, success)
    return redirect(letter)


@require_POST
def outgoing_submit(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _visible(request, pk)
    return _act(
        request,
        letter,
        lambda: services.outgoing_submit(
            letter_id=letter.pk, user=request.user, note=request.POST.get("note", "")
        ),
        _("Письмо отправлено на согласование."),
    )


@require_POST
def outgoing_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _visible(request, pk)
    return _act(
        request,
        letter,
        lambda: services.outgoing_withdraw(letter_id=letter.pk, user=request.user),
        _("Письмо отозвано с согласования."),
    )


def _my_send_task(letter, user):
    return tasks_of(letter).filter(kind=services.KIND_SEND, status="open", assignee=user).first()


@require_POST
def outgoing_send(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _visible(request, pk)
    task = _my_send_task(letter, request.user)
    if task is None:
        messages.error(request, _("У вас нет задания отправить это письмо."))
        return redirect(letter)
    form = SendForm(request.POST)
    if form.is_valid():
        if form.cleaned_data["method"] == "email" and not form.cleaned_data["email"]:
            form.add_error("email", _("Укажите адрес эл. почты получателя."))
        else:
            return _act(
                request,
                letter,
                lambda: services.send_complete(
                    task_id=task.pk, user=request.user, data=form.cleaned_data
                ),
                _("Письмо передано на отправку по эл. почте; что стало с сообщением — на карточке.")
                if form.cleaned_data["method"] == "email"
                else _("Письмо отправлено."),
            )
    messages.error(request, _("Письмо не отправлено: исправьте отмеченные поля."))
    return _render_card(request, letter, send_form=form)


@require_POST
def outgoing_email_retry(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _visible(request, pk)
    form = EmailRetryForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("to", [])))
        return redirect(letter)
    return _act(
        request,
        letter,
        lambda: services.outgoing_email_retry(
            letter_id=letter.pk, user=request.user, to=form.cleaned_data["to"]
        ),
        _("Письмо снова поставлено в очередь отправки."),
    )


# --- card ----------------------------------------------------------------------------------------


def _render_card(request: HttpRequest, letter: OutgoingLetter, *, send_form=None) -> HttpResponse:
    user = request.user
    tasks = selectors.card_tasks(letter, user)
    send_task = _my_send_task(letter, user)
    if send_task and send_form is None:
        send_form = SendForm(initial={"email": letter.counterparty.email})
    emails = list(messages_for(letter))
    failed = next((m for m in emails if m.status == "failed"), None)
    context = {
        "letter": letter,
        "emails": emails,
        "email_retry_form": (
            EmailRetryForm(initial={"to": ", ".join(failed.to)})
            if failed and services.may_retry_email(user, letter)
            else None
        ),
        "files": selectors.letter_files(letter),
        "route": route_view(letter),
        "tasks": tasks,
        "my_open_tasks": [t for t in tasks if t.is_open and t.assignee_id == user.pk],
        "send_form": send_form if send_task else None,
        "answers": list(
            selectors.incoming_visible_to(user)
            .filter(answers_outgoing=letter)
            .select_related("counterparty")
        ),
        "thread_letters": register.thread_letters(letter.thread, user, exclude=letter),
        "timeline": history_for_card(letter, everything=history_wanted_all(request)),
        "can_edit": letter.author_id == user.pk and letter.is_editable,
        "can_withdraw": letter.author_id == user.pk
        and letter.status in (OutgoingStatus.APPROVAL, OutgoingStatus.RETURNED),
    }
    return render(request, "correspondence/outgoing_detail.html", context)


def outgoing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_card(request, _visible(request, pk))


# --- counterparty picker for any employee --------------------------------------------------------


@require_GET
def counterparty_search(request: HttpRequest) -> HttpResponse:
    _employee_required(request)
    query = request.GET.get("q", "")
    results = list(crm_selectors.counterparty_search(query, limit=10)) if query.strip() else []
    return render(
        request,
        "correspondence/_outgoing_counterparty_results.html",
        {"results": results, "query": query},
    )


@require_GET
def counterparty_pick(request: HttpRequest) -> HttpResponse:
    _employee_required(request)
    pk = request.GET.get("id", "")
    counterparty = get_object_or_404(Counterparty, pk=pk) if pk.isdigit() else None
    return render(
        request,
        "correspondence/_outgoing_counterparty_picker.html",
        {"counterparty": counterparty},
    )
