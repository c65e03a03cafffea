from django.contrib import admin

from contracts.models import (
    Approval,
    ApprovalRule,
    Contract,
    ContractType,
    Fund,
    Stage,
    SubjectCategory,
)
from workflow.pickers import PersonPickerAdminMixin


class StageInline(PersonPickerAdminMixin, admin.TabularInline):
    model = Stage
    extra = 0
    autocomplete_fields = ["assignee_user"]


@admin.register(ContractType)
class ContractTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "direction", "name_template", "is_active"]
    list_filter = ["direction", "is_active"]
    inlines = [StageInline]


@admin.register(SubjectCategory)
class SubjectCategoryAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Fund)
class FundAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    list_display = ["name", "owner"]
    autocomplete_fields = ["owner"]
    filter_horizontal = ["members"]


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "contract_type",
        "subject_category",
        "fund",
        "amount_min",
        "amount_max",
        "approver_kind",
        "approver_user",
        "approver_role",
        "group",
        "deadline_days",
        "is_active",
    ]
    list_filter = ["contract_type", "fund", "approver_kind", "is_active"]
    list_editable = ["group", "deadline_days", "is_active"]
    autocomplete_fields = ["approver_user"]


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0
    can_delete = False
    fields = ["round", "group", "approver", "status", "due_at", "decided_at", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    """Read-mostly: contracts change state only through their tasks, never here."""

    list_display = ["number", "name", "status", "initiator", "created_at"]
    list_filter = ["status", "contract_type"]
    search_fields = ["name"]
    inlines = [ApprovalInline]
    exclude = ["participants"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
