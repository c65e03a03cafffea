"""Dossier pages (counterparty, project, thread), «Выгрузить досье», its progress and download."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from search import dossier
from search.dossier_export import dossier_export_request
from search.dossier_files import safe_name
from search.models import DossierExport, ExportState


class PeriodForm(forms.Form):
    date_from = forms.DateField(
        label=_("С даты"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("По дату"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Дата «по» раньше даты «с»: поменяйте их местами."))
        return data


def _scope_or_404(request: HttpRequest, code: str, pk: int):
    found = dossier.scope(code)
    if found is None or not found.may_view(request.user, pk):
        raise Http404
    return found


@login_required
def dossier_page(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    found = _scope_or_404(request, code, pk)
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows, more = dossier.dossier_rows(
        request.user, code, pk, period.get("date_from"), period.get("date_to")
    )
    exports = DossierExport.objects.filter(
        requested_by=request.user, scope=code, scope_id=pk, expires_at__gt=timezone.now()
    )[:5]
    return render(
        request,
        "search/dossier.html",
        {
            "scope": found,
            "code": code,
            "pk": pk,
            "title": found.title(pk),
            "scope_url": found.url(pk),
            "form": form,
            "rows": rows,
            "more": more,
            "limit": dossier.MAX_ROWS,
            "exports": exports,
            "period_query": urlencode(
                {k: v for k, v in request.GET.items() if k.startswith("date_")}
            ),
        },
    )


@login_required
@require_POST
def dossier_export(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    _scope_or_404(request, code, pk)
    form = PeriodForm(request.POST)
    back = reverse(f"search:dossier-{code}", args=[pk])
    if not form.is_valid():
        messages.error(request, _("Проверьте даты периода: «по» не может быть раньше «с»."))
        return redirect(back)
    try:
        export = dossier_export_request(
            user=request.user,
            code=code,
            pk=pk,
            date_from=form.cleaned_data.get("date_from"),
            date_to=form.cleaned_data.get("date_to"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        query = urlencode({k: v for k, v in request.POST.items() if k.startswith("date_") and v})
        return redirect(f"{back}?{query}" if query else back)
    return redirect("search:export-detail", pk=export.pk)


def _own_export(request: HttpRequest, pk: int) -> DossierExport:
    return get_object_or_404(
        DossierExport, pk=pk, requested_by=request.user, expires_at__gt=timezone.now()
    )


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    template = "search/_export_progress.html" if request.htmx else "search/export_detail.html"
    return render(request, template, {"export": export, "ready": export.state == ExportState.DONE})


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    if export.state != ExportState.DONE or not export.file:
        raise Http404
    name = f"{safe_name(export.title, 100)}.zip"
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=name)
