"""Pages of incoming correspondence. Thin: read through selectors, write through services."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from correspondence import export, register, selectors
from correspondence.forms import (
    CommentForm,
    CounterpartyCreateForm,
    IncomingRegisterForm,
    RegisterFilterForm,
)
from correspondence.models import IncomingLetter, OutgoingLetter, Thread
from correspondence.registration_hints import control_date_suggested
from correspondence.services import incoming as incoming_services
from crm import selectors as crm_selectors
from crm import services as crm_services
from crm.models import Counterparty
from storage.forms import uploads_keep
from storage.services import stored_files_create
from workflow.routes.selectors import route_view
from workflow.selectors import history_for_card, history_wanted_all


def _visible_incoming(request: HttpRequest, pk: int) -> IncomingLetter:
    letter = get_object_or_404(
        IncomingLetter.objects.select_related(
            "legal_entity",
            "addressee_department",
            "counterparty",
            "responsible",
            "registered_by",
            "project",
            "thread",
            "journal",
            "route_rule",
            "answers_outgoing",
        ),
        pk=pk,
    )
    if not rules.has_perm("correspondence.view_incoming", request.user, letter):
        raise Http404  # never reveal that a letter exists to someone who may not see it
    return letter


# --- registration --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def incoming_register(request: HttpRequest) -> HttpResponse:
    if not rules.has_perm("correspondence.register_incoming", request.user):
        raise PermissionDenied
    form = IncomingRegisterForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    kwargs = form.service_kwargs()
                    kwargs["files"] = stored_files_create(
                        uploads=kwargs["files"], uploaded_by=request.user
                    )
                    letter = incoming_services.incoming_register(user=request.user, **kwargs)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Письмо зарегистрировано под номером %(number)s.")
                    % {"number": letter.reg_number},
                )
                return redirect(letter)
        messages.error(request, _("Письмо не зарегистрировано: исправьте отмеченные поля."))
        uploads_keep(form)
    counterparty = None
    if form.is_bound:
        counterparty = Counterparty.objects.filter(
            pk=form.data.get("counterparty")
            if str(form.data.get("counterparty")).isdigit()
            else None
        ).first()
    return render(
        request,
        "correspondence/incoming_form.html",
        {
            "form": form,
            "counterparty": counterparty,
            "create_form": CounterpartyCreateForm(prefix="new"),
            "suggestion": control_date_suggested(counterparty),
        },
    )


def _picked(request: HttpRequest, counterparty, create_form, **extra) -> HttpResponse:
    """The picker after a choice, with what follows from the counterparty swapped in beside it:
    the proposed control date and the letters sent to it that this one may answer."""
    form = IncomingRegisterForm(
        user=request.user, initial={"counterparty": counterparty.pk if counterparty else None}
    )
    return render(
        request,
        "correspondence/_counterparty_picked.html",
        {
            "counterparty": counterparty,
            "create_form": create_form,
            "form": form,
            "suggestion": control_date_suggested(counterparty),
            **extra,
        },
    )


@require_GET
def counterparty_search(request: HttpRequest) -> HttpResponse:
    if not rules.has_perm("correspondence.register_incoming", request.user):
        raise PermissionDenied
    query = request.GET.get("q", "")
    results = list(crm_selectors.counterparty_search(query, limit=10)) if query.strip() else []
    return render(
        request,
        "correspondence/_counterparty_results.html",
        {"results": results, "query": query},
    )


@require_GET
def counterparty_pick(request: HttpRequest) -> HttpResponse:
    """The picker with the chosen counterparty (``?id=``), or empty again to search anew."""
    if not rules.has_perm("correspondence.register_incoming", request.user):
        raise PermissionDenied
    pk = request.GET.get("id", "")
    counterparty = get_object_or_404(Counterparty, pk=pk) if pk.isdigit() else None
    return _picked(request, counterparty, CounterpartyCreateForm(prefix="new"))


@require_POST
def counterparty_create(request: HttpRequest) -> HttpResponse:
    if not rules.has_perm("correspondence.register_incoming", request.user):
        raise PermissionDenied
    create_form = CounterpartyCreateForm(request.POST, prefix="new")
    counterparty = None
    if create_form.is_valid():
        try:
            counterparty = crm_services.counterparty_create(
                name=create_form.cleaned_data["name"],
                category=create_form.cleaned_data["category"],
                inn=create_form.cleaned_data["inn"].strip(),
                email=create_form.cleaned_data["email"],
                created_by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                create_form.add_error(field if field in create_form.fields else None, errors)
    return _picked(
        request,
        counterparty,
        CounterpartyCreateForm(prefix="new") if counterparty else create_form,
        create_open=counterparty is None,
    )


# --- register ------------------------------------------------------------------------------------


def _filtered(request: HttpRequest):
    form = RegisterFilterForm(request.GET or None)
    letters = register.apply_filters(
        selectors.register_queryset(request.user), register.valid_filters(form)
    )
    sort = request.GET.get("sort", "-registered")
    letters = register.apply_sort(letters, sort)
    return form, letters, sort


def incoming_list(request: HttpRequest) -> HttpResponse:
    form, letters, sort = _filtered(request)
    return render(
        request,
        "correspondence/incoming_list.html",
        {
            "form": form,
            "filters_active": any(request.GET.get(name) for name in form.fields),
            "sort": sort,
            "columns": register.COLUMNS,
            **register.page_context(
                request,
                letters,
                floor=register.count_floor(request.user, IncomingLetter, form),
                exact=selectors.register_rows_rule(request.user, IncomingLetter),
                sparse=register.sparse_order(form, letters, sort, register.apply_sort),
            ),
            **register.filter_context(form),
            "can_register": rules.has_perm("correspondence.register_incoming", request.user),
        },
    )


def incoming_export(request: HttpRequest) -> HttpResponse:
    _form, letters, _sort = _filtered(request)
    return export.register_xlsx_response(letters)


@require_GET
def register_counterparty_search(request: HttpRequest) -> HttpResponse:
    """The registers' counterparty filter: companies by name or INN (a name is no secret of a
    letter: only the filter's id reaches the register query)."""
    query = request.GET.get("counterparty_q", "")
    results = list(crm_selectors.counterparty_search(query, limit=10)) if query.strip() else []
    return render(
        request,
        "correspondence/_register_counterparty_results.html",
        {"results": results, "query": query},
    )


@require_GET
def register_counterparty_pick(request: HttpRequest) -> HttpResponse:
    pk = request.GET.get("id", "")
    chosen = Counterparty.objects.filter(pk=pk).first() if pk.isdigit() else None
    return render(request, "correspondence/_register_counterparty_filter.html", {"chosen": chosen})


# --- card ----------------------------------------------------------------------------------------


def incoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _visible_incoming(request, pk)
    user = request.user
    tasks = selectors.card_tasks(letter, user)
    timeline = history_for_card(letter, everything=history_wanted_all(request))
    route = route_view(letter)
    replies = list(
        selectors.outgoing_visible_to(user).filter(in_reply_to=letter).select_related("author")
    )
    context = {
        "letter": letter,
        "route": route,
        "reviews_with_execution": selectors.reviews_with_execution(route),
        "files": selectors.letter_files(letter),
        "tasks": tasks,
        "my_open_tasks": [t for t in tasks if t.is_open and t.assignee_id == user.pk],
        "co_executors": letter.co_executors.all(),
        "replies": replies,
        "thread_letters": [
            other
            for other in register.thread_letters(letter.thread, user, exclude=letter)
            if not (isinstance(other, OutgoingLetter) and other.in_reply_to_id == letter.pk)
        ],
        "timeline": timeline,
        "comments": [h for h in timeline.entries if h.action == "comment"],
        "comment_form": CommentForm(),
    }
    return render(request, "correspondence/incoming_detail.html", context)


@require_POST
def incoming_comment(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _visible_incoming(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            incoming_services.incoming_comment_add(
                letter_id=letter.pk, user=request.user, text=form.cleaned_data["text"]
            )
        except (PermissionDenied, TransitionNotAllowed):
            messages.error(request, _("Комментарий не добавлен."))
        else:
            messages.success(request, _("Комментарий добавлен."))
    else:
        messages.error(request, _("Комментарий пустой или слишком длинный."))
    return redirect(f"{letter.get_absolute_url()}#comments")


def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    thread = get_object_or_404(Thread.objects.select_related("counterparty", "project"), pk=pk)
    letters = register.thread_letters(thread, request.user)
    if not letters:
        raise Http404  # a thread is visible through the letters one may see
    return render(
        request, "correspondence/thread_detail.html", {"thread": thread, "letters": letters}
    )
