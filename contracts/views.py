"""Contract pages. Thin: read through selectors, write through services, errors as messages."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from argo_docs.paging import capped_page
from contracts import pdf, routing, selectors, services
from contracts.forms import CommentForm, ContractForm, FilesForm
from contracts.models import IN_PROGRESS, ContractStatus, ContractType
from contracts.name_template import example_name
from crm.selectors import counterparty_search
from storage.forms import uploads_keep
from workflow import registry
from workflow.routes.plan import participant_count
from workflow.routes.selectors import route_view
from workflow.routes.services import settings_for
from workflow.selectors import history_for_card, history_wanted_all
from workflow.views import refusal_message

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
    page = capped_page(contracts, PAGE_SIZE, request.GET.get("page"))
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
        {
            "form": form,
            "contract_type": contract_type,
            "contract": None,
            "example_name": example_name(contract_type.name_template),
        },
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
            else:
                messages.success(request, _("Изменения договора сохранены."))
            return redirect(contract)
        messages.error(request, _(FORM_ERROR))
    return render(
        request,
        "contracts/contract_form.html",
        {
            "form": form,
            "contract_type": contract.contract_type,
            "contract": contract,
            "example_name": example_name(contract.contract_type.name_template),
        },
    )


def counterparty_options(request: HttpRequest) -> HttpResponse:
    """<option>s for the counterparty picker (htmx), found by part of the name or INN."""
    found = list(counterparty_search(request.GET.get("counterparty_q", "")))
    return render(request, "contracts/_counterparty_options.html", {"found": found})


@require_http_methods(["GET", "POST"])
def contract_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Shows the route computed from the rules; POST confirms exactly that route (and, after a
    return, says what was fixed)."""
    contract = _visible(request, pk)
    if not rules.has_perm("contracts.submit_contract", request.user, contract):
        messages.error(request, _("Отправить договор может только инициатор черновика."))
        return redirect(contract)
    note = request.POST.get("note", "")
    note_error = ""
    if request.method == "POST":
        try:
            services.contract_submit(
                contract_id=contract.pk,
                user=request.user,
                fingerprint=request.POST.get("fingerprint", ""),
                note=note,
            )
        except (TransitionNotAllowed, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return redirect("contracts:contract-submit", pk=contract.pk)
        except ValidationError as exc:
            errors = getattr(exc, "error_dict", {})
            note_error = " ".join(errors["note"][0].messages) if "note" in errors else ""
            messages.error(request, note_error or " ".join(exc.messages))
        else:
            messages.success(request, _("Договор отправлен на согласование."))
            return redirect(contract)
    plan = routing.route_plan(contract)
    config = settings_for(routing.DOC_TYPE)
    count = participant_count(plan)
    return render(
        request,
        "contracts/contract_submit.html",
        {
            "contract": contract,
            "plan": plan,
            "count": count,
            "cap": config.participant_cap,
            "over_cap": count > config.participant_cap,
            "refused": count > config.participant_cap and config.over_cap == "refuse",
            "fingerprint": routing.route_fingerprint(plan),
            "note": note,
            "note_error": note_error,
            "returned": contract.status == ContractStatus.RETURNED,
        },
        status=400 if request.method == "POST" else 200,
    )


def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _visible(request, pk)
    return render(request, "contracts/contract_detail.html", _card_context(request, contract))


def _task_form(task, data=None):
    kind = registry.task_kind_for(task)
    extra = {"task": task} if getattr(kind.form_class, "takes_task", False) else {}
    return kind.form_class(data, prefix=f"t{task.pk}", **extra)


def _card_context(request: HttpRequest, contract, bound_form=None, bound_task_id=None) -> dict:
    mine, others = selectors.card_tasks(request.user, contract)
    route = route_view(contract)
    steps = {s.task_id: s for r in route.rounds for s in r.steps if s.task_id} if route else {}
    note = route.current.round.note if route else ""
    my_tasks = []
    for task in mine:
        step = steps.get(task.pk)
        my_tasks.append(
            {
                "task": task,
                "form": bound_form if bound_task_id == task.pk else _task_form(task),
                "kind": registry.task_kind_for(task),
                "reason": step.reason if step else "",
                # what the author fixed, beside the decision it is for
                "note": note if step and step.round == route.route.round else "",
            }
        )
    is_initiator = contract.initiator_id == request.user.pk
    return {
        "contract": contract,
        "stages": selectors.stage_bar(contract),
        "route": route,
        "my_tasks": my_tasks,
        "other_tasks": others,
        "comments": contract.comments.select_related("author"),
        "comment_form": CommentForm(),
        "files": contract.files.select_related("stored_file", "added_by"),
        "files_form": FilesForm(),
        "can_attach": rules.has_perm("contracts.attach_file", request.user, contract),
        "timeline": history_for_card(contract, everything=history_wanted_all(request)),
        "can_edit": rules.has_perm("contracts.change_contract", request.user, contract),
        "can_submit": rules.has_perm("contracts.submit_contract", request.user, contract),
        "can_withdraw": is_initiator and contract.status in IN_PROGRESS,
        "can_give_up": is_initiator and contract.status == ContractStatus.RETURNED,
        "now": timezone.now(),
        "extra": selectors.extra_values(contract),
    }


@require_POST
def task_decide(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """A decision on the viewer's own task of this contract, right from the card."""
    contract = _visible(request, pk)
    mine, _others = selectors.card_tasks(request.user, contract)
    task = next((t for t in mine if t.pk == task_id), None)
    if task is None:
        messages.error(request, refusal_message(TransitionNotAllowed()))
        return redirect("contracts:contract-detail", pk=contract.pk)
    kind = registry.task_kind_for(task)
    form = _task_form(task, request.POST)
    if form.is_valid():
        try:
            kind.complete(task_id=task.pk, user=request.user, data=form.cleaned_data)
        except (TransitionNotAllowed, PermissionDenied) as error:
            messages.error(request, refusal_message(error))
            return redirect("contracts:contract-detail", pk=contract.pk)
        except ValidationError as error:
            form.add_error(None, error)  # the service refused the input (e.g. the cap)
        else:
            messages.success(
                request,
                kind.success_message(task, form.cleaned_data)
                if kind.success_message
                else _("Задание «%(title)s» выполнено.") % {"title": task.title},
            )
            return redirect("contracts:contract-detail", pk=contract.pk)
    messages.error(request, _(FORM_ERROR))
    context = _card_context(request, contract, bound_form=form, bound_task_id=task.pk)
    return render(request, "contracts/contract_detail.html", context, status=400)


@require_POST
def contract_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _visible(request, pk)
    try:
        contract = services.contract_withdraw(
            contract_id=contract.pk, user=request.user, reason=request.POST.get("reason", "")
        )
    except (TransitionNotAllowed, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Договор отозван: он снова черновик, его можно изменить и отправить.")
            if contract.status == ContractStatus.DRAFT
            else _("Вы отказались от договора: он отклонён."),
        )
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


def approval_sheet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _visible(request, pk)
    content = pdf.approval_sheet(contract, route_view(contract))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="approval-sheet-{contract.number}.pdf"'
    return response
