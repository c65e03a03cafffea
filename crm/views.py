"""CRM pages. Thin: check the permission, validate a form, call a service, render."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from crm import selectors
from crm.forms import (
    CallResultForm,
    CommunicationForm,
    CompanyFilterForm,
    ImportMappingForm,
    ImportUploadForm,
)
from crm.ical import feed_for
from crm.models import (
    CalendarFeedToken,
    CallList,
    CompanyImport,
    Counterparty,
    DistributionWeek,
    ImportState,
    ProcessingStatus,
)
from crm.services import calendar as calendar_services
from crm.services import contact, distribution, importing, pipeline
from workflow.selectors import history_of, tasks_of

PAGE_SIZE = 50


def _require(user, perm: str, obj=None) -> None:
    if not rules.has_perm(perm, user, obj):
        raise Http404  # never reveal what a user may not see


# --- companies -----------------------------------------------------------------------------------


def company_list(request: HttpRequest) -> HttpResponse:
    _require(request.user, "crm.view_company")
    form = CompanyFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.companies(
        q=filters.get("q", ""),
        status=filters.get("status", ""),
        industry=filters.get("industry"),
        responsible=filters.get("responsible"),
        category=filters.get("category", ""),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "crm/company_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_import": rules.has_perm("crm.import_companies", request.user),
        },
    )


def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "crm.view_company")
    try:
        company = selectors.company_card(pk)
    except Counterparty.DoesNotExist:
        raise Http404 from None
    can_work = rules.has_perm("crm.work_company", request.user, company)
    return render(
        request,
        "crm/company_detail.html",
        {
            "company": company,
            "can_work": can_work,
            "can_take": can_work and company.status == ProcessingStatus.IMPORTED,
            "communication_form": CommunicationForm(),
            "communications": company.communications.select_related("author")[:50],
            "deals": company.deals.all(),
            "events": company.events.select_related("owner").order_by("-starts_at")[:20],
            "tasks": tasks_of(company),
            "timeline": history_of(company),
        },
    )


@require_POST
def company_take(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "crm.view_company")
    get_object_or_404(Counterparty, pk=pk)
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
    _require(request.user, "crm.view_company")
    company = get_object_or_404(
        Counterparty.objects.select_related("industry", "responsible"), pk=pk
    )
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
    return render(
        request,
        "crm/company_detail.html",
        {
            "company": company,
            "can_work": rules.has_perm("crm.work_company", request.user, company),
            "communication_form": form,
            "communications": company.communications.select_related("author")[:50],
            "deals": company.deals.all(),
            "events": company.events.select_related("owner").order_by("-starts_at")[:20],
            "tasks": tasks_of(company),
            "timeline": history_of(company),
        },
        status=400,
    )


# --- import --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    _require(request.user, "crm.import_companies")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            company_import = importing.import_upload(
                user=request.user, uploaded_file=form.cleaned_data["file"]
            )
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("crm:import-mapping", pk=company_import.pk)
    return render(request, "crm/import_upload.html", {"form": form})


def _own_import(request: HttpRequest, pk: int) -> CompanyImport:
    _require(request.user, "crm.import_companies")
    company_import = get_object_or_404(CompanyImport, pk=pk)
    if company_import.created_by_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return company_import


@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    company_import = _own_import(request, pk)
    if company_import.state != ImportState.UPLOADED:
        return redirect("crm:import-detail", pk=pk)
    try:
        rows = importing.read_rows(company_import, limit=importing.PREVIEW_ROWS + 1)
    except importing.ImportFileError as exc:
        messages.error(request, str(exc))
        return redirect("crm:import-upload")
    header = [c or _("Колонка %(n)s") % {"n": i + 1} for i, c in enumerate(rows[0])]
    form = ImportMappingForm(request.POST or None, columns=header)
    if request.method == "POST" and form.is_valid():
        try:
            importing.import_start(
                import_id=pk,
                user=request.user,
                mapping=form.mapping(),
                initial_status=form.cleaned_data["initial_status"],
                category=form.cleaned_data["category"],
                industry=form.cleaned_data["industry"],
                responsible=form.cleaned_data["responsible"],
            )
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("crm:import-detail", pk=pk)
    if request.method == "POST":
        messages.error(request, _("Проверьте поля формы: исправьте отмеченные ошибки."))
    return render(
        request,
        "crm/import_mapping.html",
        {
            "company_import": company_import,
            "form": form,
            "header": header,
            "preview": rows[1 : 1 + importing.PREVIEW_ROWS],
        },
    )


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company_import = _own_import(request, pk)
    template = "crm/_import_progress.html" if request.htmx else "crm/import_detail.html"
    return render(request, template, {"company_import": company_import})


# --- pipeline requests are answered on the generic task page; calendar -------------------------


def _parse_day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def calendar_view(request: HttpRequest) -> HttpResponse:
    _require(request.user, "crm.use_calendar")
    mode = "month" if request.GET.get("view") == "month" else "week"
    day = _parse_day(request.GET.get("date"))
    if mode == "week":
        start = day - dt.timedelta(days=day.weekday())
        days = [start + dt.timedelta(days=i) for i in range(7)]
        previous, following = start - dt.timedelta(days=7), start + dt.timedelta(days=7)
    else:
        first = day.replace(day=1)
        start = first - dt.timedelta(days=first.weekday())
        last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
        end = last + dt.timedelta(days=6 - last.weekday())
        days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = last + dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    range_start = dt.datetime.combine(days[0], dt.time.min, tzinfo=tz)
    range_end = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    by_day: dict[dt.date, list] = {d: [] for d in days}
    for event in selectors.events_between(request.user, range_start, range_end):
        local_day = timezone.localtime(event.starts_at).date()
        if local_day in by_day:
            by_day[local_day].append(event)
    token = calendar_services.feed_token_for(request.user)
    return render(
        request,
        "crm/calendar.html",
        {
            "mode": mode,
            "day": day,
            "days": [(d, by_day[d]) for d in days],
            "weeks": [[(d, by_day[d]) for d in days[i : i + 7]] for i in range(0, len(days), 7)],
            "previous": previous,
            "following": following,
            "today": timezone.localdate(),
            "feed_url": request.build_absolute_uri(f"/crm/calendar/feed/{token.token}.ics"),
        },
    )


@require_POST
def calendar_feed_regenerate(request: HttpRequest) -> HttpResponse:
    _require(request.user, "crm.use_calendar")
    calendar_services.feed_token_regenerate(user=request.user)
    messages.success(request, _("Создана новая ссылка; старая больше не работает."))
    return redirect("crm:calendar")


@login_not_required
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal iCalendar feed: the secret token in the URL is the only credential, so
    calendar apps can subscribe without a session."""
    feed_token = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if feed_token is None or not feed_token.user.is_active:
        raise Http404
    response = HttpResponse(feed_for(feed_token.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="argo-calendar.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- weekly distribution -------------------------------------------------------------------------


def call_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call_list = get_object_or_404(CallList.objects.select_related("week", "manager"), pk=pk)
    _require(request.user, "crm.view_call_list", call_list)
    items = selectors.call_list_items(call_list)
    return render(
        request,
        "crm/call_list.html",
        {
            "call_list": call_list,
            "items": items,
            "is_owner": call_list.manager_id == request.user.pk,
            "form": CallResultForm(),
            "called": sum(1 for i in items if i.called_at),
        },
    )


@require_POST
def call_done(request: HttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    call_list = get_object_or_404(CallList, pk=pk)
    _require(request.user, "crm.view_call_list", call_list)
    form = CallResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Укажите результат звонка."))
        return redirect("crm:call-list", pk=pk)
    try:
        distribution.call_mark_done(
            assignment_id=assignment_id, user=request.user, result=form.cleaned_data["result"]
        )
    except PermissionDenied:
        messages.error(request, _("Этот звонок назначен другому менеджеру."))
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Звонок отмечен."))
    return redirect("crm:call-list", pk=pk)


def distribution_view(request: HttpRequest) -> HttpResponse:
    """Heads: the weekly report. Managers: their latest call list."""
    if not rules.has_perm("crm.view_distribution", request.user):
        _require(request.user, "crm.make_calls")
        own = CallList.objects.filter(manager=request.user).order_by("-week__week_start").first()
        if own is not None:
            return redirect("crm:call-list", pk=own.pk)
        messages.info(request, _("На эту неделю вам ещё не распределили компании для прозвона."))
        return redirect("crm:company-list")
    weeks = list(DistributionWeek.objects.order_by("-week_start")[:12])
    week = None
    selected = request.GET.get("week")
    if selected:
        week = next((w for w in weeks if str(w.pk) == selected), None)
    if week is None and weeks:
        week = weeks[0]
    report = list(selectors.distribution_report(week)) if week else []
    for row in report:
        row.left = row.assigned - row.called
    return render(
        request,
        "crm/distribution.html",
        {"weeks": weeks, "week": week, "report": report},
    )
