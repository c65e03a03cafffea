from django.contrib import admin

from correspondence.models import (
    ExtraApprover,
    IncomingLetter,
    JournalCounter,
    LetterFile,
    OutgoingApproval,
    OutgoingApprovalSettings,
    OutgoingLetter,
    Project,
    RegistrationJournal,
    RouteRule,
    RouteStep,
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


class RouteStepInline(admin.TabularInline):
    model = RouteStep
    extra = 1
    ordering = ["order"]


@admin.register(RouteRule)
class RouteRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "reminder_working_days", "is_active"]
    inlines = [RouteStepInline]


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
        "route_plan",
        "route_stage",
        "registered_by",
        "registered_at",
        "completed_at",
    ]
    inlines = [IncomingFileInline]


class OutgoingApprovalInline(admin.TabularInline):
    model = OutgoingApproval
    extra = 0
    can_delete = False
    fields = [
        "round",
        "order",
        "approver",
        "acted_by",
        "decision",
        "comment",
        "due_at",
        "decided_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutgoingApprovalSettings)
class OutgoingApprovalSettingsAdmin(admin.ModelAdmin):
    list_display = ["legal_entity", "mode", "depth", "top_role", "approval_working_days"]


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
    inlines = [OutgoingFileInline, OutgoingApprovalInline]
