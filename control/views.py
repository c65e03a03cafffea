"""The control dashboard and the lists behind its numbers. Thin: scope, read, render or export."""

from __future__ import annotations

import rules
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from argo_docs.spreadsheets import xlsx_response
from control import charts, dashboard, digest, doctypes, journals, rollup, snapshots
from control.exports import EXPORTS, TASK_HEADER, task_rows
from control.forms import PeriodForm
from control.journal_pdf import journal_pdf
from control.scope import scope_or_404
from control.views_follow_up import follow_up_page
from correspondence.models import RegistrationJournal
from workflow.models import Department, Task

STUCK_ON_DASHBOARD = 20
LIST_PAGE_SIZE = 50


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        raise Http404 from None


def dashboard_view(request: HttpRequest) -> HttpResponse:
    scope = scope_or_404(request.user)
    form = PeriodForm(request.GET or None)
    if (
        request.GET
        and not form.is_valid()
        and ("date_from" in request.GET or "date_to" in request.GET)
    ):
        for error in form.non_field_errors():
            messages.error(request, error)
        if form.errors and not form.non_field_errors():
            messages.error(request, _("Даты периода: укажите их в формате ДД.ММ.ГГГГ."))
    asked = {}
    if form.is_valid() and ("date_from" in request.GET or "date_to" in request.GET):
        date_from, date_to = form.period()
        asked = {"date_from": date_from, "date_to": date_to}
    now = timezone.now()
    figures = snapshots.figures_for(scope, now=now, **asked)
    by_type, by_department = figures.by_type, figures.by_department
    stages, on_time, weeks = figures.stages, figures.on_time, figures.weeks
    date_from, date_to = figures.date_from, figures.date_to
    stuck_all = dashboard.filtered_tasks(scope, state="stuck", now=now)

    export = request.GET.get("export")
    if export:
        if export not in EXPORTS:
            raise Http404
        data = {
            "types": by_type,
            "people": by_department,
            "stuck": stuck_all,
            "stages": stages,
            "ontime": on_time,
            "weeks": weeks,
        }
        header, rows, title = EXPORTS[export](data[export])
        return xlsx_response(
            filename=f"control-{export}-{timezone.localdate():%Y-%m-%d}.xlsx",
            title=title,
            header=header,
            rows=rows,
        )

    context = {
        "form": form,
        "may_see_journals": journals.may_see_journals(request.user),
        "date_from": date_from,
        "date_to": date_to,
        "by_type": by_type,
        "by_department": by_department,
        "stuck": list(stuck_all[:STUCK_ON_DASHBOARD]),
        "stuck_total": stuck_all.count(),
        "stages": stages,
        "on_time": on_time,
        "weeks": weeks,
        "taken_at": figures.taken_at,
        "rollup_at": None if figures.taken_at else rollup.refreshed_at(),
        "chart_types": charts.bars(
            _("Открыто и просрочено по видам документов"),
            [
                (r.label, r.counts.open, r.counts.overdue, f"{r.counts.overdue}/{r.counts.open}")
                for r in by_type
            ],
        ),
        "chart_stages": charts.bars(
            _("Медиана и p90 по этапам, рабочих дней"),
            [
                (f"{s.label}: {s.stage}", s.p90, s.median, f"{s.median:.1f} / {s.p90:.1f}")
                for s in stages[:12]
            ],
        ),
        "chart_weeks": charts.weekly(
            _("В срок и с опозданием по неделям"),
            [(w.week.strftime("%d.%m"), w.on_time, w.late) for w in weeks],
        ),
        "period_query": f"date_from={date_from:%Y-%m-%d}&date_to={date_to:%Y-%m-%d}",
    }
    return render(request, "control/dashboard.html", context)


def document_list(request: HttpRequest) -> HttpResponse:
    """The documents behind one number: by state, type, department and person."""
    scope = scope_or_404(request.user)
    state = request.GET.get("state", "open")
    if state not in dashboard.STATES:
        raise Http404
    content_type_id = _int(request.GET.get("type"))
    department_id = _int(request.GET.get("department"))
    person_id = _int(request.GET.get("person"))
    tasks = dashboard.filtered_tasks(
        scope,
        state=state,
        content_type_id=content_type_id,
        department_id=department_id,
        person_id=person_id,
    )
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            filename=f"control-list-{timezone.localdate():%Y-%m-%d}.xlsx",
            title=_("Документы"),
            header=TASK_HEADER,
            rows=task_rows(tasks[:20000]),
        )
    page = Paginator(tasks, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {
        "state": dict(_state_labels())[state],
        "type": doctypes.label_for_content_type(content_type_id)
        if content_type_id is not None
        else "",
        "department": Department.objects.filter(pk=department_id).first()
        if department_id
        else None,
        "person": page.object_list[0].assignee if person_id and page.object_list else None,
    }
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "control/document_list.html",
        {"page": page, "filters": filters, "query": query.urlencode(), "state": state},
    )


def _state_labels():
    return [
        ("open", _("Открыто")),
        ("overdue", _("Просрочено")),
        ("week", _("Срок на этой неделе")),
        ("stuck", _("Без движения")),
    ]


def journal_reports(request: HttpRequest) -> HttpResponse:
    """The registration journals: the journal of a period as PDF, and the numbering gaps."""
    if not journals.may_see_journals(request.user):
        raise Http404
    form = PeriodForm(request.GET or None)
    if request.GET and form.errors:
        for error in form.non_field_errors() or [
            _("Даты периода: укажите их в формате ДД.ММ.ГГГГ.")
        ]:
            messages.error(request, error)
    date_from, date_to = form.period()
    journal_id = _int(request.GET.get("journal"))
    if journal_id is not None:
        journal = RegistrationJournal.objects.filter(pk=journal_id).first()
        if journal is None:
            raise Http404
        rows = journals.journal_rows(journal, date_from=date_from, date_to=date_to)
        response = HttpResponse(
            journal_pdf(journal, rows, date_from=date_from, date_to=date_to),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = (
            f'inline; filename="journal-{journal.pk}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.pdf"'
        )
        return response
    gaps = journals.numbering_gaps()
    if request.GET.get("export") == "gaps":
        return xlsx_response(
            filename=f"numbering-gaps-{timezone.localdate():%Y-%m-%d}.xlsx",
            title=_("Пропуски в нумерации"),
            header=[
                _("Журнал"),
                _("Год"),
                _("С номера"),
                _("По номер"),
                _("Пропущено"),
                _("Причина"),
            ],
            rows=[[str(g.journal), g.year, g.first, g.last, g.size, g.reason] for g in gaps],
        )
    return render(
        request,
        "control/journal_reports.html",
        {
            "journals": RegistrationJournal.objects.all(),
            "gaps": gaps,
            "date_from": date_from,
            "date_to": date_to,
        },
    )


@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, task_pk: int) -> HttpResponse:
    """«Напомнить мне…» about the document of a task the user may see (from the inbox)."""
    task = get_object_or_404(Task.objects.select_related("content_type"), pk=task_pk)
    if not rules.has_perm("workflow.view_task", request.user, task):
        raise Http404
    subject = task.subject if task.object_id else task
    url = subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else ""
    return follow_up_page(
        request,
        subject=subject,
        url=url or reverse("workflow:task-detail", args=[task.pk]),
        back_url=reverse("workflow:inbox"),
    )


@require_http_methods(["GET", "POST"])
def digest_settings(request: HttpRequest) -> HttpResponse:
    """The user's own switch of the weekly digest."""
    if request.method == "POST":
        enabled = request.POST.get("weekly_digest") == "on"
        digest.digest_preference_set(user=request.user, enabled=enabled)
        messages.success(
            request,
            _("Еженедельная сводка включена.") if enabled else _("Еженедельная сводка отключена."),
        )
        return redirect("control:digest-settings")
    return render(
        request,
        "control/digest_settings.html",
        {
            "enabled": digest.digest_enabled_for(request.user),
            "globally_enabled": settings.ARGO_WEEKLY_DIGEST,
        },
    )
