"""The company list and card: filters, search, sort; editing, contact persons, communications."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from argo_docs import paging
from argo_docs.paging import capped_page
from crm import registry, selectors
from crm.forms import CommunicationForm, CompanyEditForm, CompanyFilterForm, ContactPersonForm
from crm.list_html import company_rows
from crm.models import ContactPerson, Counterparty, ProcessingStatus
from crm.services import (
    StaleEdit,
    contact,
    contact_person_delete,
    contact_person_save,
    counterparty_update,
    pipeline,
)
from crm.views.common import form_error, require
from workflow.selectors import history_of, tasks_of

PAGE_SIZE = 50
CARD_COMMUNICATIONS = 10
COLUMNS = [
    ("name", gettext_lazy("Наименование"), ""),
    ("inn", gettext_lazy("ИНН"), "d-none d-md-table-cell"),
    ("status", gettext_lazy("Статус"), ""),
    ("industry", gettext_lazy("Сфера"), "d-none d-md-table-cell"),
    ("manager", gettext_lazy("Менеджер"), "d-none d-md-table-cell"),
    ("contact", gettext_lazy("Последний контакт"), "d-none d-lg-table-cell"),
]


def company_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "crm.view_company")
    form = CompanyFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sort = filters.get("sort") or selectors.DEFAULT_SORT
    qs = selectors.companies(
        q=filters.get("q", ""),
        status=filters.get("status", ""),
        industry=filters.get("industry"),
        responsible=filters.get("responsible"),
        category=filters.get("category", ""),
        sort=sort,
    )
    # never an exact COUNT of a huge table, never an OFFSET past the cap; a search counts less
    # far, like the registers' (each match counted is a row read and its keys matched again)
    searching = bool(filters.get("q", "").strip())
    cap = paging.SEARCH_COUNT_CAP if searching else selectors.COUNT_CAP
    page = capped_page(qs, PAGE_SIZE, request.GET.get("page"), cap=cap)
    total = page.paginator.counted
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    base = query.urlencode()
    columns = []
    for key, label, classes in COLUMNS:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        target = f"-{key}" if current and not descending else key
        columns.append(
            {
                "label": label,
                "classes": classes,
                "url": f"?{base}&sort={target}" if base else f"?sort={target}",
                "direction": ("desc" if descending else "asc") if current else "",
            }
        )
    return render(
        request,
        "crm/company_list.html",
        {
            "form": form,
            "page": page,
            "total": total,
            "capped": total > cap,
            "cap": cap,
            "query": f"{base}&sort={sort}" if base else f"sort={sort}",
            "columns": columns,
            "searching": searching,
            "rows": company_rows(page.object_list, searching=searching),
            "can_import": rules.has_perm("crm.import_companies", request.user),
        },
    )


def _card_context(request: HttpRequest, company: Counterparty, **extra) -> dict:
    user = request.user
    can_work = rules.has_perm("crm.work_company", user, company)
    tasks = [t for t in tasks_of(company) if rules.has_perm("workflow.view_task", user, t)]
    communications = list(
        company.communications.select_related("author")[: CARD_COMMUNICATIONS + 1]
    )
    return {
        "company": company,
        "can_work": can_work,
        "can_edit": rules.has_perm("crm.edit_company", user, company),
        "can_take": can_work and company.is_client and company.status == ProcessingStatus.IMPORTED,
        "communication_form": CommunicationForm(),
        "communications": communications[:CARD_COMMUNICATIONS],
        "more_communications": len(communications) > CARD_COMMUNICATIONS,
        "deals": company.deals.select_related("responsible"),
        "events": company.events.select_related("owner").order_by("-starts_at")[:20],
        "tasks": tasks,
        "timeline": history_of(company),
        "correspondence": registry.correspondence_of(user, company.pk),
        **extra,
    }


def _company(pk: int) -> Counterparty:
    try:
        return selectors.company_card(pk)
    except Counterparty.DoesNotExist:
        raise Http404 from None


def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "crm.view_company")
    company = _company(pk)
    return render(request, "crm/company_detail.html", _card_context(request, company))


@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "crm.view_company")
    company = _company(pk)
    require(request.user, "crm.edit_company", company)
    can_assign = rules.has_perm("crm.assign_company", request.user, company)
    form = CompanyEditForm(request.POST or None, instance=company, can_assign=can_assign)
    if request.method == "POST" and form.is_valid():
        try:
            counterparty_update(
                company_id=pk,
                user=request.user,
                version=form.cleaned_data["version"],
                values=form.values(),
                new_industry=form.cleaned_data.get("new_industry", ""),
            )
        except StaleEdit as exc:
            last = history_of(exc.company).order_by("-created_at", "-id").first()
            who = last.actor.get_full_name() if last and last.actor else ""
            messages.warning(
                request,
                _(
                    "Пока вы редактировали, карточку изменил(а) %(who)s. Ваши правки не "
                    "сохранены: сверьте их с карточкой и сохраните ещё раз."
                )
                % {"who": who or _("другой сотрудник")},
            )
            data = request.POST.copy()
            data["version"] = exc.company.version
            form = CompanyEditForm(data, instance=company, can_assign=can_assign)
            form.is_valid()
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Карточка сохранена."))
            return redirect("crm:company-detail", pk=pk)
    if request.method == "POST" and form.errors:
        messages.error(request, _("Проверьте поля формы: исправьте отмеченные ошибки."))
    return render(
        request,
        "crm/company_edit.html",
        {"company": company, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int, contact_id: int | None = None) -> HttpResponse:
    require(request.user, "crm.view_company")
    company = _company(pk)
    require(request.user, "crm.edit_company", company)
    contact_person = None
    if contact_id is not None:
        contact_person = get_object_or_404(ContactPerson, pk=contact_id, company=company)
    form = ContactPersonForm(request.POST or None, instance=contact_person)
    if request.method == "POST" and form.is_valid():
        try:
            contact_person_save(
                company_id=pk,
                contact_id=contact_id,
                user=request.user,
                **{k: form.cleaned_data[k] for k in ContactPersonForm.Meta.fields},
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Контактное лицо сохранено."))
            return redirect("crm:company-detail", pk=pk)
    return render(
        request,
        "crm/contact_form.html",
        {"company": company, "form": form, "contact": contact_person},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def contact_delete(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    require(request.user, "crm.view_company")
    company = _company(pk)
    require(request.user, "crm.edit_company", company)
    get_object_or_404(ContactPerson, pk=contact_id, company=company)
    contact_person_delete(company_id=pk, contact_id=contact_id, user=request.user)
    messages.success(request, _("Контактное лицо удалено."))
    return redirect("crm:company-detail", pk=pk)


def communication_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The company's whole communications log, newest first."""
    require(request.user, "crm.view_company")
    company = _company(pk)
    page = Paginator(
        company.communications.select_related("author").order_by("-occurred_at", "-id"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "crm/communication_list.html", {"company": company, "page": page})


@require_POST
def company_take(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "crm.view_company")
    company = get_object_or_404(Counterparty, pk=pk)
    if not company.is_client:
        messages.error(request, _("Клиентский процесс ведётся только для клиентов."))
        return redirect("crm:company-detail", pk=pk)
    try:
        company = pipeline.company_take_into_work(company_id=pk, user=request.user)
    except PermissionDenied:
        messages.error(request, _("Вы не можете работать с этой компанией."))
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc) or _("Статус уже изменён."))
    else:
        if company.pipeline_active:
            messages.success(
                request,
                _("Компания в обработке; задание «%(q)s» — в ваших заданиях.")
                % {"q": _("Назначена ли встреча?")},
            )
        else:
            messages.success(request, _("Компания в обработке."))
    return redirect("crm:company-detail", pk=pk)


@require_POST
def company_communication(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "crm.view_company")
    company = _company(pk)
    form = CommunicationForm(request.POST)
    if form.is_valid():
        try:
            contact.communication_log(
                company_id=pk,
                user=request.user,
                kind=form.cleaned_data["kind"],
                summary=form.cleaned_data["summary"],
                occurred_at=form.cleaned_data["occurred_at"],
            )
        except PermissionDenied:
            messages.error(request, _("Вы не можете работать с этой компанией."))
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Коммуникация записана."))
            return redirect("crm:company-detail", pk=pk)
    else:
        messages.error(request, _("Проверьте поля формы: исправьте отмеченные ошибки."))
    context = _card_context(request, company, communication_form=form)
    return render(request, "crm/company_detail.html", context, status=400)
