"""Memo pages: the register, the form, the card and the author's actions. Thin: read through
selectors, write through services; a memo the user may not see answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from memos import register, selectors, services
from memos.forms import FilterForm, MemoForm
from memos.models import WITHDRAWABLE, MemoFile
from storage.services import stored_files_create
from workflow.routes.selectors import route_view
from workflow.selectors import history_for_card, history_wanted_all, tasks_of

REFUSED = (TransitionNotAllowed, PermissionDenied, ValidationError)


def _visible(request, pk: int):
    memo = selectors.visible_memo(request.user, pk)
    if memo is None:
        raise Http404  # never tell a stranger that the memo exists
    return memo


def _filtered(request):
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    sort = request.GET.get("sort", "-created")
    return form, register.register_queryset(request.user, data, sort), sort


def memo_list(request):
    form, memos, sort = _filtered(request)
    wanted = request.GET.get("page", "1")
    rows, page, has_next = register.page_of(memos, wanted)
    query = request.GET.copy()
    query.pop("page", None)
    query_sorted = query.urlencode()
    query.pop("sort", None)
    context = {"form": form, "memos": rows, "page": page, "has_next": has_next, "sort": sort}
    context["too_deep"] = wanted.isdigit() and int(wanted) > register.MAX_PAGES
    context |= {"query": query_sorted, "sort_query": query.urlencode(), "columns": register.COLUMNS}
    return render(request, "memos/memo_list.html", context)


def memo_export(request):
    return register.xlsx_response(_filtered(request)[1])


@require_http_methods(["GET", "POST"])
def memo_form(request, pk: int | None = None):
    memo = _visible(request, pk) if pk else None
    if memo and not (memo.author_id == request.user.pk and memo.is_editable):
        messages.error(request, _("Изменить записку может только автор, пока она не отправлена."))
        return redirect(memo)
    if not getattr(request.user, "employee", None):
        raise PermissionDenied
    initial = {f: getattr(memo, f) for f in services.FIELDS} if memo else {}
    initial["acknowledgers"] = list(memo.acknowledgers.all()) if memo else []
    form = MemoForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data, user = form.cleaned_data, request.user
        kwargs = {"user": user, "data": data, "acknowledgers": data["acknowledgers"]}
        try:
            with transaction.atomic():  # a refused memo keeps none of the uploaded files
                kwargs["files"] = stored_files_create(uploads=data["files"], uploaded_by=user)
                if memo is None:
                    memo = services.memo_create(**kwargs)
                else:
                    remove = [int(v) for v in request.POST.getlist("remove_files") if v.isdigit()]
                    services.memo_update(memo_id=memo.pk, remove=remove, **kwargs)
        except REFUSED as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Служебная записка сохранена."))
            return redirect(memo)
    if request.method == "POST":
        messages.error(request, _("Записка не сохранена: исправьте отмеченные поля."))
    files = MemoFile.objects.filter(memo=memo).select_related("stored_file") if memo else []
    return render(request, "memos/memo_form.html", {"form": form, "memo": memo, "files": files})


def memo_detail(request, pk: int):
    memo = _visible(request, pk)
    mine = memo.author_id == request.user.pk
    context = {
        "memo": memo,
        "files": MemoFile.objects.filter(memo=memo).select_related("stored_file"),
        "acknowledgers": memo.acknowledgers.all(),
        "route": route_view(memo),
        "my_tasks": tasks_of(memo).filter(assignee=request.user, status="open"),
        "timeline": history_for_card(memo, everything=history_wanted_all(request)),
        "can_edit": mine and memo.is_editable,
        "can_withdraw": mine and memo.status in WITHDRAWABLE,
    }
    return render(request, "memos/memo_detail.html", context)


@require_POST
def memo_act(request, pk: int, action: str):
    memo, note = _visible(request, pk), request.POST.get("note", "")
    try:
        if action == "submit":
            services.memo_submit(memo_id=memo.pk, user=request.user, note=note)
        else:
            services.memo_withdraw(memo_id=memo.pk, user=request.user)
    except REFUSED as error:
        messages.error(
            request, error.messages[0] if isinstance(error, ValidationError) else str(error)
        )
    else:
        done = {"submit": _("Служебная записка отправлена."), "withdraw": _("Записка отозвана.")}
        messages.success(request, done[action])
    return redirect(memo)
