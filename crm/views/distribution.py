"""The weekly distribution page (head of sales): the next run's preview, «Распределить сейчас»,
past weeks with each manager's progress, the settings; and the managers' call lists."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from crm import selectors
from crm.forms import CallResultForm
from crm.forms_distribution import DistributionRunForm, DistributionSettingsForm
from crm.models import CallList, Counterparty, CrmSettings, DistributionWeek
from crm.services import distribution
from crm.views.common import form_error, require

PAST_WEEKS = 8


def _plan_context(plan: distribution.DistributionPlan) -> dict:
    names = dict(Counterparty.objects.filter(pk__in=plan.company_ids).values_list("pk", "name"))
    return {
        "plan": plan,
        "shares": [
            {"manager": s.manager, "companies": [names.get(pk, "") for pk in s.company_ids]}
            for s in plan.shares
        ],
        "planned_total": len(plan.company_ids),
    }


def _manager_redirect(request: HttpRequest) -> HttpResponse:
    require(request.user, "crm.make_calls")
    own = CallList.objects.filter(manager=request.user).order_by("-week__week_start").first()
    if own is not None:
        return redirect("crm:call-list", pk=own.pk)
    messages.info(request, _("На эту неделю вам ещё не распределили компании для прозвона."))
    return redirect("crm:company-list")


def distribution_view(request: HttpRequest, settings_form=None) -> HttpResponse:
    """Heads: the page. Managers: their latest call list."""
    if not rules.has_perm("crm.view_distribution", request.user):
        return _manager_redirect(request)
    settings = CrmSettings.load()
    current_start = distribution.week_start_of(timezone.localdate())
    current = (
        DistributionWeek.objects.select_related("run_by").filter(week_start=current_start).first()
    )
    next_at = timezone.localtime(distribution.next_run_at(settings))
    next_start = distribution.week_start_of(next_at.date())
    plan = distribution.distribution_plan(next_start, settings)
    weeks = selectors.distribution_progress(limit=PAST_WEEKS)
    return render(
        request,
        "crm/distribution.html",
        {
            **_plan_context(plan),
            "settings": settings,
            "next_at": next_at,
            "current": current,
            "current_start": current_start,
            "weeks": weeks,
            "settings_form": settings_form or DistributionSettingsForm.for_settings(settings),
        },
        status=400 if settings_form is not None else 200,
    )


@require_http_methods(["GET", "POST"])
def distribution_run(request: HttpRequest) -> HttpResponse:
    """«Распределить сейчас»: the current week's preview and a confirmation; running it again
    (a second click, a second tab) leaves the one week already made."""
    require(request.user, "crm.view_distribution")
    week_start = distribution.week_start_of(timezone.localdate())
    existing = DistributionWeek.objects.filter(week_start=week_start).first()
    if existing is not None:
        messages.info(
            request,
            _("Неделя с %(date)s уже распределена: повторно распределять не нужно.")
            % {"date": f"{week_start:%d.%m.%Y}"},
        )
        return redirect("crm:distribution")
    form = DistributionRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            week = distribution.distribution_run(user=request.user)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            lists = week.lists.count() if week else 0
            messages.success(
                request,
                _("Неделя с %(date)s распределена: списков прозвона %(n)s.")
                % {"date": f"{week_start:%d.%m.%Y}", "n": lists},
            )
        return redirect("crm:distribution")
    plan = distribution.distribution_plan(week_start)
    return render(
        request,
        "crm/distribution_run.html",
        {**_plan_context(plan), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def distribution_settings(request: HttpRequest) -> HttpResponse:
    require(request.user, "crm.view_distribution")
    form = DistributionSettingsForm(request.POST)
    if form.is_valid():
        try:
            distribution.distribution_settings_update(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Настройки прозвона сохранены."))
            return redirect("crm:distribution")
    messages.error(request, _("Проверьте поля формы: исправьте отмеченные ошибки."))
    return distribution_view(request, settings_form=form)


def call_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call_list = get_object_or_404(CallList.objects.select_related("week", "manager"), pk=pk)
    require(request.user, "crm.view_call_list", call_list)
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
    require(request.user, "crm.view_call_list", call_list)
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
