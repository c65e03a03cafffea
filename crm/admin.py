from django.contrib import admin

from crm.models import (
    CalendarEvent,
    CalendarFeedToken,
    CallAssignment,
    CallList,
    Communication,
    CompanyImport,
    Counterparty,
    CrmSettings,
    Deal,
    DistributionWeek,
    Industry,
)


@admin.register(Counterparty)
class CounterpartyAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "inn", "industry", "responsible", "status", "phone"]
    list_filter = ["category", "status", "industry"]
    search_fields = ["name", "inn"]
    raw_id_fields = ["responsible"]
    # the processing status changes only through the pipeline services
    readonly_fields = ["status", "pipeline_started_at", "last_communication_at"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_pipeline"]
    list_editable = ["starts_pipeline"]


@admin.register(CrmSettings)
class CrmSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "contact_control_days",
        "distribution_quota",
        "distribution_weekday",
        "distribution_time",
    ]
    readonly_fields = ["distribution_cursor"]

    def has_add_permission(self, request) -> bool:
        return not CrmSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        from crm.services.distribution import schedule_reanchor

        super().save_model(request, obj, form, change)
        schedule_reanchor(obj)


@admin.register(Communication)
class CommunicationAdmin(admin.ModelAdmin):
    list_display = ["company", "kind", "occurred_at", "author"]
    list_filter = ["kind"]
    raw_id_fields = ["company"]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["title", "company", "pipeline", "status", "created_at"]
    list_filter = ["pipeline", "status"]
    raw_id_fields = ["company"]


@admin.register(CalendarEvent)
class CalendarEventAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "kind", "starts_at"]
    list_filter = ["kind"]
    raw_id_fields = ["company"]


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    exclude = ["token"]


class CallListInline(admin.TabularInline):
    model = CallList
    extra = 0
    can_delete = False
    readonly_fields = ["manager"]


@admin.register(DistributionWeek)
class DistributionWeekAdmin(admin.ModelAdmin):
    list_display = ["week_start", "quota", "cursor_before", "cursor_after", "created_at"]
    inlines = [CallListInline]


@admin.register(CallAssignment)
class CallAssignmentAdmin(admin.ModelAdmin):
    list_display = ["company", "call_list", "called_at", "result"]
    raw_id_fields = ["company", "call_list"]


@admin.register(CompanyImport)
class CompanyImportAdmin(admin.ModelAdmin):
    list_display = ["original_name", "created_by", "created_at", "state", "created_count"]
    readonly_fields = ["errors"]
