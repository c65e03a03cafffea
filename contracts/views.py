"""Contract pages. Thin: read through selectors, write through services, errors as messages."""

from __future__ import annotations

import datetime as dt

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from contracts import pdf, selectors, services
from contracts.forms import CommentForm, ContractForm, FilesForm, KanbanFilterForm, PeriodForm
from contracts.models import ContractStatus, ContractType
from contracts.routing import route_build, route_groups
from crm.selectors import counterparty_search
from storage.forms import uploads_keep
from workflow import registry
from workflow.models import TaskStatus
from workflow.selectors import history_of

PAGE_SIZE = 30
FORM_ERROR = "Проверьте поля формы: исправьте отмеченные ошибки."


def _visible(request: HttpRequest, pk: int):
    contract = selectors.contract_for_card(request.user, pk)
    if contract is None:
        raise Http404  # never reveal that a contract exists
    return contract


def contract_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in ContractStatus.values:
        status = ""
    contracts = selectors.contract_search(request.user, query=query, status=status)
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "contracts/_contract_rows.html" if request.htmx else "contracts/contract_list.html"
    return render(
        request,
        template,
        {
            "page": page,
            "q": query,
            "status": status,
            "statuses": ContractStatus.choices,
            "can_create": rules.has_perm("contracts.add_contract", request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest) -> HttpResponse:
    if not rules.has_perm("contracts.add_contract", request.user):
        raise PermissionDenied
    types = ContractType.objects.filter(is_active=True)
    type_id = request.POST.get("contract_type") or request.GET.get("type")
    contract_type = types.filter(pk=type_id).first() if type_id and type_id.isdigit() else None
    if contract_type is None:
        return render(request, "contracts/contract_type_choice.html", {"types": types})
    form = ContractForm(
        request.POST or None,
        request.FILES or None,
        contract_type=contract_type,
        uploader=request.user,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    contract = services.contract_create(
                        initiator=request.user, data=form.contract_data()
                    )
                    if form.cleaned_data.get("files"):
                        services.contract_files_add(
                            contract_id=contract.pk,
                            user=request.user,
                            uploads=form.cleaned_data["files"],
                        )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Договор создан: %(name)s") % {"name": contract.name})
                return redirect(contract)
        messages.error(request, _(FORM_ERROR))
        uploads_keep(form)
    return render(
        request,
        "contracts/contract_form.html",
        {"form": form, "contract_type": contract_type, "contract": None},
    )


@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _visible(request, pk)
    if not rules.has_perm("contracts.change_contract", request.user, contract):
        messages.error(request, _("Изменять договор может инициатор, пока он не отправлен."))
        return redirect(contract)
    form = ContractForm(
        request.POST or None, instance=contract, contract_type=contract.contract_type
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.contract_update(
                    contract_id=contract.pk, user=request.user, data=form.contract_data()
                )
            except (PermissionDenied, TransitionNotAllowed) as exc:
                messages.error(request, str(exc) or _("Изменение недоступно."))
            return redirect(contract)
        messages.error(request, _(FORM_ERROR))
    return render(
        request,
        "contracts/contract_form.html",
        {"form": form, "contract_type": contract.contract_type, "contract": contract},
    )


def counterparty_options(request: HttpRequest) -> HttpResponse:
    """<option>s for the counterparty picker (htmx), found by part of the name or INN."""
    found = list(counterparty_search(request.GET.get("counterparty_q", "")))
    return render(request, "contracts/_counterparty_options.html", {"found": found})


@require_http_methods(["GET", "POST"])
def contract_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Shows the route computed from the rules; POST confirms exactly that route."""
    contract = _visible(request, pk)
    if not rules.has_perm("contracts.submit_contract", request.user, contract):
        messages.error(request, _("Отправить договор может только инициатор черновика."))
        return redirect(contract)
    if request.method == "POST":
        try:
            services.contract_submit(
                contract_id=contract.pk,
                user=request.user,
                fingerprint=request.POST.get("fingerprint", ""),
            )
        except (TransitionNotAllowed, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return redirect("contracts:contract-submit", pk=contract.pk)
        messages.success(request, _("Договор отправлен на согласование."))
        return redirect(contract)
    steps = route_build(contract)
    return render(
        request,
        "contracts/contract_submit.html",
        {
            "contract": contract,
            "groups": route_groups(steps),
            "count": len(steps),
            "fingerprint": services.route_fingerprint(steps),
        },
    )


def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _visible(request, pk)
    return render(request, "contracts/contract_detail.html", _card_context(request, contract))


def _card_context(request: HttpRequest, contract, bound_form=None, bound_task_id=None) -> dict:
    tasks = list(selectors.contract_tasks(contract))
    mine, others = [], []
    for task in tasks:
        if task.assignee_id == request.user.pk and task.status == TaskStatus.OPEN:
            form = (
                bound_form
                if bound_task_id == task.pk
                else registry.task_kind_for(task).form_class(prefix=f"t{task.pk}")
            )
            mine.append((task, form, registry.task_kind_for(task)))
        else:
            others.append(task)
    return {
        "contract": contract,
        "stages": selectors.stage_bar(contract),
        "rounds": selectors.approvals_by_round(contract),
        "my_tasks": mine,
        "other_tasks": others,
        "comments": contract.comments.select_related("author"),
        "comment_form": CommentForm(),
        "files": contract.files.select_related("stored_file", "added_by"),
        "files_form": FilesForm(),
        "can_attach": rules.has_perm("contracts.attach_file", request.user, contract),
        "timeline": history_of(contract),
        "can_edit": rules.has_perm("contracts.change_contract", request.user, contract),
        "can_submit": rules.has_perm("contracts.submit_contract", request.user, contract),
        "can_withdraw": contract.status == ContractStatus.RETURNED
        and contract.initiator_id == request.user.pk,
        "now": timezone.now(),
        "extra": [(k, v) for k, v in (contract.extra or {}).items() if v],
    }


@require_POST
def task_decide(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """Approve/return (or any own task of this contract) right from the card."""
    contract = _visible(request, pk)
    task = next((t for t in selectors.contract_tasks(contract) if t.pk == task_id), None)
    if task is None:
        raise Http404
    kind = registry.task_kind_for(task)
    form = kind.form_class(request.POST, prefix=f"t{task.pk}")
    if not form.is_valid():
        messages.error(request, _(FORM_ERROR))
        context = _card_context(request, contract, bound_form=form, bound_task_id=task.pk)
        return render(request, "contracts/contract_detail.html", context, status=400)
    try:
        kind.complete(task_id=task.pk, user=request.user, data=form.cleaned_data)
    except (TransitionNotAllowed, PermissionDenied):
        messages.error(
            request,
            _(
                "Действие не выполнено: задание уже завершено или изменено другим "
                "пользователем. Обновите страницу."
            ),
        )
    else:
        messages.success(request, _("Решение принято: %(title)s") % {"title": task.title})
    return redirect("contracts:contract-detail", pk=contract.pk)


@require_POST
def contract_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _visible(request, pk)
    try:
        services.contract_withdraw(
            contract_id=contract.pk, user=request.user, reason=request.POST.get("reason", "")
        )
    except (TransitionNotAllowed, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Договор отозван."))
    return redirect(contract)


@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _visible(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Комментарий пуст или слишком длинный."))
        context = _card_context(request, contract)
        context["comment_form"] = form
        return render(request, "contracts/contract_detail.html", context, status=400)
    services.comment_add(contract_id=contract.pk, user=request.user, text=form.cleaned_data["text"])
    return redirect(f"{contract.get_absolute_url()}#comments")


@require_POST
def files_add(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _visible(request, pk)
    existing = [link.stored_file for link in contract.files.select_related("stored_file")]
    form = FilesForm(request.POST, request.FILES, uploader=request.user, existing_files=existing)
    if form.is_valid():
        try:
            services.contract_files_add(
                contract_id=contract.pk, user=request.user, uploads=form.cleaned_data["files"]
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect(f"{contract.get_absolute_url()}#files")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Файлы приложены."))
            return redirect(f"{contract.get_absolute_url()}#files")
    # refused: the card again with the reasons beside the field and the good files kept
    messages.error(request, _("Файлы не приложены: исправьте отмеченное."))
    uploads_keep(form)
    context = _card_context(request, contract)
    context["files_form"] = form
    return render(request, "contracts/contract_detail.html", context, status=400)


def kanban(request: HttpRequest) -> HttpResponse:
    types = list(ContractType.objects.filter(is_active=True))
    form = KanbanFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    contract_type = data.get("contract_type") or (types[0] if types else None)
    columns = []
    if contract_type is not None:
        columns = selectors.kanban(
            request.user,
            contract_type=contract_type,
            fund=data.get("fund"),
            initiator=data.get("initiator"),
            overdue=bool(data.get("overdue")),
        )
    return render(
        request,
        "contracts/kanban.html",
        {"form": form, "columns": columns, "contract_type": contract_type, "types": types},
    )


def kpi(request: HttpRequest) -> HttpResponse:
    if not rules.has_perm("contracts.view_kpi", request.user):
        raise PermissionDenied
    today = timezone.localdate()
    initial = {"start": today - dt.timedelta(days=30), "end": today}
    form = PeriodForm(request.GET or None, initial=initial)
    period = form.cleaned_data if form.is_valid() else initial
    if not request.GET:
        form = PeriodForm(initial=initial)
    people, units = selectors.kpi(start=period["start"], end=period["end"])
    return render(
        request,
        "contracts/kpi.html",
        {
            "form": form,
            "people": people,
            "units": units,
            "start": period["start"],
            "end": period["end"],
            "max_total": max([r.total + r.open_overdue for r in people] or [1]),
        },
    )


def approval_sheet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _visible(request, pk)
    content = pdf.approval_sheet(contract, selectors.approvals_by_round(contract))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="approval-sheet-{contract.number}.pdf"'
    return response
