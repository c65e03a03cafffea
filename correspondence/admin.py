from django import forms
from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from correspondence import admin_preview
from correspondence.models import (
    ExtraApprover,
    IncomingLetter,
    JournalCounter,
    LetterFile,
    OutgoingApprovalSettings,
    OutgoingLetter,
    Project,
    RegistrationJournal,
    RouteRule,
    RouteStep,
    StepRole,
    Thread,
)
from workflow.pickers import PersonPickerAdminMixin


class JournalCounterInline(admin.TabularInline):
    model = JournalCounter
    extra = 0
    readonly_fields = ["year", "last_number"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RegistrationJournal)
class RegistrationJournalAdmin(admin.ModelAdmin):
    list_display = ["name", "direction", "legal_entity", "number_format", "is_active"]
    list_filter = ["direction", "legal_entity", "is_active"]
    inlines = [JournalCounterInline]


class RouteStepFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE", False)
        ]
        responsible = sum(1 for step in kept if step.get("role") == StepRole.RESPONSIBLE)
        if responsible != 1:
            raise forms.ValidationError(
                _(
                    "В маршруте должен быть ровно один шаг «Ответственный исполнитель»: "
                    "письмо исполняет он (сейчас таких шагов: %(count)s)."
                )
                % {"count": responsible}
            )


class RouteStepInline(admin.TabularInline):
    model = RouteStep
    formset = RouteStepFormSet
    extra = 1
    ordering = ["order"]


def _preview_urls(model_admin, view):
    opts = model_admin.model._meta
    name = f"{opts.app_label}_{opts.model_name}_preview"
    return [path("preview/", model_admin.admin_site.admin_view(view), name=name)]


@admin.register(RouteRule)
class RouteRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "review", "control_working_days", "is_active"]
    inlines = [RouteStepInline]

    @admin.display(description=gettext_lazy("рассмотрение"), ordering="review_with_execution")
    def review(self, obj: RouteRule) -> str:
        # the choice's first words: the full label runs the list wider than the page
        return obj.get_review_with_execution_display().split(":")[0]

    def get_urls(self):
        return _preview_urls(self, self.preview_view) + super().get_urls()

    def preview_view(self, request):
        return admin_preview.preview_view(
            self,
            request,
            title=_("Предпросмотр маршрута входящего письма"),
            form_class=admin_preview.IncomingPreviewForm,
            build=admin_preview.incoming_stages,
        )


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "created_at"]
    search_fields = ["name"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["subject", "counterparty", "project", "created_at"]
    search_fields = ["subject", "counterparty__name"]
    raw_id_fields = ["counterparty"]


class IncomingFileInline(admin.TabularInline):
    model = LetterFile
    fk_name = "incoming"
    extra = 0
    raw_id_fields = ["stored_file", "added_by"]
    fields = ["stored_file", "added_by", "added_at"]


class OutgoingFileInline(IncomingFileInline):
    fk_name = "outgoing"


@admin.register(IncomingLetter)
class IncomingLetterAdmin(admin.ModelAdmin):
    list_display = ["reg_number", "subject", "counterparty", "legal_entity", "status"]
    list_filter = ["status", "legal_entity", "counterparty__category"]
    search_fields = ["reg_number", "subject", "counterparty__name", "sender_number"]
    date_hierarchy = "registered_at"
    raw_id_fields = ["counterparty", "thread", "answers_outgoing"]
    # numbers, status and route belong to the services: visible, not editable here
    readonly_fields = [
        "journal",
        "reg_number",
        "reg_year",
        "reg_sequence",
        "status",
        "route_rule",
        "registered_by",
        "registered_at",
        "completed_at",
    ]
    inlines = [IncomingFileInline]


@admin.register(OutgoingApprovalSettings)
class OutgoingApprovalSettingsAdmin(admin.ModelAdmin):
    list_display = ["legal_entity", "mode", "depth", "top_role", "approval_working_days"]

    def get_urls(self):
        return _preview_urls(self, self.preview_view) + super().get_urls()

    def preview_view(self, request):
        return admin_preview.preview_view(
            self,
            request,
            title=_("Предпросмотр согласования исходящего письма"),
            form_class=admin_preview.OutgoingPreviewForm,
            build=admin_preview.outgoing_stages,
        )


@admin.register(ExtraApprover)
class ExtraApproverAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "legal_entity", "category", "approver", "role", "is_active"]
    list_filter = ["is_active", "category"]
    autocomplete_fields = ["approver"]


@admin.register(OutgoingLetter)
class OutgoingLetterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "counterparty", "legal_entity", "status", "created_at"]
    list_filter = ["status", "legal_entity"]
    search_fields = ["reg_number", "subject", "counterparty__name"]
    raw_id_fields = ["counterparty", "thread", "in_reply_to"]
    readonly_fields = ["journal", "reg_number", "reg_year", "reg_sequence", "status"]
    inlines = [OutgoingFileInline]
