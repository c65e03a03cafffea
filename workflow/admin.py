from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from workflow.models import (
    Absence,
    Department,
    Employee,
    HistoryEntry,
    LegalEntity,
    Notification,
    RouteSettings,
    Task,
    Timer,
)
from workflow.roles import role_choices
from workflow.services import absence_delegate_tasks

User = get_user_model()


class EmployeeForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Роли"),
        choices=role_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Employee
        fields = ["department", "position", "roles", "phone"]


class EmployeeInline(admin.StackedInline):
    model = Employee
    form = EmployeeForm
    can_delete = False
    verbose_name_plural = _("сотрудник")
    autocomplete_fields = ["department"]


class AbsenceInline(admin.TabularInline):
    model = Absence
    fk_name = "employee"
    extra = 0
    autocomplete_fields = ["deputy"]


admin.site.unregister(User)


@admin.register(User)
class EmployeeUserAdmin(UserAdmin):
    inlines = [EmployeeInline, AbsenceInline]
    list_display = ["username", "last_name", "first_name", "position", "department", "is_active"]
    list_select_related = ["employee", "employee__department"]
    list_filter = ["is_active", "is_staff", "employee__department"]

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is Absence:  # an absence added here hands over tasks like AbsenceAdmin
            for absence_id in Absence.objects.filter(employee=form.instance).values_list(
                "pk", flat=True
            ):
                absence_delegate_tasks(absence_id=absence_id, by=request.user)

    @admin.display(description=_("должность"))
    def position(self, obj) -> str:
        return getattr(getattr(obj, "employee", None), "position", "")

    @admin.display(description=_("подразделение"))
    def department(self, obj):
        return getattr(getattr(obj, "employee", None), "department", None)


@admin.register(LegalEntity)
class LegalEntityAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "code", "inn"]
    search_fields = ["name", "short_name", "inn"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "legal_entity", "parent", "head"]
    list_select_related = ["legal_entity", "parent", "head"]
    list_filter = ["legal_entity"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "head"]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    """Saving an absence that has started hands the employee's open tasks to the deputy at once
    (a daily job does the same for absences that start later)."""

    list_display = ["employee", "kind", "starts_on", "ends_on", "deputy"]
    list_select_related = ["employee", "deputy"]
    list_filter = ["kind"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["employee", "deputy"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        moved = absence_delegate_tasks(absence_id=obj.pk, by=request.user)
        if moved:
            self.message_user(
                request,
                _("Открытые задания переданы замещающему: %(count)s") % {"count": moved},
            )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Engine records change only through services; the admin shows them for support."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "assignee", "status", "due_at", "created_at"]
    list_select_related = ["assignee"]
    list_filter = ["status", "kind"]
    search_fields = ["title"]
    date_hierarchy = "created_at"


@admin.register(Timer)
class TimerAdmin(ReadOnlyAdmin):
    list_display = ["kind", "due_at", "fired_at", "cancelled_at", "failed_at", "attempts"]
    list_filter = ["kind"]
    date_hierarchy = "due_at"


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "description"]
    list_select_related = ["actor"]
    list_filter = ["action"]
    search_fields = ["description"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "text", "read_at", "emailed_at"]
    list_select_related = ["recipient"]


@admin.register(RouteSettings)
class RouteSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "document_type",
        "participant_cap",
        "over_cap",
        "restart_from",
        "revision_working_days",
    ]
