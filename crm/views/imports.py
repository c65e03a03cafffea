"""The import wizard: upload → mapping (with the detected format) → check → confirmed run."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.forms_import import ImportMappingForm, ImportSheetForm, ImportUploadForm
from crm.models import CompanyImport, ImportState
from crm.services import importing
from crm.services.import_files import delimiter_label
from crm.views.common import require


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    require(request.user, "crm.import_companies")
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
    return render(
        request,
        "crm/import_upload.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _own_import(request: HttpRequest, pk: int) -> CompanyImport:
    require(request.user, "crm.import_companies")
    company_import = get_object_or_404(CompanyImport, pk=pk)
    if company_import.created_by_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return company_import


def _detected(company_import: CompanyImport) -> list[tuple[str, str]]:
    if company_import.file_format == "xlsx":
        return [
            (_("Формат"), _("книга Excel (.xlsx)")),
            (_("Лист"), company_import.sheet),
        ]
    return [
        (_("Формат"), _("CSV")),
        (_("Кодировка"), company_import.encoding),
        (_("Разделитель"), delimiter_label(company_import.delimiter)),
    ]


@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    company_import = _own_import(request, pk)
    if company_import.state != ImportState.UPLOADED:
        return redirect("crm:import-detail", pk=pk)
    try:
        header, rows = importing.read_rows(company_import, limit=importing.PREVIEW_ROWS)
    except importing.ImportFileError as exc:
        messages.error(request, str(exc))
        return redirect("crm:import-upload")
    form = ImportMappingForm(request.POST or None, columns=header, mapping=company_import.mapping)
    if request.method == "POST" and form.is_valid():
        try:
            importing.import_configure(
                import_id=pk,
                user=request.user,
                mapping=form.mapping(),
                mode=form.cleaned_data["mode"],
                create_industries=form.cleaned_data["create_industries"],
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
    sheet_form = None
    if len(company_import.sheets) > 1:
        sheet_form = ImportSheetForm(
            initial={"sheet": company_import.sheet}, sheets=company_import.sheets
        )
    return render(
        request,
        "crm/import_mapping.html",
        {
            "company_import": company_import,
            "form": form,
            "sheet_form": sheet_form,
            "detected": _detected(company_import),
            "header": header,
            "preview": [[*row, *[""] * (len(header) - len(row))][: len(header)] for row in rows],
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def import_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    company_import = _own_import(request, pk)
    form = ImportSheetForm(request.POST, sheets=company_import.sheets)
    if form.is_valid():
        try:
            importing.import_sheet_choose(
                import_id=pk, user=request.user, sheet=form.cleaned_data["sheet"]
            )
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("crm:import-mapping", pk=pk)


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company_import = _own_import(request, pk)
    template = "crm/_import_progress.html" if request.htmx else "crm/import_detail.html"
    return render(
        request,
        template,
        {"company_import": company_import, "detected": _detected(company_import)},
    )


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _own_import(request, pk)
    try:
        importing.import_confirm(import_id=pk, user=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("crm:import-detail", pk=pk)


@require_POST
def import_back(request: HttpRequest, pk: int) -> HttpResponse:
    _own_import(request, pk)
    try:
        importing.import_reconfigure(import_id=pk, user=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("crm:import-detail", pk=pk)
    return redirect("crm:import-mapping", pk=pk)


def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows that were not imported, with the reason, as .xlsx (just the titles when there
    are none)."""
    company_import = _own_import(request, pk)
    response = HttpResponse(
        importing.errors_workbook(company_import),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stem = company_import.original_name.rsplit(".", 1)[0]
    filename = f"{stem}-errors.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"import-{pk}-errors.xlsx\"; filename*=UTF-8''" + quote(filename)
    )
    return response
