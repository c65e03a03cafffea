from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
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
from workflow.pickers import (
    PersonPickerAdminMixin,
    install_autocomplete_labels,
    person_label,
    person_name,
)
from workflow.roles import role_choices
from workflow.services import absence_delegate_tasks

User = get_user_model()

# every autocomplete of users in the admin answers «Фамилия Имя — должность»
install_autocomplete_labels(admin.site)


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


class AbsenceInline(PersonPickerAdminMixin, admin.TabularInline):
    model = Absence
    fk_name = "employee"
    extra = 0
    autocomplete_fields = ["deputy"]


class EmployeeCreationForm(AdminUserCreationForm):
    """The first screen asks for the name too, so an employee is created with one save (the
    department, position and roles come from the employee block on the same screen)."""

    class Meta(AdminUserCreationForm.Meta):
        fields = ("username", "last_name", "first_name", "email")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["last_name"].required = True
        self.fields["first_name"].required = True


admin.site.unregister(User)


@admin.register(User)
class EmployeeUserAdmin(UserAdmin):
    inlines = [EmployeeInline, AbsenceInline]
    add_form = EmployeeCreationForm
    add_form_template = "admin/auth/user/employee_add_form.html"
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("last_name", "first_name", "email", "username"),
            },
        ),
        (
            _("Пароль"),
            {
                "classes": ("wide",),
                "fields": ("usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ["full_name", "username", "position", "department", "is_active"]
    list_display_links = ["full_name", "username"]
    list_select_related = ["employee", "employee__department"]
    list_filter = ["is_active", "is_staff", "employee__department"]
    # pickers everywhere search and sort by surname first
    search_fields = ["last_name", "first_name", "username", "email"]
    ordering = ["last_name", "first_name", "username"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("employee")

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is None:  # absences are added once the employee exists
            inlines = [i for i in inlines if not isinstance(i, AbsenceInline)]
        return inlines

    @admin.display(description=_("фамилия и имя"), ordering="last_name")
    def full_name(self, obj) -> str:
        return person_name(obj)

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
class DepartmentAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    list_display = ["name", "legal_entity", "parent", "head_label"]
    list_select_related = ["legal_entity", "parent", "head__employee"]
    list_filter = ["legal_entity"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "head"]

    @admin.display(description=_("руководитель"), ordering="head__last_name")
    def head_label(self, obj) -> str:
        return person_label(obj.head) if obj.head else "—"


@admin.register(Absence)
class AbsenceAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    """Saving an absence that has started hands the employee's open tasks to the deputy at once
    (a daily job does the same for absences that start later)."""

    list_display = ["employee_label", "kind", "starts_on", "ends_on", "deputy_label"]
    list_select_related = ["employee__employee", "deputy__employee"]
    search_fields = ["employee__last_name", "employee__first_name", "employee__username"]
    list_filter = ["kind"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["employee", "deputy"]

    @admin.display(description=_("сотрудник"), ordering="employee__last_name")
    def employee_label(self, obj) -> str:
        return person_label(obj.employee)

    @admin.display(description=_("замещающий"), ordering="deputy__last_name")
    def deputy_label(self, obj) -> str:
        return person_label(obj.deputy) if obj.deputy else "—"

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
